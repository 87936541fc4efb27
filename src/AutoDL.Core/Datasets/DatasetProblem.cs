namespace AutoDL.Core.Datasets;

/// <summary>
/// One thing wrong with an uploaded file, in words for the person who made it: <paramref name="Row"/> is the 1-based
/// data row (the column names row is not counted), <paramref name="Line"/> the 1-based line of the file where that
/// row starts (they differ by the header and by values that span lines), <paramref name="Column"/> the column's name.
/// </summary>
public sealed record DatasetProblem(string Message, long? Row = null, long? Line = null, string? Column = null);
