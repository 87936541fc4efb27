namespace AutoDL.Core.Datasets;

/// <summary>Where each field of the current record lies, relative to the record's first character.</summary>
internal sealed class CsvFieldList
{
    private int[] _starts = new int[32];
    private int[] _lengths = new int[32];
    private int[] _tails = new int[32];
    private int[] _fixups = new int[8];
    private int _fixupCount;

    public int Count { get; private set; }

    public ReadOnlySpan<char> Field(ReadOnlySpan<char> record, int index) => record.Slice(_starts[index], _lengths[index]);

    public void Clear()
    {
        Count = 0;
        _fixupCount = 0;
    }

    public void Add(int start, int length)
    {
        if (Count == _starts.Length)
        {
            Array.Resize(ref _starts, Count * 2);
            Array.Resize(ref _lengths, Count * 2);
            Array.Resize(ref _tails, Count * 2);
        }

        _starts[Count] = start;
        _lengths[Count] = length;
        Count++;
    }

    /// <summary>
    /// Adds a quoted field whose text still holds doubled quotes (<c>""</c>) or characters after its closing quote:
    /// <paramref name="contentLength"/> characters between the quotes, then <paramref name="tailLength"/> characters
    /// after the closing quote (kept as they are). <see cref="ApplyFixups"/> rewrites it in place once the record is whole.
    /// </summary>
    public void AddQuotedWithFixup(int contentStart, int contentLength, int tailLength)
    {
        if (_fixupCount == _fixups.Length)
        {
            Array.Resize(ref _fixups, _fixupCount * 2);
        }

        _fixups[_fixupCount++] = Count;
        Add(contentStart, contentLength);
        _tails[Count - 1] = tailLength;
    }

    /// <summary>Turns <c>""</c> into <c>"</c> and joins any text after the closing quote, in place; fields only shrink.</summary>
    public void ApplyFixups(Span<char> record)
    {
        for (var f = 0; f < _fixupCount; f++)
        {
            var index = _fixups[f];
            var start = _starts[index];
            var end = start + _lengths[index];
            var write = start;
            for (var read = start; read < end; read++)
            {
                record[write++] = record[read];
                if (record[read] == '"')
                {
                    read++;
                }
            }

            var tail = _tails[index];
            record.Slice(end + 1, tail).CopyTo(record[write..]);
            _lengths[index] = write - start + tail;
        }

        _fixupCount = 0;
    }
}
