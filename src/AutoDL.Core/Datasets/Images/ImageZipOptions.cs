namespace AutoDL.Core.Datasets.Images;

/// <summary>Limits that keep reading an uploaded zip of image folders safe, and how many thumbnails to make.</summary>
public sealed record ImageZipOptions
{
    /// <summary>Most entries (files and folders) a zip may hold.</summary>
    public int MaxEntries { get; init; } = 200_000;

    /// <summary>
    /// Most bytes the zip may unpack to: checked against the sizes its headers declare before anything is read, and
    /// again against the bytes actually decompressed, so a header that lies cannot get past.
    /// </summary>
    public long MaxTotalUncompressedBytes { get; init; } = 8L * 1024 * 1024 * 1024;

    /// <summary>Most an entry may unpack to, as a multiple of its packed size (ordinary images stay far below).</summary>
    public double MaxCompressionRatio { get; init; } = 200;

    /// <summary>Entries smaller than this unpacked are not held to <see cref="MaxCompressionRatio"/>: a tiny file cannot be a bomb.</summary>
    public long CompressionRatioMinimumBytes { get; init; } = 1024 * 1024;

    /// <summary>Largest single image file; larger ones are skipped with a warning.</summary>
    public long MaxImageBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>Most pixels (width × height) an image may have; larger ones are skipped with a warning before decoding.</summary>
    public long MaxImagePixels { get; init; } = 64L * 1024 * 1024;

    /// <summary>Thumbnails written per class when a thumbnail folder is given.</summary>
    public int ThumbnailsPerClass { get; init; } = 4;

    /// <summary>Longest side of a thumbnail, in pixels.</summary>
    public int ThumbnailSize { get; init; } = 128;
}
