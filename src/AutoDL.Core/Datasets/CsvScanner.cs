namespace AutoDL.Core.Datasets;

/// <summary>Reads a whole CSV file once and describes it: format, row count, and each column's type and counts.</summary>
public static class CsvScanner
{
    private const int NamesShown = 5;

    /// <inheritdoc cref="ScanAsync(Stream, string, DatasetScanOptions, CancellationToken)"/>
    public static Task<DatasetSchema> ScanAsync(Stream stream, string fileName, CancellationToken cancellationToken) =>
        ScanAsync(stream, fileName, new DatasetScanOptions(), cancellationToken);

    /// <summary>
    /// Reads <paramref name="stream"/> front to back in one pass and infers the schema. Memory stays bounded whatever
    /// the file's size: a buffer of text and, per column, at most <see cref="DatasetScanOptions.DistinctValueCap"/> values.
    /// </summary>
    /// <param name="fileName">Names the file in messages; the stream has no name of its own.</param>
    /// <exception cref="DatasetFormatException">
    /// The file cannot be a dataset: empty, binary or not text, column names without rows, a single column, rows with
    /// the wrong number of values, an unclosed quote.
    /// </exception>
    public static async Task<DatasetSchema> ScanAsync(Stream stream, string fileName, DatasetScanOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        using var reader = await CsvReader.OpenAsync(stream, fileName, cancellationToken);
        var names = reader.ColumnNames;
        if (names.Count == 1)
        {
            throw new DatasetFormatException(fileName, new DatasetProblem(
                $"The file has only one column ('{names[0]}'), so there is nothing to predict it from. If it should have several columns, "
                + "separate the values with commas, semicolons, tabs or vertical bars (|).",
                Column: names[0]));
        }

        var columns = names.Select(_ => new ColumnInference(options)).ToArray();
        while (await reader.ReadAsync(cancellationToken))
        {
            Observe(reader.Current, columns);
        }

        if (reader.RowsRead == 0)
        {
            var shown = string.Join(", ", names.Take(NamesShown).Select(name => $"'{name}'")) + (names.Count > NamesShown ? ", ..." : "");
            throw new DatasetFormatException(fileName, new DatasetProblem(
                $"The file has column names ({shown}) but no rows of data below them."));
        }

        return new DatasetSchema(
            fileName,
            reader.Format,
            reader.RowsRead,
            columns.Select((column, i) => column.ToColumn(names[i])).ToList(),
            reader.Warnings.ToList());
    }

    private static void Observe(CsvRow row, ColumnInference[] columns)
    {
        for (var i = 0; i < columns.Length; i++)
        {
            columns[i].Observe(row[i]);
        }
    }
}
