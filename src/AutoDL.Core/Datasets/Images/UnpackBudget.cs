using System.Buffers;

namespace AutoDL.Core.Datasets.Images;

/// <summary>
/// Counts the bytes actually decompressed from a zip, entry by entry and all together, so that a header that lies
/// about an entry's size cannot make it unpack more than it declared, nor the zip more than its limit.
/// </summary>
internal sealed class UnpackBudget(string fileName, long maxTotalBytes)
{
    private const int ChunkBytes = 81920;

    /// <summary>Bytes decompressed so far, all entries together.</summary>
    public long BytesRead { get; private set; }

    /// <summary>Reads an entry's stream to its end into memory; <paramref name="declaredBytes"/> is the size its header gives.</summary>
    /// <exception cref="DatasetFormatException">The entry holds more than it declared, or the zip went past its limit.</exception>
    public async Task<byte[]> ReadAsync(Stream entry, long declaredBytes, string path, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream((int)Math.Clamp(declaredBytes, 0, ChunkBytes * 16));
        var chunk = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        try
        {
            long read = 0;
            int n;
            while ((n = await entry.ReadAsync(chunk.AsMemory(0, ChunkBytes), cancellationToken)) > 0)
            {
                read += n;
                BytesRead += n;
                if (read > declaredBytes)
                {
                    throw ImageZipArchive.Refuse(fileName,
                        $"The entry '{path}' unpacks to more data than the zip says it holds ({ImageZipArchive.Bytes(declaredBytes)}), "
                        + "as a zip bomb does. Zip the image folders again with an ordinary zip tool.");
                }

                if (BytesRead > maxTotalBytes)
                {
                    throw ImageZipArchive.Refuse(fileName,
                        $"Unpacking the zip went past the {ImageZipArchive.Bytes(maxTotalBytes)} allowed at the entry '{path}', "
                        + "as a zip bomb does. Upload fewer or smaller images.");
                }

                buffer.Write(chunk, 0, n);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        return buffer.ToArray();
    }
}
