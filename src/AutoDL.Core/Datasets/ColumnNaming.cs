namespace AutoDL.Core.Datasets;

/// <summary>Column names from a header row, made usable: trimmed, none empty, none repeated (ignoring case).</summary>
internal static class ColumnNaming
{
    public static string[] Generated(int count) =>
        Enumerable.Range(1, count).Select(i => $"column{i}").ToArray();

    /// <summary>
    /// Trims each name; an empty one becomes <c>column{position}</c>, a repeated one gets <c>_2</c>, <c>_3</c>...,
    /// never clashing with a name elsewhere in the header. Each rename adds a warning.
    /// </summary>
    public static string[] FromHeader(IReadOnlyList<string> header, ICollection<string> warnings)
    {
        var trimmed = header.Select(name => name.Trim()).ToArray();
        var inHeader = new HashSet<string>(trimmed.Where(name => name.Length > 0), StringComparer.OrdinalIgnoreCase);
        var taken = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var firstPosition = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        var names = new string[trimmed.Length];
        for (var i = 0; i < trimmed.Length; i++)
        {
            var name = trimmed[i];
            var position = i + 1;
            if (name.Length == 0)
            {
                var generated = $"column{position}";
                if (inHeader.Contains(generated) || taken.Contains(generated))
                {
                    generated = Unused(generated, inHeader, taken);
                }

                names[i] = generated;
                taken.Add(generated);
                warnings.Add($"Column {position} has no name; it is now called '{generated}'.");
            }
            else if (taken.Add(name))
            {
                names[i] = name;
                firstPosition[name] = position;
            }
            else
            {
                var renamed = Unused(name, inHeader, taken);
                names[i] = renamed;
                taken.Add(renamed);
                warnings.Add($"Column {position} is called '{name}', like column {firstPosition[name]}; it is now called '{renamed}'.");
            }
        }

        return names;
    }

    private static string Unused(string name, HashSet<string> inHeader, HashSet<string> taken)
    {
        for (var suffix = 2; ; suffix++)
        {
            var candidate = $"{name}_{suffix}";
            if (!inHeader.Contains(candidate) && !taken.Contains(candidate))
            {
                return candidate;
            }
        }
    }
}
