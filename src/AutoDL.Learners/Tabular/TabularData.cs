namespace AutoDL.Learners.Tabular;

/// <summary>
/// What a column of a table holds, as the dataset profiler judges it. Identifiers and constants carry no signal and
/// are left out of training.
/// </summary>
public enum TabularColumnKind
{
    Numeric,
    Integer,
    Boolean,
    Categorical,
    Text,
    DateTime,
    Identifier,
    Constant,
}

/// <summary>One column of a table: its name (the header's, or the one given to a headerless file) and its kind.</summary>
public sealed record TabularColumn(string Name, TabularColumnKind Kind);

/// <summary>
/// A UTF-8 delimited text file and the description of its columns, in the file's order. With a header, columns are
/// matched to the header by name (so the description may list a subset); without one, or when
/// <see cref="ColumnsInFileOrder"/> says the description lists every column in order, by position.
/// </summary>
public sealed record TabularData(string CsvPath, char Separator, bool HasHeader, IReadOnlyList<TabularColumn> Columns)
{
    /// <summary>
    /// The description lists every column of the file, in its order, under the names a dataset reader gave them
    /// (which may differ from the header: empty or repeated names renamed). Columns are then matched by position.
    /// </summary>
    public bool ColumnsInFileOrder { get; init; }

    /// <summary>The column named <paramref name="name"/> (ordinal comparison).</summary>
    /// <exception cref="ArgumentException">No column has that name.</exception>
    public TabularColumn Column(string name) =>
        Columns.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.Ordinal))
        ?? throw new ArgumentException(
            $"The table has no column '{name}'; its columns are {string.Join(", ", Columns.Select(c => $"'{c.Name}'"))}.", nameof(name));
}
