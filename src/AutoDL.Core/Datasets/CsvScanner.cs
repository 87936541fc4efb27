namespace AutoDL.Core.Datasets;

/// <summary>Reads a whole CSV file once and describes it: format, row count, and each column's type and counts.</summary>
public static class CsvScanner
{
    /// <inheritdoc cref="ScanAsync(Stream, string, DatasetScanOptions, CancellationToken)"/>
    public static Task<DatasetSchema> ScanAsync(Stream stream, string fileName, CancellationToken cancellationToken) =>
        ScanAsync(stream, fileName, new DatasetScanOptions(), cancellationToken);

    /// <summary>
    /// Reads <paramref name="stream"/> front to back in one pass and infers the schema. Memory stays bounded whatever
    /// the file's size: a buffer of text and, per column, at most <see cref="DatasetScanOptions.DistinctValueCap"/> values.
    /// <see cref="DatasetProfiler"/> does the same read and also profiles the values.
    /// </summary>
    /// <param name="fileName">Names the file in messages; the stream has no name of its own.</param>
    /// <exception cref="DatasetFormatException">
    /// The file cannot be a dataset: empty, binary or not text, column names without rows, a single column, rows with
    /// the wrong number of values, an unclosed quote.
    /// </exception>
    public static Task<DatasetSchema> ScanAsync(Stream stream, string fileName, DatasetScanOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        return CsvPass.RunAsync(stream, fileName, new InferenceObserver(options), cancellationToken);
    }

    /// <summary>Type inference only, on the reading thread.</summary>
    private sealed class InferenceObserver(DatasetScanOptions options) : IRowObserver
    {
        private ColumnInference[] _columns = [];

        public void Begin(IReadOnlyList<string> columnNames) =>
            _columns = columnNames.Select(_ => new ColumnInference(options)).ToArray();

        public ValueTask ObserveAsync(CsvRow row, CancellationToken cancellationToken)
        {
            var columns = _columns;
            for (var i = 0; i < columns.Length; i++)
            {
                columns[i].Observe(row[i]);
            }

            return ValueTask.CompletedTask;
        }

        public Task EndAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task AbandonAsync() => Task.CompletedTask;

        public DatasetColumn Column(int index, string name) => _columns[index].ToColumn(name);
    }
}
