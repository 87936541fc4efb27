namespace AutoDL.Core.Datasets;

/// <summary>
/// Everything one column's profile needs, gathered value by value in bounded memory: its type inference (with value
/// counts, for top values), numbers (for every value while the column may still be numeric or boolean), the range of
/// date values, and its cells of the row sample (the number, and the counted value's slot for categories).
/// </summary>
internal sealed class ColumnProfiler
{
    private const int MaxDateLength = 64;

    private readonly char[] _minDate = new char[MaxDateLength];
    private readonly char[] _maxDate = new char[MaxDateLength];
    private int _minDateLength = -1;
    private int _maxDateLength = -1;
    private double[] _sampleNumbers = new double[256];
    private int[] _sampleSlots = new int[256];

    private readonly int _sampleCapacity;

    public ColumnProfiler(DatasetScanOptions options, int sampleCapacity)
    {
        Inference = new ColumnInference(options, countAfterCap: true);
        _sampleCapacity = sampleCapacity;
    }

    public ColumnInference Inference { get; }

    public NumericAccumulator Numbers { get; } = new();

    /// <summary>Per sample slot: the value's number (a boolean reads 1 or 0), NaN when missing or not a number.</summary>
    public ReadOnlySpan<double> SampleNumbers(int rows) => _sampleNumbers.AsSpan(0, rows);

    /// <summary>Per sample slot: the slot of the value's count in the inference, -1 when missing or not counted.</summary>
    public ReadOnlySpan<int> SampleSlots(int rows) => _sampleSlots.AsSpan(0, rows);

    public DatetimeRange? DateRange => _minDateLength < 0
        ? null
        : new DatetimeRange(new string(_minDate, 0, _minDateLength), new string(_maxDate, 0, _maxDateLength));

    /// <summary>Observes this column's value in each row of the batch.</summary>
    public void ObserveBatch(RowBatch batch, int column)
    {
        var text = batch.Text(column);
        var ends = batch.Ends(column);
        var slots = batch.SampleSlots;
        var start = 0;
        for (var row = 0; row < batch.Count; row++)
        {
            var end = ends[row];
            Observe(text.AsSpan(start, end - start), slots[row]);
            start = end;
        }
    }

    public void Observe(ReadOnlySpan<char> value, int sampleSlot)
    {
        value = value.Trim();
        var seen = Inference.ObserveTrimmed(value);
        if (!seen.IsMissing)
        {
            // Booleans such as yes/no read 1 and 0 for the sample, but only a column that may be numeric needs statistics.
            if (Inference.MaybeNumeric && !double.IsNaN(seen.Number))
            {
                Numbers.Add(seen.Number);
            }

            if (Inference.MaybeDateTime)
            {
                ObserveDate(value);
            }
        }

        if (sampleSlot >= 0)
        {
            if (sampleSlot >= _sampleNumbers.Length)
            {
                // Straight to the sample's full size once it is large: the file is long enough to fill it.
                var size = _sampleNumbers.Length >= _sampleCapacity / 8 ? _sampleCapacity : Math.Max(_sampleNumbers.Length * 2, sampleSlot + 1);
                Array.Resize(ref _sampleNumbers, size);
                Array.Resize(ref _sampleSlots, _sampleNumbers.Length);
            }

            _sampleNumbers[sampleSlot] = seen.Number;
            _sampleSlots[sampleSlot] = seen.Slot;
        }
    }

    private void ObserveDate(ReadOnlySpan<char> value)
    {
        if (value.Length > MaxDateLength)
        {
            return;
        }

        if (_minDateLength < 0 || CompareIso(value, _minDate.AsSpan(0, _minDateLength)) < 0)
        {
            value.CopyTo(_minDate);
            _minDateLength = value.Length;
        }

        if (_maxDateLength < 0 || CompareIso(value, _maxDate.AsSpan(0, _maxDateLength)) > 0)
        {
            value.CopyTo(_maxDate);
            _maxDateLength = value.Length;
        }
    }

    /// <summary>ISO-like dates in time order: <c>/</c> reads as <c>-</c> and <c>T</c> as a space, so layouts can mix.</summary>
    internal static int CompareIso(ReadOnlySpan<char> a, ReadOnlySpan<char> b)
    {
        var length = Math.Min(a.Length, b.Length);
        for (var i = 0; i < length; i++)
        {
            var x = Normal(a[i]);
            var y = Normal(b[i]);
            if (x != y)
            {
                return x - y;
            }
        }

        return a.Length - b.Length;

        static char Normal(char c) => c switch
        {
            '/' => '-',
            'T' => ' ',
            _ => c,
        };
    }
}
