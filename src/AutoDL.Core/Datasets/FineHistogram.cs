namespace AutoDL.Core.Datasets;

/// <summary>
/// Counts every value of a numeric column in one pass and bounded memory, without knowing its range in advance:
/// <see cref="Width"/> consecutive bins of width 2^<c>e</c>, bin <c>k</c> holding [k·2^e, (k+1)·2^e). When a value falls
/// outside the window, the window moves to centre the values seen, and where they no longer fit the bins merge in
/// pairs (e grows), which keeps every count exact: floor(floor(x/2^e)/2) = floor(x/2^(e+1)). At the end the values span
/// between about <see cref="Width"/>/4 and <see cref="Width"/> bins, and whole groups of them make the histogram
/// (equal widths, exact counts) and bound where each quantile lies.
/// </summary>
internal sealed class FineHistogram
{
    public const int Width = 4096;

    // Bins stay at least this fine: 2^MinExponent keeps x·2^-e finite and exact for every double that is not subnormal.
    private const int MinExponent = -1022;

    private readonly long[] _counts = new long[Width];
    private double _base;
    private int _exponent;
    private double _scale;
    private double _min = double.PositiveInfinity;
    private double _max = double.NegativeInfinity;
    private long _count;

    public long Count => _count;

    /// <summary>Adds a finite value.</summary>
    public void Add(double x)
    {
        if (_count == 0)
        {
            Start(x);
        }

        var offset = Math.Floor(x * _scale) - _base;
        if (offset >= 0 && offset < Width)
        {
            _counts[(int)offset]++;
        }
        else
        {
            Grow(x);
            _counts[(int)(Math.Floor(x * _scale) - _base)]++;
        }

        if (x < _min)
        {
            _min = x;
        }

        if (x > _max)
        {
            _max = x;
        }

        _count++;
    }

    /// <summary>
    /// About <paramref name="bins"/> equal-width bins from the first non-empty fine bin to the last: whole groups of fine
    /// bins, so every count is exact. <paramref name="wholeWidths"/>: widths are whole numbers (an integer column).
    /// </summary>
    public List<HistogramBin> Bins(int bins, bool wholeWidths)
    {
        if (_count == 0)
        {
            return [];
        }

        if (_min == _max)
        {
            return [new HistogramBin(_min, _max, _count)];
        }

        var first = Array.FindIndex(_counts, c => c > 0);
        var last = Array.FindLastIndex(_counts, c => c > 0);
        var span = last - first + 1;
        var group = (span + bins - 1) / bins;
        if (wholeWidths && _exponent < 0 && _exponent > -31)
        {
            var perUnit = 1 << -_exponent;
            group = (group + perUnit - 1) / perUnit * perUnit;
        }

        var result = new List<HistogramBin>(bins);
        for (var start = first; start <= last; start += group)
        {
            long count = 0;
            for (var k = start; k < start + group && k <= last; k++)
            {
                count += _counts[k];
            }

            result.Add(new HistogramBin(Edge(start), Edge(start + group), count));
        }

        return result;
    }

    /// <summary>The fine bin [lower, upper) that holds the value of 0-based rank <paramref name="rank"/> in sorted order.</summary>
    public (double Lower, double Upper) BinOfRank(long rank)
    {
        long seen = 0;
        for (var k = 0; k < Width; k++)
        {
            seen += _counts[k];
            if (seen > rank)
            {
                return (Math.Max(Edge(k), _min), Math.Min(Edge(k + 1), _max));
            }
        }

        return (_max, _max);
    }

    private double Edge(int bin) => Math.ScaleB(_base + bin, _exponent);

    private void Start(double x)
    {
        _exponent = x == 0 ? MinExponent : Math.Max(MinExponent, Math.ILogB(x) - 52);
        _scale = Math.ScaleB(1.0, -_exponent);
        _base = Math.Floor(x * _scale) - Width / 2;
    }

    /// <summary>Moves the window (and merges bins where needed) so that it holds every value so far and <paramref name="x"/>.</summary>
    private void Grow(double x)
    {
        var min = Math.Min(_min, x);
        var max = Math.Max(_max, x);
        var exponent = Math.Max(_exponent, Math.Max(Math.ILogB(Math.Max(Math.Abs(min), Math.Abs(max))) - 52, MinExponent));

        // Fewer than Width - 1 bins between min and max; halves keep max - min from overflowing.
        var halfSpan = max / 2 - min / 2;
        exponent = Math.Max(exponent, (int)Math.Ceiling(Math.Log2(halfSpan / (Width - 2))) + 1);
        while (Math.Floor(Math.ScaleB(max, -exponent)) - Math.Floor(Math.ScaleB(min, -exponent)) >= Width - 1)
        {
            exponent++;
        }

        var shift = Math.ScaleB(1.0, _exponent - exponent);
        var low = Math.Floor(Math.ScaleB(min, -exponent));
        var high = Math.Floor(Math.ScaleB(max, -exponent));
        var newBase = low - Math.Floor((Width - (high - low + 1)) / 2);

        var old = new long[Width];
        Array.Copy(_counts, old, Width);
        Array.Clear(_counts);
        for (var k = 0; k < Width; k++)
        {
            if (old[k] != 0)
            {
                _counts[(int)(Math.Floor((_base + k) * shift) - newBase)] += old[k];
            }
        }

        _exponent = exponent;
        _scale = Math.ScaleB(1.0, -exponent);
        _base = newBase;
    }
}
