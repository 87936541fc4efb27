using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace AutoDL.Core.Datasets.Images;

/// <summary>
/// Every readable image of a zip of class folders, decoded once and resized to <see cref="Height"/> × <see cref="Width"/>:
/// bytes row-major <c>[N, C, H, W]</c> (C = 1 when every image is grey, else 3: red, green, blue) and each image's class
/// index, in the zip's order. What neural networks train on.
/// </summary>
public sealed record ImagePixels(IReadOnlyList<string> Classes, int Count, int Channels, int Height, int Width, byte[] Pixels, int[] Labels)
{
    /// <summary>Bytes of one image.</summary>
    public int ImageBytes => Channels * Height * Width;
}

/// <summary>Decodes images for neural networks: whole zips (<see cref="ReadZipAsync"/>) and single images to predict (<see cref="Decode"/>).</summary>
public static class ImageDecoder
{
    /// <summary>Images at most this many pixels on a side keep their size; larger ones are resized to it.</summary>
    public const int DefaultMaxSize = 64;

    /// <summary>
    /// The side images of a dataset are resized to when none is configured: the largest side of its images when at most
    /// <see cref="DefaultMaxSize"/>, else <see cref="DefaultMaxSize"/>.
    /// </summary>
    public static int DefaultSize(ImageSizeStatistics sizes) => Math.Clamp(Math.Max(sizes.MaxWidth, sizes.MaxHeight), 1, DefaultMaxSize);

    /// <summary>Decodes every readable image of the zip (the same images, in the same order, as <see cref="ImageZipScanner"/> counts), squeezed to <paramref name="size"/> × <paramref name="size"/>.</summary>
    /// <param name="fileName">Names the zip in messages, as the user gave it.</param>
    /// <exception cref="DatasetFormatException">The zip is refused, as <see cref="ImageZipScanner.ScanAsync"/> would refuse it.</exception>
    public static async Task<ImagePixels> ReadZipAsync(string zipPath, string fileName, int size, ImageZipOptions options, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        using var zip = ImageZipArchive.Open(zipPath, fileName, options);
        var rgb = new List<byte[]>();
        var labels = new List<int>();
        var grey = true;
        var counts = new int[zip.Classes.Count];
        var skipped = zip.Classes.Select(_ => new List<string>()).ToArray();
        foreach (var candidate in zip.Candidates)
        {
            using var decoded = await zip.ReadAsync(candidate, file => skipped[candidate.ClassIndex].Add(file.Path), cancellationToken);
            if (decoded is null)
            {
                continue;
            }

            var pixels = Rgb(decoded.Image, size, out var isGrey);
            grey &= isGrey;
            rgb.Add(pixels);
            labels.Add(candidate.ClassIndex);
            counts[candidate.ClassIndex]++;
        }

        for (var i = 0; i < counts.Length; i++)
        {
            if (counts[i] == 0)
            {
                throw zip.ClassWithoutImages(zip.Classes[i], skipped[i]);
            }
        }

        var channels = grey ? 1 : 3;
        var plane = size * size;
        var all = new byte[rgb.Count * channels * plane];
        for (var n = 0; n < rgb.Count; n++)
        {
            Planar(rgb[n], channels, all.AsSpan(n * channels * plane, channels * plane));
        }

        return new ImagePixels(zip.Classes, rgb.Count, channels, size, size, all, [.. labels]);
    }

    /// <summary>One image file's bytes as <c>[C, size, size]</c> (C 1: grey, 3: red, green, blue), resized as a dataset's images are.</summary>
    /// <exception cref="InvalidDataException">The bytes are not a PNG, JPEG, BMP, GIF or WebP image, or it is damaged.</exception>
    public static byte[] Decode(ReadOnlySpan<byte> file, int channels, int size)
    {
        Image image;
        try
        {
            image = Image.Load(ImageZipArchive.Formats, file);
        }
        catch (Exception e) when (e is UnknownImageFormatException or ImageFormatException or NotSupportedException or InvalidImageContentException or ArgumentException)
        {
            throw new InvalidDataException("it is not a PNG, JPEG, BMP, GIF or WebP image, or it is damaged", e);
        }

        using (image)
        {
            var rgb = Rgb(image, size, out _);
            var result = new byte[channels * size * size];
            Planar(rgb, channels, result);
            return result;
        }
    }

    /// <summary>A PNG of one image given as <c>[C, H, W]</c> bytes (C 1 or 3), as <see cref="ImagePixels"/> holds them.</summary>
    public static byte[] EncodePng(ReadOnlySpan<byte> planar, int channels, int height, int width)
    {
        var plane = height * width;
        var rgb = new byte[plane * 3];
        for (var p = 0; p < plane; p++)
        {
            for (var c = 0; c < 3; c++)
            {
                rgb[3 * p + c] = planar[(channels == 1 ? 0 : c) * plane + p];
            }
        }

        using var image = Image.LoadPixelData<Rgb24>(rgb, width, height);
        using var stream = new MemoryStream();
        image.SaveAsPng(stream);
        return stream.ToArray();
    }

    /// <summary>Interleaved RGB bytes of the image squeezed to size × size; whether every pixel is grey.</summary>
    private static byte[] Rgb(Image image, int size, out bool grey)
    {
        using var rgb = image.CloneAs<Rgb24>();
        if (rgb.Width != size || rgb.Height != size)
        {
            rgb.Mutate(x => x.Resize(size, size));
        }

        var bytes = new byte[size * size * 3];
        rgb.CopyPixelDataTo(bytes);
        grey = true;
        for (var i = 0; i < bytes.Length && grey; i += 3)
        {
            grey = bytes[i] == bytes[i + 1] && bytes[i] == bytes[i + 2];
        }

        return bytes;
    }

    /// <summary>Interleaved RGB to planar: three planes, or one (the red plane, which equals the others when grey, or their luminance when not).</summary>
    private static void Planar(byte[] rgb, int channels, Span<byte> destination)
    {
        var plane = rgb.Length / 3;
        if (channels == 1)
        {
            for (var p = 0; p < plane; p++)
            {
                var (r, g, b) = (rgb[3 * p], rgb[3 * p + 1], rgb[3 * p + 2]);
                destination[p] = r == g && g == b ? r : (byte)Math.Clamp((int)Math.Round(0.299 * r + 0.587 * g + 0.114 * b), 0, 255);
            }

            return;
        }

        for (var p = 0; p < plane; p++)
        {
            destination[p] = rgb[3 * p];
            destination[plane + p] = rgb[3 * p + 1];
            destination[2 * plane + p] = rgb[3 * p + 2];
        }
    }
}
