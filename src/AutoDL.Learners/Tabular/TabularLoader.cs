using System.Text;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace AutoDL.Learners.Tabular;

/// <summary>A table read into memory: its feature columns, the target as text, and how many rows lacked a target.</summary>
internal sealed record LoadedTable(TabularTable Table, IReadOnlyList<TabularColumn> Features, TabularColumn Target, int RowsWithoutTarget);

/// <summary>
/// Reads a <see cref="TabularData"/> file with ML.NET's <see cref="TextLoader"/>: numeric and integer columns as
/// <see cref="float"/> (empty and unparseable cells, and markers such as NA, become NaN), boolean, categorical,
/// text and date columns as text (missing markers become empty), identifiers and constants not at all. The target is
/// read as text whatever its kind, and rows without a target are left out.
/// </summary>
internal static class TabularLoader
{
    public static LoadedTable Load(MLContext ml, TabularData data, string target, CancellationToken cancellationToken)
    {
        if (!File.Exists(data.CsvPath))
        {
            throw new FileNotFoundException($"The table file '{data.CsvPath}' does not exist.", data.CsvPath);
        }

        var targetColumn = data.Column(target);
        var features = data.Columns
            .Where(c => TabularValues.IsFeature(c.Kind) && !string.Equals(c.Name, target, StringComparison.Ordinal))
            .ToList();
        if (features.Count == 0)
        {
            throw new ArgumentException(
                $"The table has no column to learn from besides the target '{target}' (identifiers and constants are left out).", nameof(data));
        }

        var positions = Positions(data);
        var loaderColumns = features
            .Select(c => new TextLoader.Column(c.Name, TabularValues.IsNumeric(c.Kind) ? DataKind.Single : DataKind.String, positions[c.Name]))
            .Append(new TextLoader.Column(target, DataKind.String, positions[target]))
            .ToArray();
        var loader = ml.Data.CreateTextLoader(new TextLoader.Options
        {
            Columns = loaderColumns,
            Separators = [data.Separator],
            HasHeader = data.HasHeader,
            AllowQuoting = true,
            ReadMultilines = true,
            MissingRealsAsNaNs = true,
            TrimWhitespace = true,
        });
        var view = loader.Load(data.CsvPath);

        var numbers = features.Where(c => TabularValues.IsNumeric(c.Kind)).ToDictionary(c => c.Name, _ => new List<float>(), StringComparer.Ordinal);
        var texts = features.Where(c => !TabularValues.IsNumeric(c.Kind)).ToDictionary(c => c.Name, _ => new List<ReadOnlyMemory<char>>(), StringComparer.Ordinal);
        var targets = new List<ReadOnlyMemory<char>>();
        var withoutTarget = 0;
        // A Boolean target's values are read as true/false (so yes, Yes and YES are one class), and each class is then
        // named as the file spells it most often: a model of a yes/no target answers yes or no, never true or false.
        var spellings = targetColumn.Kind == TabularColumnKind.Boolean ? new Dictionary<string, Dictionary<string, int>>(StringComparer.Ordinal) : null;

        using (var cursor = view.GetRowCursor(view.Schema))
        {
            var numberGetters = numbers.Keys.ToDictionary(n => n, n => cursor.GetGetter<float>(view.Schema[n]), StringComparer.Ordinal);
            var textGetters = texts.Keys.ToDictionary(n => n, n => cursor.GetGetter<ReadOnlyMemory<char>>(view.Schema[n]), StringComparer.Ordinal);
            var targetGetter = cursor.GetGetter<ReadOnlyMemory<char>>(view.Schema[target]);
            var kinds = features.ToDictionary(c => c.Name, c => c.Kind, StringComparer.Ordinal);
            var cell = default(ReadOnlyMemory<char>);
            var number = 0f;
            while (cursor.MoveNext())
            {
                if ((cursor.Position & 0xFFF) == 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                }

                targetGetter(ref cell);
                var raw = cell.ToString();
                var targetText = TabularValues.NormalizeText(targetColumn.Kind, raw);
                if (targetText.Length == 0)
                {
                    withoutTarget++;
                    continue;
                }

                if (spellings is not null)
                {
                    var spelled = raw.Trim();
                    var counts = spellings.TryGetValue(targetText, out var known) ? known : spellings[targetText] = new Dictionary<string, int>(StringComparer.Ordinal);
                    counts[spelled] = counts.GetValueOrDefault(spelled) + 1;
                }

                targets.Add(targetText.AsMemory());
                foreach (var (name, getter) in numberGetters)
                {
                    getter(ref number);
                    numbers[name].Add(number);
                }

                foreach (var (name, getter) in textGetters)
                {
                    getter(ref cell);
                    texts[name].Add(TabularValues.NormalizeText(kinds[name], cell.ToString()).AsMemory());
                }
            }
        }

        if (spellings is not null)
        {
            var names = spellings.ToDictionary(
                s => s.Key, s => s.Value.OrderByDescending(x => x.Value).ThenBy(x => x.Key, StringComparer.Ordinal).First().Key.AsMemory(), StringComparer.Ordinal);
            for (var i = 0; i < targets.Count; i++)
            {
                targets[i] = names[targets[i].ToString()];
            }
        }

        var columns = features
            .Select(c => TabularValues.IsNumeric(c.Kind)
                ? (TableColumn)new SingleTableColumn(c.Name, [.. numbers[c.Name]])
                : new TextTableColumn(c.Name, [.. texts[c.Name]]))
            .Append(new TextTableColumn(target, [.. targets]))
            .ToList();
        return new LoadedTable(new TabularTable(columns, targets.Count), features, targetColumn, withoutTarget);
    }

    /// <summary>Where each described column lies in the file: by header name when there is a header, else by order.</summary>
    private static Dictionary<string, int> Positions(TabularData data)
    {
        if (!data.HasHeader || data.ColumnsInFileOrder)
        {
            return data.Columns.Select((c, i) => (c.Name, i)).ToDictionary(x => x.Name, x => x.i, StringComparer.Ordinal);
        }

        string? header;
        using (var reader = new StreamReader(data.CsvPath, Encoding.UTF8, detectEncodingFromByteOrderMarks: true))
        {
            header = reader.ReadLine();
        }

        var names = SplitHeader(header ?? string.Empty, data.Separator);
        var positions = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < names.Count; i++)
        {
            positions.TryAdd(names[i], i);
        }

        var absent = data.Columns.Where(c => !positions.ContainsKey(c.Name)).Select(c => $"'{c.Name}'").ToList();
        if (absent.Count > 0)
        {
            throw new ArgumentException(
                $"The header of '{data.CsvPath}' has no column {string.Join(", ", absent)}; it has {string.Join(", ", names.Select(n => $"'{n}'"))}.",
                nameof(data));
        }

        return positions;
    }

    /// <summary>The fields of one header line, with RFC 4180 quoting ("a ""b""" is a "b").</summary>
    internal static List<string> SplitHeader(string line, char separator)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == separator)
            {
                fields.Add(field.ToString().Trim());
                field.Clear();
            }
            else
            {
                field.Append(c);
            }
        }

        fields.Add(field.ToString().Trim());
        return fields;
    }
}
