using System.Globalization;
using System.Text;

namespace AutoDL.Core.Tests.Datasets;

/// <summary>
/// A CSV file of about <c>size</c> bytes that exists only while it is read: each row is written into a small buffer
/// when the reader gets to it, by hand and without allocating (so the test measures the reader, not the generator).
/// It cannot seek, and it counts the bytes it hands out.
/// Columns: id (unique), amount (two decimals), region (6 labels), active (yes/no), day (ISO date), note (10% NA).
/// </summary>
internal sealed class GeneratedCsvStream : ForwardOnlyStream
{
    private static readonly byte[] Header = "id,amount,region,active,day,note\n"u8.ToArray();
    private static readonly byte[][] Regions = ["north,"u8.ToArray(), "south,"u8.ToArray(), "east,"u8.ToArray(), "west,"u8.ToArray(), "central,"u8.ToArray(), "abroad,"u8.ToArray()];
    private static readonly byte[][] Actives = ["yes,"u8.ToArray(), "no,"u8.ToArray()];
    private static readonly byte[][] Notes = ["NA\n"u8.ToArray(), "late\n"u8.ToArray(), "ok\n"u8.ToArray()];
    private static readonly byte[][] Days = Enumerable.Range(0, 1000)
        .Select(d => Encoding.ASCII.GetBytes(new DateTime(2020, 1, 1).AddDays(d).ToString("yyyy-MM-dd,", CultureInfo.InvariantCulture)))
        .ToArray();

    private readonly long _size;
    private readonly byte[] _row = new byte[256];
    private int _rowStart;
    private int _rowEnd;
    private long _bytesGenerated;

    public GeneratedCsvStream(long size) => _size = size;

    public long BytesRead { get; private set; }

    public long RowsWritten { get; private set; }

    public override int Read(Span<byte> buffer)
    {
        var copied = 0;
        while (copied < buffer.Length)
        {
            if (_rowStart == _rowEnd && !NextRow())
            {
                break;
            }

            var count = Math.Min(buffer.Length - copied, _rowEnd - _rowStart);
            _row.AsSpan(_rowStart, count).CopyTo(buffer[copied..]);
            _rowStart += count;
            copied += count;
        }

        BytesRead += copied;
        return copied;
    }

    private bool NextRow()
    {
        if (_bytesGenerated >= _size)
        {
            return false;
        }

        int length;
        if (_bytesGenerated == 0)
        {
            Header.CopyTo(_row, 0);
            length = Header.Length;
        }
        else
        {
            var i = ++RowsWritten;
            var row = _row.AsSpan();
            length = WriteDigits(row, i);
            row[length++] = (byte)',';
            var cents = i * 7919 % 100_000;
            length += WriteDigits(row[length..], cents / 100);
            row[length++] = (byte)'.';
            row[length++] = (byte)('0' + cents / 10 % 10);
            row[length++] = (byte)('0' + cents % 10);
            row[length++] = (byte)',';
            length += Append(row[length..], Regions[i % Regions.Length]);
            length += Append(row[length..], Actives[i % 2]);
            length += Append(row[length..], Days[i % Days.Length]);
            length += Append(row[length..], Notes[i % 10 == 0 ? 0 : i % 3 == 0 ? 1 : 2]);
        }

        _bytesGenerated += length;
        _rowStart = 0;
        _rowEnd = length;
        return true;
    }

    private static int Append(Span<byte> target, byte[] bytes)
    {
        bytes.CopyTo(target);
        return bytes.Length;
    }

    private static int WriteDigits(Span<byte> target, long value)
    {
        var digits = 1;
        for (var rest = value; rest >= 10; rest /= 10)
        {
            digits++;
        }

        for (var p = digits - 1; p >= 0; p--)
        {
            target[p] = (byte)('0' + value % 10);
            value /= 10;
        }

        return digits;
    }
}
