namespace AutoDL.Learners.Tabular;

/// <summary>One row's true value and the model's prediction of it.</summary>
public sealed record ActualPredicted(double Actual, double Predicted);

/// <summary>Rows whose residual falls in [<see cref="From"/>, <see cref="To"/>) (the last bin also holds <see cref="To"/>).</summary>
public sealed record HistogramBin(double From, double To, int Count);

/// <summary>Quantiles of the residuals (linear between order statistics, as numpy's default).</summary>
public sealed record ResidualQuantiles(double Min, double P05, double P25, double Median, double P75, double P95, double Max);

/// <summary>
/// How a regression model misses on a set of rows, residual = actual − predicted (positive: the model guessed low).
/// <see cref="Points"/> holds every row's (actual, predicted) pair up to <see cref="TabularResiduals.MaxPoints"/>;
/// with more rows, an evenly spaced sample of the rows ordered by actual value (the smallest and the largest always in),
/// so the scatter keeps the spread of the truth. <see cref="Mean"/>, <see cref="StandardDeviation"/>,
/// <see cref="Quantiles"/> and <see cref="Histogram"/> (<see cref="TabularResiduals.Bins"/> equal bins from the
/// smallest residual to the largest) count every row.
/// </summary>
public sealed record Residuals(
    IReadOnlyList<ActualPredicted> Points,
    double Mean,
    double StandardDeviation,
    ResidualQuantiles Quantiles,
    IReadOnlyList<HistogramBin> Histogram);

/// <summary>Computes <see cref="Residuals"/>.</summary>
public static class TabularResiduals
{
    /// <summary>The most (actual, predicted) pairs kept.</summary>
    public const int MaxPoints = 1000;

    /// <summary>Bins of the residual histogram.</summary>
    public const int Bins = 20;

    /// <summary>The residuals of <paramref name="predicted"/> against <paramref name="truth"/>; null without rows.</summary>
    public static Residuals? Of(IReadOnlyList<double> truth, IReadOnlyList<double> predicted)
    {
        ArgumentNullException.ThrowIfNull(truth);
        ArgumentNullException.ThrowIfNull(predicted);
        if (truth.Count != predicted.Count)
        {
            throw new ArgumentException($"Expected one prediction per row: {truth.Count} rows, {predicted.Count} predictions.", nameof(predicted));
        }

        var n = truth.Count;
        if (n == 0)
        {
            return null;
        }

        var byActual = Enumerable.Range(0, n).OrderBy(i => truth[i]).ThenBy(i => i).ToArray();
        var kept = n <= MaxPoints
            ? byActual
            : Enumerable.Range(0, MaxPoints).Select(k => byActual[(int)Math.Round((double)k * (n - 1) / (MaxPoints - 1))]).ToArray();
        var points = kept.Select(i => new ActualPredicted(truth[i], predicted[i])).ToList();

        var residuals = Enumerable.Range(0, n).Select(i => truth[i] - predicted[i]).Order().ToArray();
        var mean = residuals.Average();
        var deviation = Math.Sqrt(residuals.Sum(r => (r - mean) * (r - mean)) / n);
        var quantiles = new ResidualQuantiles(
            residuals[0], Quantile(residuals, 0.05), Quantile(residuals, 0.25), Quantile(residuals, 0.5),
            Quantile(residuals, 0.75), Quantile(residuals, 0.95), residuals[^1]);
        return new Residuals(points, mean, deviation, quantiles, Histogram(residuals));
    }

    /// <summary>The <paramref name="q"/> quantile of sorted values, interpolating linearly between neighbours.</summary>
    internal static double Quantile(double[] sorted, double q)
    {
        var position = q * (sorted.Length - 1);
        var below = (int)Math.Floor(position);
        var above = Math.Min(below + 1, sorted.Length - 1);
        return sorted[below] + (position - below) * (sorted[above] - sorted[below]);
    }

    private static List<HistogramBin> Histogram(double[] sorted)
    {
        var (low, high) = (sorted[0], sorted[^1]);
        if (!double.IsFinite(low) || !double.IsFinite(high))
        {
            return [];
        }

        if (high == low)
        {
            return [new HistogramBin(low, high, sorted.Length)];
        }

        var width = (high - low) / Bins;
        var counts = new int[Bins];
        foreach (var value in sorted)
        {
            counts[Math.Clamp((int)((value - low) / width), 0, Bins - 1)]++;
        }

        return [.. Enumerable.Range(0, Bins).Select(b => new HistogramBin(low + b * width, b == Bins - 1 ? high : low + (b + 1) * width, counts[b]))];
    }
}
