namespace AutoDL.Core.Datasets;

/// <summary>
/// Rows copied out of the reader's buffer so that other threads can profile them while the reader moves on, stored
/// column by column: each column's values one after another in its own buffer, so that profiling a column reads
/// contiguous memory.
/// </summary>
internal sealed class RowBatch
{
    private const int TextLimit = 4 * 1024 * 1024;

    private readonly char[][] _text;
    private readonly int[][] _ends;
    private int _textLength;

    public RowBatch(int columns, int capacity)
    {
        Columns = columns;
        Capacity = capacity;
        _text = new char[columns][];
        _ends = new int[columns][];
        for (var c = 0; c < columns; c++)
        {
            _text[c] = new char[capacity * 8];
            _ends[c] = new int[capacity];
        }

        SampleSlots = new int[capacity];
    }

    public int Columns { get; }

    public int Capacity { get; }

    public int Count { get; private set; }

    /// <summary>Per row, its slot in the row sample, or -1.</summary>
    public int[] SampleSlots { get; }

    public bool IsFull => Count == Capacity || _textLength >= TextLimit;

    /// <summary>Column <paramref name="column"/>'s values, one after another.</summary>
    public char[] Text(int column) => _text[column];

    /// <summary>Where each of column <paramref name="column"/>'s values ends in its <see cref="Text"/> (and the next starts).</summary>
    public int[] Ends(int column) => _ends[column];

    public void Clear()
    {
        Count = 0;
        _textLength = 0;
    }

    /// <summary>Copies a row in.</summary>
    public void Add(CsvRow row, int sampleSlot)
    {
        var r = Count;
        for (var c = 0; c < Columns; c++)
        {
            var value = row[c];
            var ends = _ends[c];
            var start = r == 0 ? 0 : ends[r - 1];
            var end = start + value.Length;
            var text = _text[c];
            if (end > text.Length)
            {
                Array.Resize(ref _text[c], Math.Max(text.Length * 2, end));
                text = _text[c];
            }

            value.CopyTo(text.AsSpan(start));
            ends[r] = end;
            _textLength += value.Length;
        }

        SampleSlots[r] = sampleSlot;
        Count++;
    }

    /// <summary>Each row's 64-bit hash of its values, into <paramref name="hashes"/>; reads the batch column by column.</summary>
    public void HashRows(Span<RowHash> hashes)
    {
        hashes = hashes[..Count];
        hashes.Fill(new RowHash());
        for (var c = 0; c < Columns; c++)
        {
            var text = _text[c];
            var ends = _ends[c];
            var start = 0;
            for (var r = 0; r < hashes.Length; r++)
            {
                var end = ends[r];
                hashes[r].Append(text.AsSpan(start, end - start));
                start = end;
            }
        }
    }
}
