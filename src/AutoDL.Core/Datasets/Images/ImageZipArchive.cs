using System.Globalization;
using System.IO.Compression;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Formats.Bmp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Formats.Webp;
using SixLabors.ImageSharp.Metadata;

namespace AutoDL.Core.Datasets.Images;

/// <summary>An image file of the zip that belongs to a class: the entry, its path inside the zip and its class.</summary>
internal sealed record ImageZipCandidate(ZipArchiveEntry Entry, string Path, int ClassIndex);

/// <summary>
/// A zip of image folders, opened and checked before anything in it is read: <see cref="Open"/> refuses unsafe entries
/// (paths leaving the folder, absolute paths, links, archives inside, too many entries, bombs) and works out the classes
/// (one folder per class, under at most one wrapping folder). <see cref="ReadAsync"/> then decodes one image at a time
/// from its entry's stream, counting the bytes actually decompressed against the limits.
/// </summary>
internal sealed class ImageZipArchive : IDisposable
{
    private static readonly string[] ArchiveExtensions = [".zip", ".tar", ".gz", ".tgz", ".bz2", ".xz", ".7z", ".rar"];
    private static readonly string[] JunkFileNames = [".DS_Store", "Thumbs.db", "desktop.ini"];

    private readonly Stream _file;
    private readonly ZipArchive _zip;
    private readonly ImageZipOptions _options;
    private readonly UnpackBudget _budget;

    private ImageZipArchive(Stream file, ZipArchive zip, string fileName, ImageZipOptions options)
    {
        _file = file;
        _zip = zip;
        FileName = fileName;
        _options = options;
        _budget = new UnpackBudget(fileName, options.MaxTotalUncompressedBytes);
    }

    /// <summary>
    /// Only the formats the datasets issue accepts (ImageSharp would also read TGA, TIFF and PBM), and only the first
    /// frame of an animated GIF, so that a many-frame GIF cannot take much more memory than one frame.
    /// </summary>
    internal static Configuration Formats { get; } = AcceptedFormats();

    public string FileName { get; }

    /// <summary>Every entry of the zip, files and folders, junk included.</summary>
    public int EntryCount => _zip.Entries.Count;

    /// <summary>Class names in ordinal order; a candidate's class index points in here.</summary>
    public IReadOnlyList<string> Classes { get; private set; } = [];

    /// <summary>Files that belong to a class, in the zip's order; not yet known to be readable.</summary>
    public IReadOnlyList<ImageZipCandidate> Candidates { get; private set; } = [];

    /// <summary>Files left out before reading (loose files beside the class folders).</summary>
    public IReadOnlyList<SkippedImageFile> Skipped { get; private set; } = [];

