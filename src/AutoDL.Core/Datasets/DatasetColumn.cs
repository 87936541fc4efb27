namespace AutoDL.Core.Datasets;

/// <summary>
/// One column as a full read of the file found it.
/// </summary>
/// <param name="Name">The column's name: from the header row, or <c>column1</c>... when the file has none; renamed when empty or repeated.</param>
/// <param name="Type">What to treat the column as: <see cref="ColumnType.Constant"/> and <see cref="ColumnType.Identifier"/> win over <paramref name="ValueType"/>.</param>
/// <param name="ValueType">What the values look like (never identifier or constant); <see cref="ColumnType.Text"/> when every value is missing.</param>
/// <param name="MissingCount">Rows whose value is empty or a missing marker (<c>NA</c>, <c>N/A</c>, <c>#N/A</c>, <c>null</c>, <c>NaN</c>, <c>?</c>).</param>
/// <param name="UniqueCount">Distinct values besides missing ones; a lower bound when <paramref name="UniqueCountIsLowerBound"/>.</param>
/// <param name="UniqueCountIsLowerBound">The column had more distinct values than were counted exactly (the cap of <see cref="DatasetScanOptions.DistinctValueCap"/>): read <paramref name="UniqueCount"/> as "at least".</param>
public sealed record DatasetColumn(
    string Name,
    ColumnType Type,
    ColumnType ValueType,
    long MissingCount,
    long UniqueCount,
    bool UniqueCountIsLowerBound)
{
    public bool IsIdentifier => Type == ColumnType.Identifier;

    public bool IsConstant => Type == ColumnType.Constant;
}
