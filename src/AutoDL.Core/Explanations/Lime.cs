using System.Globalization;
using AutoDL.Core.Search.Tpe;

namespace AutoDL.Core.Explanations;

public sealed record LimeOptions
{
    /// <summary>Perturbed rows per explanation (the first is the explained row itself).</summary>
    public int Samples { get; init; } = 5000;

    /// <summary>The exponential kernel's width on the binary representation; null: 0.75 · √columns, as lime.</summary>
    public double? KernelWidth { get; init; }

    /// <summary>The ridge surrogate's penalty (lime uses scikit-learn's <c>Ridge(alpha=1)</c>).</summary>
    public double Alpha { get; init; } = 1;

    /// <summary>How many of the largest |weights| make the top set whose stability is reported.</summary>
    public int TopK { get; init; } = 5;

    /// <summary>Explanations with seeds Seed, Seed + 1, … compared for <see cref="LimeExplanation.Stability"/> (the first is the one reported).</summary>
    public int StabilitySeeds { get; init; } = 5;

    public int Seed { get; init; }

    /// <summary>The most rows per call of the model.</summary>
    public int BatchRows { get; init; } = 16384;
}

/// <summary>
/// A column's weight in the local surrogate: how much being in the explained row's bin (numeric columns, e.g.
/// <c>"0.25 &lt; age &lt;= 0.5"</c>) or having its value (other columns, e.g. <c>"colour = red"</c>) adds to the score.
/// </summary>
public sealed record LimeWeight(string Column, string Condition, double Weight);

/// <summary>
/// One row's LIME explanation: the surrogate's <see cref="Intercept"/> and <see cref="Weights"/> (one per column, in
/// column order), its <see cref="LocalPrediction"/> at the row against the model's <see cref="Prediction"/>, the local
/// fit <see cref="Score"/> (weighted R² over the perturbed rows) and <see cref="Stability"/>: the mean Jaccard index
/// between the <see cref="TopColumns"/> sets (largest |weight|) of the explanations with each stability seed.
/// </summary>
public sealed record LimeExplanation(
    double Intercept,
    double LocalPrediction,
    double Prediction,
    double Score,
    IReadOnlyList<LimeWeight> Weights,
    IReadOnlyList<string> TopColumns,
    double Stability,
    int Samples);

/// <summary>
/// LIME for tables as lime's <c>LimeTabularExplainer</c> with its defaults: numeric columns discretised into quartile
/// bins of the training rows, perturbed by drawing a bin by its training frequency and a value in it from a normal
/// truncated to the bin (the bin's training mean and standard deviation); other columns by drawing a value by its
/// training frequency. Each perturbed row is 1 where it shares the explained row's bin or value and 0 elsewhere; its
/// weight is √exp(−d²/width²), d the Euclidean distance to all ones; the surrogate is a weighted ridge regression on
/// that binary representation. Missing numeric values form a bin of their own. No feature selection: every column
/// gets a weight.
/// </summary>
public sealed class LimeExplainer
{
    private readonly Scorer _scorer;
    private readonly LimeOptions _options;
    private readonly ColumnSampler[] _columns;
    private readonly IReadOnlyList<string> _names;

