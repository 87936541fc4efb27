using AutoDL.Core.Datasets;

namespace AutoDL.Core.Tests.Datasets;

/// <summary>Runs alone, after the other tests: it keeps a core busy for seconds, which would slow timed tests beside it.</summary>
[CollectionDefinition(nameof(CsvScannerLargeInputTests), DisableParallelization = true)]
[Collection(nameof(CsvScannerLargeInputTests))]
public sealed class CsvScannerLargeInputTests
{
    [Fact]
    public async Task AFiftyMegabyteStreamIsReadOnceWithAllocationsFarBelowItsSize()
    {
        const long size = 50L * 1024 * 1024;
        var stream = new GeneratedCsvStream(size);
        var thread = Environment.CurrentManagedThreadId;
        var before = GC.GetAllocatedBytesForCurrentThread();

        // The generated stream answers every read at once, so the whole scan runs on this thread and the per-thread
        // allocation counter sees all of it (and nothing from tests running beside it).
        var schema = await CsvScanner.ScanAsync(stream, "generated.csv", CancellationToken.None);

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(thread, Environment.CurrentManagedThreadId);
        Assert.True(stream.BytesRead >= size);
        Assert.Equal(stream.RowsWritten, schema.RowCount);
        Assert.True(allocated < size / 10, $"allocated {allocated:N0} bytes reading {stream.BytesRead:N0}");
        Assert.Equal(
            [ColumnType.Identifier, ColumnType.Numeric, ColumnType.Categorical, ColumnType.Boolean, ColumnType.Datetime, ColumnType.Categorical],
            schema.Columns.Select(c => c.Type));
        Assert.Equal(schema.RowCount / 10, schema.Columns[5].MissingCount);
        Assert.True(schema.Columns[0].UniqueCountIsLowerBound);
    }
}
