namespace AutoDL.Core.Explanations;

/// <summary>How <see cref="ShapExplainer"/> computes Shapley values.</summary>
public enum ShapMethod
{
    /// <summary>Exact up to <see cref="ShapOptions.MaxExactColumns"/> columns, Kernel SHAP beyond.</summary>
    Auto,

    /// <summary>Every coalition enumerated: 2^M coalitions × the background's rows.</summary>
    Exact,

    /// <summary>Kernel SHAP: a Shapley-kernel weighted linear regression over sampled coalitions, with the efficiency constraint.</summary>
    Kernel,
}

public sealed record ShapOptions
{
    public ShapMethod Method { get; init; } = ShapMethod.Auto;

    /// <summary>The most columns <see cref="ShapMethod.Auto"/> enumerates exactly.</summary>
    public int MaxExactColumns { get; init; } = 12;

    /// <summary>Kernel SHAP's coalitions per explained row; null: shap's default 2·M + 2048 (at most 2^M − 2, M the columns that vary).</summary>
    public int? Samples { get; init; }

    public int Seed { get; init; }

    /// <summary>The most rows per call of the model.</summary>
    public int BatchRows { get; init; } = 16384;
}

/// <summary>
/// One row's Shapley values: <see cref="BaseValue"/> (E f over the background) plus the sum of <see cref="Values"/>
/// (one per column, in the explanation's column order) is <see cref="Prediction"/> f(x) up to
/// <see cref="AdditivityError"/> = |Σφ − (f(x) − E f)|.
/// </summary>
public sealed record ShapRow(double BaseValue, double Prediction, IReadOnlyList<double> Values, double AdditivityError);

/// <summary>
/// Shapley values of the explained rows (<see cref="Rows"/>, in their order, kept for beeswarm and waterfall plots) and
/// the global summary <see cref="MeanAbsolute"/>: mean |φ| per column. <see cref="Coalitions"/> is the number of
/// coalitions evaluated per row; <see cref="MaxAdditivityError"/> the quality figure.
/// </summary>
public sealed record ShapExplanation(
    IReadOnlyList<string> Columns,
    ShapMethod Method,
    int Coalitions,
    int BackgroundRows,
    double BaseValue,
    IReadOnlyList<ShapRow> Rows,
    IReadOnlyList<double> MeanAbsolute,
    double MaxAdditivityError);

/// <summary>
/// Interventional Shapley values of a model's score over the user's columns: a coalition's value is the
/// background-weighted mean score with the absent columns taken from the background rows. Exact enumeration for
/// few columns; beyond, Kernel SHAP as shap's <c>KernelExplainer</c> does it: coalition sizes enumerated fully (with
/// their complements) from the smallest while the budget allows, the rest sampled in antithetic pairs by the Shapley
/// kernel, then a weighted least-squares fit with Σφ = f(x) − E f imposed. Columns whose value in the explained row
/// equals every background row's get φ = 0 (as shap's varying-feature check). No l1 feature selection.
/// </summary>
public sealed class ShapExplainer
{
    private readonly Scorer _scorer;
    private readonly Background _background;
    private readonly ShapOptions _options;