    /// <param name="training">Rows to take bins and value frequencies from (the training or background rows).</param>
    public LimeExplainer(Scorer scorer, Rows training, LimeOptions? options = null)
    {
        _scorer = scorer ?? throw new ArgumentNullException(nameof(scorer));
        ArgumentNullException.ThrowIfNull(training);
        if (training.Count == 0)
        {
            throw new ArgumentException("LIME needs training rows.", nameof(training));
        }

        _options = options ?? new LimeOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.Samples, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.StabilitySeeds, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.BatchRows, 1);
        _names = training.Columns;
        _columns = [.. Enumerable.Range(0, training.Columns.Count).Select(c => ColumnSampler.Fit(training.Columns[c], training.Column(c)))];
    }

    /// <summary>Explains each row of <paramref name="rows"/> (the training rows' columns, in the same order).</summary>
    public async Task<IReadOnlyList<LimeExplanation>> ExplainAsync(Rows rows, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var result = new List<LimeExplanation>(rows.Count);
        for (var r = 0; r < rows.Count; r++)
        {
            result.Add(await ExplainAsync(rows, r, cancellationToken).ConfigureAwait(false));
        }

        return result;
    }

    /// <summary>Explains row <paramref name="row"/> of <paramref name="rows"/>.</summary>
    public async Task<LimeExplanation> ExplainAsync(Rows rows, int row, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (!rows.Columns.SequenceEqual(_names, StringComparer.Ordinal))
        {
            throw new ArgumentException("The explained rows must have the training rows' columns, in the same order.", nameof(rows));
        }

        var m = _columns.Length;
        var topCount = Math.Clamp(_options.TopK, 1, m);
        var runs = new List<(Surrogate Fit, HashSet<int> Top)>(_options.StabilitySeeds);
        var buffer = Rows.Empty(_names, _options.Samples);
        for (var run = 0; run < _options.StabilitySeeds; run++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var fit = await FitAsync(rows, row, buffer, new Random(unchecked(_options.Seed + run)), cancellationToken).ConfigureAwait(false);
            var top = Enumerable.Range(0, m).OrderByDescending(c => Math.Abs(fit.Weights[c])).ThenBy(c => c).Take(topCount).ToHashSet();
            runs.Add((fit, top));
        }

        double jaccard = 0;
        var pairs = 0;
        for (var i = 0; i < runs.Count; i++)
        {
            for (var j = i + 1; j < runs.Count; j++)
            {
                var common = runs[i].Top.Count(runs[j].Top.Contains);
                jaccard += common / (double)(2 * topCount - common);
                pairs++;
            }
        }

        var (first, firstTop) = runs[0];
        var weights = Enumerable.Range(0, m)
            .Select(c => new LimeWeight(_names[c], _columns[c].Condition(rows.Value(c, row)), first.Weights[c])).ToArray();
        var topColumns = firstTop.OrderByDescending(c => Math.Abs(first.Weights[c])).ThenBy(c => c).Select(c => _names[c]).ToArray();
        return new LimeExplanation(
            first.Intercept, first.Intercept + first.Weights.Sum(), first.Prediction, first.Score, weights, topColumns,
            pairs == 0 ? 1 : jaccard / pairs, _options.Samples);
    }

    private async Task<Surrogate> FitAsync(Rows rows, int row, Rows buffer, Random random, CancellationToken cancellationToken)
    {
        var n = _options.Samples;
        var m = _columns.Length;
        var binary = new double[n * m];
        for (var c = 0; c < m; c++)
        {
            var own = rows.Value(c, row);
            var target = buffer.Column(c);
            var sampler = _columns[c];
            var ownCode = sampler.Code(own);
            target[0] = own;
            binary[c] = 1;
            for (var s = 1; s < n; s++)
            {
                var code = sampler.DrawCode(random);
                target[s] = sampler.Value(code, random);
                binary[s * m + c] = code == ownCode ? 1 : 0;
            }
        }

        var scores = await ScoreAsync(buffer, cancellationToken).ConfigureAwait(false);
        var width = _options.KernelWidth ?? 0.75 * Math.Sqrt(m);
        var weights = new double[n];
        for (var s = 0; s < n; s++)
        {
            double d2 = 0;
            for (var c = 0; c < m; c++)
            {
                var diff = 1 - binary[s * m + c];
                d2 += diff * diff;
            }

            weights[s] = Math.Sqrt(Math.Exp(-d2 / (width * width)));
        }

        return Surrogate.Fit(binary, scores, weights, m, _options.Alpha);
    }

    private async Task<double[]> ScoreAsync(Rows rows, CancellationToken cancellationToken)
    {
        if (rows.Count <= _options.BatchRows)
        {
            var all = await _scorer(rows, cancellationToken).ConfigureAwait(false);
            Scores.Check(all, rows.Count);
            return all;
        }

        var scores = new double[rows.Count];
        var indices = new int[_options.BatchRows];
        for (var start = 0; start < rows.Count; start += _options.BatchRows)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var count = Math.Min(_options.BatchRows, rows.Count - start);
            var part = rows.Subset(Enumerable.Range(start, count).ToArray());
            var partScores = await _scorer(part, cancellationToken).ConfigureAwait(false);
            Scores.Check(partScores, count);
            partScores.CopyTo(scores, start);
        }

        return scores;
    }

    /// <summary>The weighted ridge fit (intercept unpenalised, as scikit-learn's Ridge with sample weights) and its weighted R².</summary>
    private sealed record Surrogate(double Intercept, double[] Weights, double Prediction, double Score)
    {
        public static Surrogate Fit(double[] x, double[] y, double[] w, int m, double alpha)
        {
            var n = y.Length;
            var total = w.Sum();
            var meanY = 0.0;
            var meanX = new double[m];
            for (var s = 0; s < n; s++)
            {
                meanY += w[s] * y[s] / total;
                for (var c = 0; c < m; c++)
                {
                    meanX[c] += w[s] * x[s * m + c] / total;
                }
            }

            var a = new double[m, m];
            var b = new double[m];
            var centred = new double[m];
            for (var s = 0; s < n; s++)
            {
                for (var c = 0; c < m; c++)
                {
                    centred[c] = x[s * m + c] - meanX[c];
                }

                var dy = y[s] - meanY;
                for (var i = 0; i < m; i++)
                {
                    b[i] += w[s] * centred[i] * dy;
                    for (var j = 0; j < m; j++)
                    {
                        a[i, j] += w[s] * centred[i] * centred[j];
                    }
                }
            }

            for (var i = 0; i < m; i++)
            {
                a[i, i] += alpha;
            }

            var beta = LinearAlgebra.Solve(a, b);
            var intercept = meanY - beta.Select((v, c) => v * meanX[c]).Sum();
            double residual = 0, spread = 0;
            for (var s = 0; s < n; s++)
            {
                var fitted = intercept;
                for (var c = 0; c < m; c++)
                {
                    fitted += beta[c] * x[s * m + c];
                }

                residual += w[s] * (y[s] - fitted) * (y[s] - fitted);
                spread += w[s] * (y[s] - meanY) * (y[s] - meanY);
            }

            return new Surrogate(intercept, beta, y[0], spread > 0 ? 1 - residual / spread : 1);
        }
    }

    /// <summary>
    /// One column's perturbation: codes (a numeric column's quartile bin, or a label's index) drawn by their training
    /// frequency, then a value for the code.
    /// </summary>
    private sealed class ColumnSampler
    {
        private readonly string _name;
        private readonly double[]? _edges;
        private readonly double[] _mins = [];
        private readonly double[] _maxs = [];
        private readonly double[] _means = [];
        private readonly double[] _sds = [];
        private readonly object?[] _labels = [];
        private readonly Dictionary<object, int> _labelCodes = [];
        private readonly double[] _cumulative;

        private ColumnSampler(string name, double[]? edges, double[] cumulative)
        {
            _name = name;
            _edges = edges;
            _cumulative = cumulative;
        }

        private ColumnSampler(string name, double[] edges, double[] cumulative, double[] mins, double[] maxs, double[] means, double[] sds)
            : this(name, edges, cumulative)
        {
            (_mins, _maxs, _means, _sds) = (mins, maxs, means, sds);
        }

        private ColumnSampler(string name, object?[] labels, double[] cumulative) : this(name, (double[]?)null, cumulative)
        {
            _labels = labels;
            for (var i = 0; i < labels.Length; i++)
            {
                if (labels[i] is { } label)
                {
                    _labelCodes[label] = i;
                }
            }
        }

        /// <summary>Numeric columns: codes 0 … edges (the bins, as NumPy's searchsorted on the unique quartiles) and one more for missing.</summary>
        public static ColumnSampler Fit(string name, object?[] values)
        {
            if (Values.IsNumericColumn(values))
            {
                var sorted = Values.SortedNumbers(values);
                double[] edges = [.. new[] { 0.25, 0.5, 0.75 }.Select(q => Values.Quantile(sorted, q)).Distinct()];
                var bins = edges.Length + 1;
                var counts = new double[bins + 1];
                var sums = new double[bins];
                var squares = new double[bins];
                foreach (var value in values)
                {
                    var v = Values.ToNumber(value);
                    var code = double.IsNaN(v) ? bins : Bin(edges, v);
                    counts[code]++;
                    if (code < bins)
                    {
                        sums[code] += v;
                        squares[code] += v * v;
                    }
                }

                var means = new double[bins];
                var sds = new double[bins];
                for (var k = 0; k < bins; k++)
                {
                    means[k] = counts[k] == 0 ? 0 : sums[k] / counts[k];
                    sds[k] = (counts[k] == 0 ? 0 : Math.Sqrt(Math.Max(0, squares[k] / counts[k] - means[k] * means[k]))) + 1e-11;
                }

                double[] mins = [sorted[0], .. edges];
                double[] maxs = [.. edges, sorted[^1]];
                return new ColumnSampler(name, edges, Cumulative(counts), mins, maxs, means, sds);
            }

            var groups = values.GroupBy(v => v ?? Missing.Instance).OrderByDescending(g => g.Count()).ToArray();
            object?[] labels = [.. groups.Select(g => g.Key is Missing ? null : g.Key)];
            return new ColumnSampler(name, labels, Cumulative([.. groups.Select(g => (double)g.Count())]));
        }

        public int Code(object? value)
        {
            if (_edges is not null)
            {
                var v = Values.ToNumber(value);
                return double.IsNaN(v) ? _edges.Length + 1 : Bin(_edges, v);
            }

            if (value is null)
            {
                return Array.IndexOf(_labels, null);
            }

            return _labelCodes.TryGetValue(value, out var code) ? code : -1;
        }

        public int DrawCode(Random random)
        {
            // The first code whose cumulative count exceeds u: never one no training row has.
            var u = random.NextDouble() * _cumulative[^1];
            int low = 0, high = _cumulative.Length - 1;
            while (low < high)
            {
                var mid = (low + high) / 2;
                if (_cumulative[mid] > u)
                {
                    high = mid;
                }
                else
                {
                    low = mid + 1;
                }
            }

            return low;
        }

        public object? Value(int code, Random random)
        {
            if (_edges is null)
            {
                return _labels[code];
            }

            if (code > _edges.Length)
            {
                return null;
            }

            var (low, high, mean, sd) = (_mins[code], _maxs[code], _means[code], _sds[code]);
            if (low == high)
            {
                return low;
            }

            var a = (low - mean) / sd;
            var b = (high - mean) / sd;
            var draw = mean + sd * TruncatedNormal.Ppf(random.NextDouble(), a, b);
            return Math.Clamp(draw, low, high);
        }

        /// <summary>The explained value's condition, in lime's words: <c>x &lt;= 1</c>, <c>1 &lt; x &lt;= 2</c>, <c>x &gt; 3</c>, <c>colour = red</c>.</summary>
        public string Condition(object? value)
        {
            if (_edges is null)
            {
                return $"{_name} = {Values.Label(value)}";
            }

            var code = Code(value);
            string Edge(int k) => _edges[k].ToString("G4", CultureInfo.InvariantCulture);
            return code switch
            {
                _ when code > _edges.Length => $"{_name} is missing",
                0 => $"{_name} <= {Edge(0)}",
                _ when code == _edges.Length => $"{_name} > {Edge(_edges.Length - 1)}",
                _ => $"{Edge(code - 1)} < {_name} <= {Edge(code)}",
            };
        }

        /// <summary>NumPy's searchsorted(edges, v, side='left'): the number of edges below v.</summary>
        private static int Bin(double[] edges, double v)
        {
            var k = 0;
            while (k < edges.Length && edges[k] < v)
            {
                k++;
            }

            return k;
        }

        private static double[] Cumulative(double[] counts)
        {
            var cumulative = new double[counts.Length];
            double sum = 0;
            for (var i = 0; i < counts.Length; i++)
            {
                sum += counts[i];
                cumulative[i] = sum;
            }

            return cumulative;
        }

        private sealed class Missing
        {
            public static readonly Missing Instance = new();
        }
    }
}
