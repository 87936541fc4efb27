namespace AutoDL.Core.Datasets;

/// <summary>How <see cref="DatasetProfiler"/> profiles a file; every default suits an upload of any size.</summary>
public sealed record DatasetProfileOptions
{
    /// <summary>How the schema is inferred (the same options as <see cref="CsvScanner"/>).</summary>
    public DatasetScanOptions Scan { get; init; } = new();

    /// <summary>Most frequent values listed per categorical, boolean, text or identifier column; the rest are counted as "other".</summary>
    public int TopValueCount { get; init; } = 20;

    /// <summary>Bins in a numeric column's histogram (about this many: bins have equal, round widths that cover min to max).</summary>
    public int HistogramBins { get; init; } = 20;

    /// <summary>Rows shown as they are written in the file.</summary>
    public int PreviewRows { get; init; } = 20;

    /// <summary>
    /// Rows kept in the uniform sample (a seeded reservoir) that correlations, associations and, when they cannot be
    /// exact, quantiles come from. Every row is kept when the file has no more.
    /// </summary>
    public int SampleRows { get; init; } = 100_000;

    /// <summary>Bound on the sample's size in values (rows × columns): a very wide file keeps fewer rows.</summary>
    public int SampleValueCap { get; init; } = 4_000_000;

    /// <summary>Seed of the sample; the same file and seed give the same profile.</summary>
    public int SampleSeed { get; init; } = 1;

    /// <summary>A categorical column with at most this many distinct values can be a target and has associations.</summary>
    public int AssociationMaxCategories { get; init; } = 50;

    /// <summary>
    /// Distinct row hashes remembered to count duplicate rows (8 bytes each, in a table under 400 MB at the default);
    /// past it, repeats of rows not remembered go uncounted and the duplicate count is a lower bound.
    /// </summary>
    public int DuplicateRowHashCap { get; init; } = 20_000_000;

    /// <summary>
    /// The stream's length in bytes when it cannot tell (an upload that is not seekable but has a Content-Length), for
    /// progress; without either, progress is reported only when done.
    /// </summary>
    public long? StreamLength { get; init; }

    /// <summary>Threads that profile columns while the file is read; 1 does everything on the calling thread.</summary>
    public int Parallelism { get; init; } = Environment.ProcessorCount;
}
