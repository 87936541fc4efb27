using System.IO.Compression;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace AutoDL.Core.Tests.Datasets.Images;

/// <summary>Builds zips of image folders in memory with tiny images that ImageSharp encodes, then writes them to a temporary file.</summary>
internal sealed class ImageZip
{
    private readonly MemoryStream _bytes = new();
    private readonly ZipArchive _zip;

    public ImageZip()
    {
        _zip = new ZipArchive(_bytes, ZipArchiveMode.Create, leaveOpen: true);
    }

    /// <summary>Adds an image of <paramref name="format"/> (png, jpeg, bmp, gif or webp), one colour.</summary>
    public ImageZip Image(string path, string format = "png", int width = 8, int height = 8) =>
        File(path, Encode(format, width, height));

    public ImageZip Images(string folder, int count, string format = "png")
    {
        for (var i = 1; i <= count; i++)
        {
            Image($"{folder}/{i:000}.{(format == "jpeg" ? "jpg" : format)}", format);
        }

        return this;
    }

    public ImageZip File(string path, byte[] bytes, CompressionLevel level = CompressionLevel.Optimal, Action<ZipArchiveEntry>? configure = null)
    {
        var entry = _zip.CreateEntry(path, level);
        configure?.Invoke(entry);
        using var stream = entry.Open();
        stream.Write(bytes);
        return this;
    }

    public ImageZip Text(string path, string text) => File(path, System.Text.Encoding.UTF8.GetBytes(text));

    public byte[] ToBytes()
    {
        _zip.Dispose();
        return _bytes.ToArray();
    }

    public static byte[] Encode(string format, int width = 8, int height = 8)
    {
        using var image = new Image<Rgba32>(width, height, new Rgba32(200, 40, 40));
        image[0, 0] = new Rgba32(10, 200, 10);
        using var stream = new MemoryStream();
        switch (format)
        {
            case "png": image.SaveAsPng(stream); break;
            case "jpeg": image.SaveAsJpeg(stream); break;
            case "bmp": image.SaveAsBmp(stream); break;
            case "gif": image.SaveAsGif(stream); break;
            case "webp": image.SaveAsWebp(stream); break;
            default: throw new ArgumentOutOfRangeException(nameof(format), format, "no such test format");
        }

        return stream.ToArray();
    }
}
