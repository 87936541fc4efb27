namespace AutoDL.Core.Datasets;

/// <summary>What one read of a CSV file found: its format, its data rows (the header row is not counted) and columns.</summary>
/// <param name="Warnings">Things the reader fixed or assumed, in words for the user (renamed columns, Latin-1 text, no header row).</param>
public sealed record DatasetSchema(
    string FileName,
    CsvFormat Format,
    long RowCount,
    IReadOnlyList<DatasetColumn> Columns,
    IReadOnlyList<string> Warnings);
