namespace AutoDL.Core.Datasets;

/// <summary>Count, range, mean and variance (shifted sums) and the exact fine histogram of a column's finite numbers.</summary>
internal sealed class NumericAccumulator
{
    // Sums of x - shift and its square, shifted by the first value so that they stay accurate away from zero.
    private double _shift;
    private double _sum;
    private double _squares;

    public FineHistogram Histogram { get; } = new();

    public long Count { get; private set; }

    public double Min { get; private set; } = double.PositiveInfinity;

    public double Max { get; private set; } = double.NegativeInfinity;

    public double Mean => _shift + _sum / Count;

    /// <summary>Sample standard deviation; null with fewer than two values.</summary>
    public double? Std => Count < 2 ? null : Math.Sqrt(Math.Max(0, (_squares - _sum * _sum / Count) / (Count - 1)));

    public void Add(double x)
    {
        if (!double.IsFinite(x))
        {
            return;
        }

        if (Count == 0)
        {
            _shift = x;
        }

        Count++;
        var d = x - _shift;
        _sum += d;
        _squares += d * d;
        if (x < Min)
        {
            Min = x;
        }

        if (x > Max)
        {
            Max = x;
        }

        Histogram.Add(x);
    }
}
