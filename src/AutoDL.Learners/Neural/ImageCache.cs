using System.Text;
using AutoDL.Core.Datasets.Images;

namespace AutoDL.Learners.Neural;

/// <summary>
/// A dataset version's images decoded once, kept on disk as bytes (<see cref="ImagePixels"/>): a search or refit
/// after the first reads the file instead of decoding the zip again. The file is written whole under a temporary name
/// and moved into place, so a reader never sees half of one.
/// </summary>
public static class ImageCache
{
    private const string Magic = "AUTODL-IMAGES-1";

    /// <summary>The cached pixels at <paramref name="cachePath"/>, or the zip decoded into it first.</summary>
    /// <exception cref="Core.Datasets.DatasetFormatException">The zip is refused.</exception>
    public static async Task<ImagePixels> LoadOrBuildAsync(
        string zipPath, string fileName, int size, string cachePath, CancellationToken cancellationToken)
    {
        if (File.Exists(cachePath))
        {
            try
            {
                return await ReadAsync(cachePath, cancellationToken);
            }
            catch (InvalidDataException)
            {
                // A cache this version cannot read (or a damaged one) is rebuilt from the zip.
            }
        }

        var pixels = await ImageDecoder.ReadZipAsync(zipPath, fileName, size, new ImageZipOptions(), cancellationToken);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(cachePath))!);
        var temporary = $"{cachePath}.{Guid.NewGuid():N}.tmp";
        try
        {
            await WriteAsync(pixels, temporary, cancellationToken);
            File.Move(temporary, cachePath, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }

        return pixels;
    }

    public static async Task WriteAsync(ImagePixels pixels, string path, CancellationToken cancellationToken)
    {
        await using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(Magic);
            writer.Write(pixels.Count);
            writer.Write(pixels.Channels);
            writer.Write(pixels.Height);
            writer.Write(pixels.Width);
            writer.Write(pixels.Classes.Count);
            foreach (var name in pixels.Classes)
            {
                writer.Write(name);
            }

            foreach (var label in pixels.Labels)
            {
                writer.Write(label);
            }
        }

        await stream.WriteAsync(pixels.Pixels, cancellationToken);
    }

    /// <exception cref="InvalidDataException">The file is not a cache of this version, or it is cut short.</exception>
    public static async Task<ImagePixels> ReadAsync(string path, CancellationToken cancellationToken)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
        try
        {
            using var reader = new BinaryReader(stream, Encoding.UTF8, leaveOpen: true);
            if (reader.ReadString() != Magic)
            {
                throw new InvalidDataException($"'{path}' is not an image cache of this version.");
            }

            var (count, channels, height, width, classCount) = (reader.ReadInt32(), reader.ReadInt32(), reader.ReadInt32(), reader.ReadInt32(), reader.ReadInt32());
            if (count < 0 || channels is not (1 or 3) || height < 1 || width < 1 || classCount < 1)
            {
                throw new InvalidDataException($"'{path}' has a damaged header.");
            }

            var classes = Enumerable.Range(0, classCount).Select(_ => reader.ReadString()).ToList();
            var labels = Enumerable.Range(0, count).Select(_ => reader.ReadInt32()).ToArray();
            var pixels = new byte[(long)count * channels * height * width];
            await stream.ReadExactlyAsync(pixels, cancellationToken);
            if (labels.Any(l => l < 0 || l >= classCount))
            {
                throw new InvalidDataException($"'{path}' has a label outside its classes.");
            }

            return new ImagePixels(classes, count, channels, height, width, pixels, labels);
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException($"'{path}' is cut short.", e);
        }
    }
}
