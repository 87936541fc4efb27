using System.Globalization;

namespace AutoDL.Core.Datasets.Images;

/// <summary>Unpacks the readable images of a zip of image folders for training, with the same checks as <see cref="ImageZipScanner"/>.</summary>
public static class ImageZipReader
{
    /// <summary>
    /// Writes each readable image to <c>{destinationFolder}/{class}/{n}.{ext}</c> (n from 1 per class, the extension
    /// from the image's real format), never under a name taken from the zip besides the class folder's. Files that are
    /// not readable images, junk and loose files are not written.
    /// </summary>
    /// <param name="fileName">Names the zip in messages, as the user gave it.</param>
    /// <returns>The images written, in the zip's order.</returns>
    /// <exception cref="DatasetFormatException">The zip is refused, as <see cref="ImageZipScanner.ScanAsync"/> would refuse it.</exception>
    public static async Task<IReadOnlyList<ExtractedImage>> ExtractAsync(
        string zipPath, string fileName, string destinationFolder, ImageZipOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        cancellationToken.ThrowIfCancellationRequested();
        using var zip = ImageZipArchive.Open(zipPath, fileName, options);
        var root = Path.GetFullPath(destinationFolder);
        var folders = zip.Classes.Select(name => ClassFolder(zip, root, name)).ToList();
        var counts = new int[zip.Classes.Count];
        var skippedPerClass = zip.Classes.Select(_ => new List<string>()).ToArray();
        var written = new List<ExtractedImage>();
        foreach (var candidate in zip.Candidates)
        {
            using var decoded = await zip.ReadAsync(candidate, file => skippedPerClass[candidate.ClassIndex].Add(file.Path), cancellationToken);
            if (decoded is null)
            {
                continue;
            }

            var n = ++counts[candidate.ClassIndex];
            var folder = folders[candidate.ClassIndex];
            Directory.CreateDirectory(folder);
            var path = Path.Combine(folder, $"{n.ToString(CultureInfo.InvariantCulture)}.{Extension(decoded.Format)}");
            await File.WriteAllBytesAsync(path, decoded.Bytes, cancellationToken);
            written.Add(new ExtractedImage(zip.Classes[candidate.ClassIndex], path));
        }

        for (var i = 0; i < counts.Length; i++)
        {
            if (counts[i] == 0)
            {
                throw zip.ClassWithoutImages(zip.Classes[i], skippedPerClass[i]);
            }
        }

        return written;
    }

    private static string Extension(string format) => format == "jpeg" ? "jpg" : format;

    private static string ClassFolder(ImageZipArchive zip, string root, string className)
    {
        var folder = Path.GetFullPath(Path.Combine(root, className));
        if (className is "." or ".." || className.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0
            || !folder.StartsWith(root.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw ImageZipArchive.Refuse(zip.FileName,
                $"The class folder '{className}' has a name that cannot be used as a folder name. Rename it and zip the folders again.");
        }

        return folder;
    }
}
