namespace AutoDL.Core.Datasets;

/// <summary>What one pass over a CSV file does with its rows: the schema scan infers types, the profiler also profiles.</summary>
internal interface IRowObserver
{
    /// <summary>Called once, with the column names, before the first row.</summary>
    void Begin(IReadOnlyList<string> columnNames);

    /// <summary>
    /// Observes one row; the row's spans are valid only during the call. Completes synchronously unless the observer
    /// must wait for room (the profiler's pipeline).
    /// </summary>
    ValueTask ObserveAsync(CsvRow row, CancellationToken cancellationToken);

    /// <summary>Called after the last row: every row has been observed once this completes.</summary>
    Task EndAsync(CancellationToken cancellationToken);

    /// <summary>Called when the pass fails part way, before the error goes on; stops any work in flight.</summary>
    Task AbandonAsync();

    /// <summary>Each column's inferred type and counts, after <see cref="EndAsync"/>.</summary>
    DatasetColumn Column(int index, string name);
}

/// <summary>
/// One read of a CSV file, front to back, shared by <see cref="CsvScanner"/> and <see cref="DatasetProfiler"/>: opens it,
/// refuses files that cannot be a dataset (the same <see cref="DatasetFormatException"/>s for both), hands every row to an
/// <see cref="IRowObserver"/> and returns the schema.
/// </summary>
internal static class CsvPass
{
    private const int NamesShown = 5;

    public static async Task<DatasetSchema> RunAsync(Stream stream, string fileName, IRowObserver observer, CancellationToken cancellationToken)
    {
        using var reader = await CsvReader.OpenAsync(stream, fileName, cancellationToken);
        var names = reader.ColumnNames;
        if (names.Count == 1)
        {
            throw new DatasetFormatException(fileName, new DatasetProblem(
                $"The file has only one column ('{names[0]}'), so there is nothing to predict it from. If it should have several columns, "
                + "separate the values with commas, semicolons, tabs or vertical bars (|).",
                Column: names[0]));
        }

        observer.Begin(names);
        try
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                var observing = observer.ObserveAsync(reader.Current, cancellationToken);
                if (!observing.IsCompletedSuccessfully)
                {
                    await observing;
                }
            }

            await observer.EndAsync(cancellationToken);
        }
        catch
        {
            await observer.AbandonAsync();
            throw;
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
            names.Select((name, i) => observer.Column(i, name)).ToList(),
            reader.Warnings.ToList());
    }
}