    public ShapExplainer(Scorer scorer, Background background, ShapOptions? options = null)
    {
        _scorer = scorer ?? throw new ArgumentNullException(nameof(scorer));
        _background = background ?? throw new ArgumentNullException(nameof(background));
        _options = options ?? new ShapOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.BatchRows, 1);
    }

    /// <summary>Explains every row of <paramref name="rows"/>, whose columns must be the background's, in the same order.</summary>
    public async Task<ShapExplanation> ExplainAsync(Rows rows, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (!rows.Columns.SequenceEqual(_background.Rows.Columns, StringComparer.Ordinal))
        {
            throw new ArgumentException("The explained rows must have the background's columns, in the same order.", nameof(rows));
        }

        var m = rows.Columns.Count;
        var method = _options.Method switch
        {
            ShapMethod.Auto => m <= _options.MaxExactColumns ? ShapMethod.Exact : ShapMethod.Kernel,
            var chosen => chosen,
        };
        if (method == ShapMethod.Exact && m > 20)
        {
            throw new ArgumentException($"Exact Shapley values for {m} columns would need 2^{m} coalitions; use Kernel SHAP.", nameof(rows));
        }

        var game = new Coalitions(_scorer, _background, _options.BatchRows);
        var results = new List<ShapRow>(rows.Count);
        var coalitions = 0;
        double baseValue;
        if (method == ShapMethod.Exact)
        {
            var masks = AllMasks(m);
            coalitions = 1 << m;
            baseValue = double.NaN;
            for (var r = 0; r < rows.Count; r++)
            {
                var values = await game.ValuesAsync(rows, r, masks, coalitions, cancellationToken).ConfigureAwait(false);
                results.Add(Row(values[0], values[coalitions - 1], Exact(values, m)));
                baseValue = values[0];
            }
        }
        else
        {
            baseValue = await MeanScoreAsync(cancellationToken).ConfigureAwait(false);
            var predictions = rows.Count == 0 ? [] : await _scorer(rows, cancellationToken).ConfigureAwait(false);
            Scores.Check(predictions, rows.Count);
            for (var r = 0; r < rows.Count; r++)
            {
                var (phi, evaluated) = await KernelAsync(game, rows, r, baseValue, predictions[r], cancellationToken).ConfigureAwait(false);
                coalitions = Math.Max(coalitions, evaluated);
                results.Add(Row(baseValue, predictions[r], phi));
            }
        }

        if (rows.Count == 0)
        {
            baseValue = await MeanScoreAsync(cancellationToken).ConfigureAwait(false);
        }

        var meanAbsolute = new double[m];
        foreach (var result in results)
        {
            for (var c = 0; c < m; c++)
            {
                meanAbsolute[c] += Math.Abs(result.Values[c]) / results.Count;
            }
        }

        return new ShapExplanation(
            rows.Columns, method, coalitions, _background.Count, baseValue, results, meanAbsolute,
            results.Count == 0 ? 0 : results.Max(x => x.AdditivityError));
    }

    private static ShapRow Row(double baseValue, double prediction, double[] phi) =>
        new(baseValue, prediction, phi, Math.Abs(phi.Sum() - (prediction - baseValue)));

    private async Task<double> MeanScoreAsync(CancellationToken cancellationToken)
    {
        var scores = await _scorer(_background.Rows, cancellationToken).ConfigureAwait(false);
        Scores.Check(scores, _background.Count);
        double sum = 0;
        for (var b = 0; b < scores.Length; b++)
        {
            sum += _background.Weights[b] * scores[b];
        }

        return sum;
    }

    /// <summary>Coalition s holds column c when bit c of s is set.</summary>
    private static bool[] AllMasks(int m)
    {
        var masks = new bool[(1 << m) * m];
        for (var s = 0; s < 1 << m; s++)
        {
            for (var c = 0; c < m; c++)
            {
                masks[s * m + c] = (s & (1 << c)) != 0;
            }
        }

        return masks;
    }

    /// <summary>φ_i = Σ over S without i of |S|!(M−|S|−1)!/M! · (v(S ∪ i) − v(S)).</summary>
    private static double[] Exact(double[] values, int m)
    {
        var weight = new double[m];
        for (var s = 0; s < m; s++)
        {
            weight[s] = 1 / (m * Binomial(m - 1, s));
        }

        var phi = new double[m];
        for (var set = 0; set < 1 << m; set++)
        {
            var size = int.PopCount(set);
            for (var i = 0; i < m; i++)
            {
                if ((set & (1 << i)) == 0)
                {
                    phi[i] += weight[size] * (values[set | (1 << i)] - values[set]);
                }
            }
        }

        return phi;
    }

    private async Task<(double[] Phi, int Coalitions)> KernelAsync(
        Coalitions game, Rows rows, int row, double baseValue, double prediction, CancellationToken cancellationToken)
    {
        var m = rows.Columns.Count;
        var phi = new double[m];
        var varying = Enumerable.Range(0, m).Where(c => Varies(rows, row, c)).ToArray();
        if (varying.Length == 0)
        {
            return (phi, 0);
        }

        if (varying.Length == 1)
        {
            phi[varying[0]] = prediction - baseValue;
            return (phi, 0);
        }

        var random = new Random(unchecked(_options.Seed * 7919 + row));
        var (masks, weights) = KernelCoalitions.Draw(varying.Length, _options.Samples, random);
        var count = weights.Length;
        var full = new bool[count * m];
        for (var s = 0; s < count; s++)
        {
            for (var c = 0; c < m; c++)
            {
                full[s * m + c] = true;
            }

            for (var j = 0; j < varying.Length; j++)
            {
                full[s * m + varying[j]] = masks[s * varying.Length + j];
            }
        }

        var values = await game.ValuesAsync(rows, row, full, count, cancellationToken).ConfigureAwait(false);
        var solved = KernelCoalitions.Solve(masks, weights, values, varying.Length, baseValue, prediction);
        for (var j = 0; j < varying.Length; j++)
        {
            phi[varying[j]] = solved[j];
        }

        return (phi, count);
    }

    private bool Varies(Rows rows, int row, int column)
    {
        var own = rows.Value(column, row);
        foreach (var value in _background.Rows.Column(column))
        {
            if (!Equals(own, value))
            {
                return true;
            }
        }

        return false;
    }

    internal static double Binomial(int n, int k)
    {
        double result = 1;
        for (var i = 1; i <= k; i++)
        {
            result = result * (n - k + i) / i;
        }

        return result;
    }
}
