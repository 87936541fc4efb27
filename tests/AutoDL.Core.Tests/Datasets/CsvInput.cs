using System.Text;
using AutoDL.Core.Datasets;

namespace AutoDL.Core.Tests.Datasets;

/// <summary>Builds CSV files in memory for the tests and reads them back.</summary>
internal static class CsvInput
{
    public static Stream Utf8(string text) => new MemoryStream(Encoding.UTF8.GetBytes(text));

    public static Stream Bytes(byte[] bytes, int bytesPerRead = int.MaxValue) => new ChunkedStream(bytes, bytesPerRead);

    public static byte[] Encode(string text, Encoding encoding, bool byteOrderMark) =>
        byteOrderMark ? [.. encoding.GetPreamble(), .. encoding.GetBytes(text)] : encoding.GetBytes(text);

    public static Task<DatasetSchema> ScanAsync(string text, DatasetScanOptions? options = null) =>
        CsvScanner.ScanAsync(Utf8(text), "data.csv", options ?? new DatasetScanOptions(), CancellationToken.None);

    public static Task<DatasetFormatException> ScanFailsAsync(Stream stream, string fileName = "sales.csv") =>
        Assert.ThrowsAsync<DatasetFormatException>(() => CsvScanner.ScanAsync(stream, fileName, CancellationToken.None));

    public static Task<DatasetFormatException> ScanFailsAsync(string text, string fileName = "sales.csv") =>
        ScanFailsAsync(Utf8(text), fileName);

    /// <summary>Every row the reader returns, its values copied to strings, and the reader's facts.</summary>
    public static async Task<ReadResult> ReadAsync(Stream stream)
    {
        using var reader = await CsvReader.OpenAsync(stream, "data.csv", CancellationToken.None);
        var rows = new List<ReadRow>();
        while (await reader.ReadAsync(CancellationToken.None))
        {
            rows.Add(Copy(reader.Current));
        }

        return new ReadResult(reader.Format, reader.ColumnNames, rows, reader.Warnings);
    }

    public static Task<ReadResult> ReadAsync(string text) => ReadAsync(Utf8(text));

    private static ReadRow Copy(CsvRow row)
    {
        var values = new string[row.Count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = row[i].ToString();
        }

        return new ReadRow(row.Number, row.Line, values);
    }
}

internal sealed record ReadRow(long Number, long Line, string[] Values);

internal sealed record ReadResult(CsvFormat Format, IReadOnlyList<string> ColumnNames, List<ReadRow> Rows, IReadOnlyList<string> Warnings)
{
    public string[][] Values => Rows.Select(r => r.Values).ToArray();
}

/// <summary>A read-only stream that cannot seek and hands out at most a given number of bytes per read.</summary>
internal sealed class ChunkedStream(byte[] bytes, int bytesPerRead) : ForwardOnlyStream
{
    private int _position;

    public override int Read(Span<byte> buffer)
    {
        var count = Math.Min(Math.Min(buffer.Length, bytesPerRead), bytes.Length - _position);
        bytes.AsSpan(_position, count).CopyTo(buffer);
        _position += count;
        return count;
    }
}