    /// <exception cref="DatasetFormatException">The file is not a zip, or the zip is unsafe or has no classes.</exception>
    public static ImageZipArchive Open(string zipPath, string fileName, ImageZipOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var file = new FileStream(zipPath, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, useAsync: true);
        ZipArchive zip;
        try
        {
            zip = new ZipArchive(file, ZipArchiveMode.Read, leaveOpen: false);
        }
        catch (InvalidDataException)
        {
            file.Dispose();
            throw Refuse(fileName,
                "The file is not a zip archive, or it is damaged. Upload a .zip with one folder of images per class, "
                + "for example cats/001.jpg and dogs/002.png.");
        }

        var archive = new ImageZipArchive(file, zip, fileName, options);
        try
        {
            archive.Check();
            return archive;
        }
        catch
        {
            archive.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Reads one candidate into memory and decodes it. Null with <paramref name="skipped"/> set when the file is not a
    /// readable image of an accepted format or is too large; the caller disposes the image.
    /// </summary>
    /// <exception cref="DatasetFormatException">The entry decompresses to more than its header says, or past the zip's limit.</exception>
    public async Task<DecodedImage?> ReadAsync(ImageZipCandidate candidate, Action<SkippedImageFile> skipped, CancellationToken cancellationToken)
    {
        var entry = candidate.Entry;
        if (entry.Length > _options.MaxImageBytes)
        {
            skipped(new SkippedImageFile(candidate.Path,
                $"it is {Bytes(entry.Length)}, larger than the {Bytes(_options.MaxImageBytes)} allowed for one image"));
            return null;
        }

        byte[] bytes;
        try
        {
            await using var stream = entry.Open();
            bytes = await _budget.ReadAsync(stream, entry.Length, candidate.Path, cancellationToken);
        }
        catch (Exception e) when (e is InvalidDataException or NotSupportedException)
        {
            skipped(new SkippedImageFile(candidate.Path, "it is damaged, encrypted or packed in a way that cannot be unpacked"));
            return null;
        }

        try
        {
            var info = Image.Identify(Formats, bytes, out var format);
            if (info is null || format is null)
            {
                skipped(new SkippedImageFile(candidate.Path, "it is not a PNG, JPEG, BMP, GIF or WebP image"));
                return null;
            }

            if ((long)info.Width * info.Height > _options.MaxImagePixels)
            {
                skipped(new SkippedImageFile(candidate.Path,
                    $"it is {info.Width.ToString(CultureInfo.InvariantCulture)} × {info.Height.ToString(CultureInfo.InvariantCulture)} pixels, "
                    + $"more than the {_options.MaxImagePixels.ToString("N0", CultureInfo.InvariantCulture)} pixels allowed for one image"));
                return null;
            }

            var image = Image.Load(Formats, bytes);
            return new DecodedImage(image, FormatName(format), bytes);
        }
        catch (Exception e) when (e is ImageFormatException or NotSupportedException or InvalidDataException or ArgumentException)
        {
            skipped(new SkippedImageFile(candidate.Path, "it is not a PNG, JPEG, BMP, GIF or WebP image, or it is damaged"));
            return null;
        }
    }

    /// <summary>The refusal for a class folder none of whose files could be read.</summary>
    public DatasetFormatException ClassWithoutImages(string className, IReadOnlyCollection<string> skippedPaths)
    {
        var files = skippedPaths.Count == 0 ? "" : $" (it holds {ImageZipText.List(skippedPaths)})";
        return Refuse(FileName,
            $"The class folder '{className}' has no image that could be read{files}, so there is nothing to learn that class from. "
            + "Add PNG, JPEG, BMP, GIF or WebP images to it, or remove the folder.");
    }

    public void Dispose()
    {
        _zip.Dispose();
        _file.Dispose();
    }

    internal static DatasetFormatException Refuse(string fileName, string message) =>
        new(fileName, new DatasetProblem(message));

    internal static string Bytes(long bytes) => bytes switch
    {
        >= 1L << 30 => $"{(bytes / (double)(1L << 30)).ToString("0.#", CultureInfo.InvariantCulture)} GB",
        >= 1L << 20 => $"{(bytes / (double)(1L << 20)).ToString("0.#", CultureInfo.InvariantCulture)} MB",
        >= 1L << 10 => $"{(bytes / (double)(1L << 10)).ToString("0.#", CultureInfo.InvariantCulture)} KB",
        _ => $"{bytes.ToString(CultureInfo.InvariantCulture)} bytes",
    };

    private static Configuration AcceptedFormats()
    {
        var configuration = new Configuration(
            new PngConfigurationModule(),
            new JpegConfigurationModule(),
            new BmpConfigurationModule(),
            new GifConfigurationModule(),
            new WebpConfigurationModule());
        configuration.ImageFormatsManager.SetDecoder(GifFormat.Instance, new GifDecoder { DecodingMode = FrameDecodingMode.First });
        return configuration;
    }

    private static string FormatName(IImageFormat format) => format switch
    {
        PngFormat => "png",
        JpegFormat => "jpeg",
        BmpFormat => "bmp",
        GifFormat => "gif",
        WebpFormat => "webp",
        _ => format.Name.ToLowerInvariant(),
    };

    private void Check()
    {
        var entries = _zip.Entries;
        if (entries.Count > _options.MaxEntries)
        {
            throw Refuse(FileName,
                $"The zip holds {entries.Count.ToString("N0", CultureInfo.InvariantCulture)} files and folders, more than the "
                + $"{_options.MaxEntries.ToString("N0", CultureInfo.InvariantCulture)} allowed.");
        }

        var files = new List<(ZipArchiveEntry Entry, string Path, string[] Segments)>();
        long declaredTotal = 0;
        foreach (var entry in entries)
        {
            var path = entry.FullName.Replace('\\', '/');
            CheckPath(entry, path);
            var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
            if (segments.Length == 0 || path.EndsWith('/') || IsJunk(segments))
            {
                continue;
            }

            if (ArchiveExtensions.Any(extension => path.EndsWith(extension, StringComparison.OrdinalIgnoreCase)))
            {
                throw Refuse(FileName,
                    $"The zip holds another archive, '{path}'. Archives inside the zip are not opened: unpack it and put its "
                    + "images in the class folders instead.");
            }

            CheckSize(entry, path);
            declaredTotal += entry.Length;
            if (declaredTotal > _options.MaxTotalUncompressedBytes)
            {
                throw Refuse(FileName,
                    $"The zip unpacks to more than the {Bytes(_options.MaxTotalUncompressedBytes)} allowed (reached at the entry '{path}'). "
                    + "Upload fewer or smaller images.");
            }

            files.Add((entry, path, segments));
        }

        if (files.Count == 0)
        {
            throw Refuse(FileName,
                "The zip has no images in it. Put one folder of images per class inside it, for example cats/001.jpg and dogs/002.png.");
        }

        var depth = 0;
        // One wrapping folder (pets/cats/001.jpg), or a chain of them, holds the class folders: its loose files are skipped below.
        while (files.Any(f => f.Segments.Length >= depth + 3)
            && files.All(f => f.Segments.Length >= depth + 2)
            && files.Select(f => f.Segments[depth]).Distinct(StringComparer.Ordinal).Count() == 1)
        {
            depth++;
        }

        var classes = new SortedSet<string>(StringComparer.Ordinal);
        var skipped = new List<SkippedImageFile>();
        foreach (var (_, path, segments) in files)
        {
            if (segments.Length - depth < 2)
            {
                skipped.Add(new SkippedImageFile(path, "it is not inside a class folder"));
            }
            else
            {
                classes.Add(segments[depth]);
            }
        }

        if (classes.Count < 2)
        {
            var found = classes.Count == 0
                ? "The zip's files are not inside class folders"
                : $"The zip has only one class folder, '{classes.Min}'";
            throw Refuse(FileName,
                $"{found}. Put the images of each class in a folder named after the class, at least two of them, "
                + "for example cats/001.jpg and dogs/002.png.");
        }

        var classList = classes.ToList();
        Classes = classList;
        Skipped = skipped;
        Candidates = files
            .Where(f => f.Segments.Length - depth >= 2)
            .Select(f => new ImageZipCandidate(f.Entry, f.Path, classList.BinarySearch(f.Segments[depth], StringComparer.Ordinal)))
            .ToList();
    }

    private void CheckPath(ZipArchiveEntry entry, string path)
    {
        if (path.StartsWith('/') || (path.Length >= 2 && char.IsAsciiLetter(path[0]) && path[1] == ':'))
        {
            throw Refuse(FileName,
                $"The zip holds an entry with an absolute path, '{entry.FullName}', which could write outside the folder it is "
                + "unpacked in. Zip the image folders again from the folder that holds them.");
        }

        if (path.Split('/').Any(segment => segment == ".."))
        {
            throw Refuse(FileName,
                $"The zip holds an entry whose path climbs out of the zip with '..', '{entry.FullName}', which could write outside "
                + "the folder it is unpacked in. Zip the image folders again without it.");
        }

        const int FileTypeMask = 0xF000;
        const int SymbolicLink = 0xA000;
        if (((entry.ExternalAttributes >> 16) & FileTypeMask) == SymbolicLink)
        {
            throw Refuse(FileName,
                $"The zip holds a symbolic link, '{entry.FullName}', instead of a file. Links are not followed: zip the images themselves.");
        }
    }

    private void CheckSize(ZipArchiveEntry entry, string path)
    {
        if (entry.Length < _options.CompressionRatioMinimumBytes)
        {
            return;
        }

        var ratio = entry.Length / (double)Math.Max(entry.CompressedLength, 1);
        if (ratio > _options.MaxCompressionRatio)
        {
            throw Refuse(FileName,
                $"The entry '{path}' unpacks to {ratio.ToString("N0", CultureInfo.InvariantCulture)} times its packed size "
                + $"({Bytes(entry.Length)} from {Bytes(entry.CompressedLength)}), more than the "
                + $"{_options.MaxCompressionRatio.ToString("N0", CultureInfo.InvariantCulture)} times images ever need, as a zip bomb does. "
                + "Remove it and zip the folders again.");
        }
    }

    private static bool IsJunk(string[] segments)
    {
        var name = segments[^1];
        return segments.Any(segment => segment == "__MACOSX")
            || JunkFileNames.Contains(name, StringComparer.OrdinalIgnoreCase)
            || name.StartsWith("._", StringComparison.Ordinal);
    }
}

/// <summary>A decoded image with its format name and the bytes it was decoded from; dispose it to free the pixels.</summary>
internal sealed record DecodedImage(Image Image, string Format, byte[] Bytes) : IDisposable
{
    public void Dispose() => Image.Dispose();
}

/// <summary>Sentences shared by the scanner and the reader.</summary>
internal static class ImageZipText
{
    public const int Shown = 10;

    /// <summary>'a', 'b', ... the first ten quoted, then "and N more".</summary>
    public static string List(IReadOnlyCollection<string> paths) => List(paths, path => $"'{path}'");

    /// <summary>The first ten items as <paramref name="describe"/> words them, then "and N more".</summary>
    public static string List<T>(IReadOnlyCollection<T> items, Func<T, string> describe)
    {
        var shown = string.Join(", ", items.Take(Shown).Select(describe));
        return items.Count > Shown ? $"{shown} and {(items.Count - Shown).ToString("N0", CultureInfo.InvariantCulture)} more" : shown;
    }
}
