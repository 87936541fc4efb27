using System.Globalization;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Processing;

namespace AutoDL.Core.Datasets.Images;

/// <summary>Reads an uploaded zip of image folders (one folder per class) once and describes it, without unpacking it to disk.</summary>
public static class ImageZipScanner
{
    /// <summary>
    /// Checks the zip is safe before reading any image, then decodes every image from its entry's stream, counting
    /// images per class and their sizes, and writes a few thumbnails per class. Files that are not readable PNG, JPEG,
    /// BMP, GIF or WebP images are skipped with a warning; <c>__MACOSX/</c>, <c>.DS_Store</c> and <c>Thumbs.db</c>
    /// are left out silently.
    /// </summary>
    /// <param name="zipPath">Where the uploaded zip lies.</param>
    /// <param name="fileName">Names the zip in messages, as the user gave it.</param>
    /// <param name="thumbnailFolder">Where to write thumbnails (created if missing), named <c>{classIndex}-{n}.jpg</c>; null for none.</param>
    /// <param name="progress">Share of the zip's entries processed, 0 to 1.</param>
    /// <exception cref="DatasetFormatException">
    /// Not a zip, an unsafe zip (paths leaving the folder, absolute paths, links, archives inside, too many entries, a
    /// zip bomb), no images, fewer than two class folders, or a class folder without a readable image.
    /// </exception>
    public static async Task<ImageDatasetSchema> ScanAsync(
        string zipPath,
        string fileName,
        ImageZipOptions options,
        string? thumbnailFolder,
        IProgress<double>? progress,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        cancellationToken.ThrowIfCancellationRequested();
        using var zip = ImageZipArchive.Open(zipPath, fileName, options);
        if (thumbnailFolder is not null)
        {
            Directory.CreateDirectory(thumbnailFolder);
        }

        var counts = new int[zip.Classes.Count];
        var skippedPerClass = zip.Classes.Select(_ => new List<string>()).ToArray();
        var unreadable = new List<SkippedImageFile>();
        var sizes = new SizeStatistics();
        var thumbnails = new List<ImageThumbnail>();
        var processed = zip.EntryCount - zip.Candidates.Count;
        progress?.Report(Share(processed, zip.EntryCount));

        foreach (var candidate in zip.Candidates)
        {
            using var decoded = await zip.ReadAsync(candidate, file =>
            {
                unreadable.Add(file);
                skippedPerClass[candidate.ClassIndex].Add(file.Path);
            }, cancellationToken);

            if (decoded is not null)
            {
                var n = ++counts[candidate.ClassIndex];
                sizes.Add(decoded.Image.Width, decoded.Image.Height, decoded.Format);
                if (thumbnailFolder is not null && n <= options.ThumbnailsPerClass)
                {
                    thumbnails.Add(await WriteThumbnailAsync(decoded.Image, thumbnailFolder, zip.Classes[candidate.ClassIndex], candidate.ClassIndex, n, options, cancellationToken));
                }
            }

            progress?.Report(Share(++processed, zip.EntryCount));
        }

        for (var i = 0; i < counts.Length; i++)
        {
            if (counts[i] == 0)
            {
                throw zip.ClassWithoutImages(zip.Classes[i], skippedPerClass[i]);
            }
        }

        return new ImageDatasetSchema(
            fileName,
            zip.Classes.Select((name, i) => new ImageClass(name, counts[i])).ToList(),
            counts.Sum(),
            sizes.ToStatistics(),
            Warnings(zip.Skipped, unreadable),
            [.. zip.Skipped, .. unreadable],
            thumbnails);
    }

    private static double Share(int processed, int total) => total == 0 ? 1 : Math.Min(1, processed / (double)total);

    private static List<string> Warnings(IReadOnlyList<SkippedImageFile> loose, IReadOnlyList<SkippedImageFile> unreadable)
    {
        var warnings = new List<string>();
        if (loose.Count > 0)
        {
            warnings.Add($"{Files(loose.Count)} outside the class folders {(loose.Count == 1 ? "was" : "were")} left out: "
                + $"{ImageZipText.List(loose.Select(s => s.Path).ToList())}.");
        }

        if (unreadable.Count > 0)
        {
            warnings.Add($"{Files(unreadable.Count)} could not be read as images and {(unreadable.Count == 1 ? "was" : "were")} left out: "
                + $"{ImageZipText.List(unreadable, s => $"'{s.Path}' ({s.Reason})")}.");
        }

        return warnings;
    }

    private static string Files(int count) => count == 1 ? "1 file" : $"{count.ToString("N0", CultureInfo.InvariantCulture)} files";

    private static async Task<ImageThumbnail> WriteThumbnailAsync(
        Image image, string folder, string className, int classIndex, int n, ImageZipOptions options, CancellationToken cancellationToken)
    {
        using var thumbnail = image.Clone(x => x.Resize(new ResizeOptions
        {
            Size = new Size(options.ThumbnailSize, options.ThumbnailSize),
            Mode = ResizeMode.Max,
        }));
        var name = $"{classIndex.ToString(CultureInfo.InvariantCulture)}-{n.ToString(CultureInfo.InvariantCulture)}.jpg";
        await thumbnail.SaveAsJpegAsync(Path.Combine(folder, name), new JpegEncoder { Quality = 85 }, cancellationToken);
        return new ImageThumbnail(className, classIndex, name, thumbnail.Width, thumbnail.Height);
    }

    /// <summary>Running minimum, maximum and sum of widths and heights, and a count per format.</summary>
    private sealed class SizeStatistics
    {
        private readonly SortedDictionary<string, int> _formats = new(StringComparer.Ordinal);
        private int _count;
        private int _minWidth = int.MaxValue;
        private int _maxWidth;
        private long _sumWidth;
        private int _minHeight = int.MaxValue;
        private int _maxHeight;
        private long _sumHeight;

        public void Add(int width, int height, string format)
        {
            _count++;
            _minWidth = Math.Min(_minWidth, width);
            _maxWidth = Math.Max(_maxWidth, width);
            _sumWidth += width;
            _minHeight = Math.Min(_minHeight, height);
            _maxHeight = Math.Max(_maxHeight, height);
            _sumHeight += height;
            _formats[format] = _formats.GetValueOrDefault(format) + 1;
        }

        public ImageSizeStatistics ToStatistics() => _count == 0
            ? new ImageSizeStatistics(0, 0, 0, 0, 0, 0, new Dictionary<string, int>())
            : new ImageSizeStatistics(
                _minWidth, _maxWidth, _sumWidth / (double)_count,
                _minHeight, _maxHeight, _sumHeight / (double)_count,
                new Dictionary<string, int>(_formats, StringComparer.Ordinal));
    }
}
