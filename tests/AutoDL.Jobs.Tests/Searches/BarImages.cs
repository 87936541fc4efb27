using System.IO.Compression;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace AutoDL.Jobs.Tests.Searches;

/// <summary>A zip of two class folders of 8×8 grey PNGs: a bright bar in the top rows ("top") or the bottom rows ("bottom").</summary>
public static class BarImages
{
    public static byte[] Zip(int perClass, int seed = 1)
    {
        var random = new Random(seed);
        using var bytes = new MemoryStream();
        using (var zip = new ZipArchive(bytes, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, rows) in new[] { ("top", (0, 3)), ("bottom", (5, 8)) })
            {
                for (var i = 0; i < perClass; i++)
                {
                    using var stream = zip.CreateEntry($"{name}/{i:000}.png").Open();
                    stream.Write(Png(random.Next(rows.Item1, rows.Item2), random));
                }
            }
        }

        return bytes.ToArray();
    }

    /// <summary>One image with its bar at <paramref name="row"/>, as PNG bytes.</summary>
    public static byte[] Png(int row, Random random)
    {
        using var image = new Image<L8>(8, 8);
        for (var y = 0; y < 8; y++)
        {
            for (var x = 0; x < 8; x++)
            {
                image[x, y] = new L8((byte)(y == row ? 200 + random.Next(55) : random.Next(60)));
            }
        }

        using var stream = new MemoryStream();
        image.SaveAsPng(stream);
        return stream.ToArray();
    }
}
