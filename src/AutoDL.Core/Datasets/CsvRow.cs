namespace AutoDL.Core.Datasets;

/// <summary>
/// One data row, its values as spans over the reader's buffer: valid only until the reader moves on. Values are as
/// written in the file, quotes removed (<c>"a ""b"""</c> reads <c>a "b"</c>), not trimmed.
/// </summary>
public readonly ref struct CsvRow
{
    private readonly ReadOnlySpan<char> _record;
    private readonly CsvFieldList _fields;

    internal CsvRow(ReadOnlySpan<char> record, CsvFieldList fields, long number, long line)
    {
        _record = record;
        _fields = fields;
        Number = number;
        Line = line;
    }

    /// <summary>Values in the row; always the number of columns.</summary>
    public int Count => _fields.Count;

    /// <summary>1-based data row number (the column names row is not counted).</summary>
    public long Number { get; }

    /// <summary>1-based line of the file where the row starts.</summary>
    public long Line { get; }

    public ReadOnlySpan<char> this[int index]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)_fields.Count, nameof(index));
            return _fields.Field(_record, index);
        }
    }
}
