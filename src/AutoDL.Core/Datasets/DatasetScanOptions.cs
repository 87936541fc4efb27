namespace AutoDL.Core.Datasets;

public sealed record DatasetScanOptions
{
    /// <summary>
    /// Distinct values counted exactly per column. Past it a column's unique count is a lower bound and new values are
    /// no longer remembered, which bounds memory whatever the file's size (about this many short strings per column).
    /// </summary>
    public int DistinctValueCap { get; init; } = 10_000;

    /// <summary>Fewest rows for a column whose values never repeat to be called an identifier.</summary>
    public int MinimumRowsForIdentifier { get; init; } = 10;
}
