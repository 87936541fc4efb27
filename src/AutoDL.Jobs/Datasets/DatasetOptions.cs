namespace AutoDL.Jobs.Datasets;

/// <summary>Upload settings. Bound from <c>AutoDL:Datasets</c>.</summary>
public sealed record DatasetOptions
{
    public const string Section = "AutoDL:Datasets";

    /// <summary>Largest file an upload may be (default 2 GiB); larger ones are refused with 413.</summary>
    public long MaxUploadBytes { get; init; } = 2L * 1024 * 1024 * 1024;

    /// <summary>On the first start with no datasets, add the sample datasets shipped in <c>samples/</c>.</summary>
    public bool ImportSamples { get; init; } = true;
}

/// <summary>An upload is larger than <see cref="DatasetOptions.MaxUploadBytes"/>; nothing was kept.</summary>
public sealed class DatasetTooLargeException(string fileName, long limitBytes)
    : Exception($"'{fileName}' is larger than the upload limit of {Describe(limitBytes)}. Nothing was stored.")
{
    public long LimitBytes { get; } = limitBytes;

    public static string Describe(long bytes) => bytes switch
    {
        >= 1L << 30 => $"{bytes / (double)(1L << 30):0.#} GiB",
        >= 1L << 20 => $"{bytes / (double)(1L << 20):0.#} MiB",
        >= 1L << 10 => $"{bytes / (double)(1L << 10):0.#} KiB",
        _ => $"{bytes} bytes",
    };
}
