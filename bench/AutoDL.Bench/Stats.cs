namespace AutoDL.Bench;

public static class Stats
{
    public static double Quantile(IReadOnlyList<double> values, double q)
    {
        var sorted = values.Order().ToArray();
        var position = (sorted.Length - 1) * q;
        var low = (int)Math.Floor(position);
        var high = (int)Math.Ceiling(position);
        return sorted[low] + (sorted[high] - sorted[low]) * (position - low);
    }

    public static double Median(IReadOnlyList<double> values) => Quantile(values, 0.5);

    /// <summary>The sample standard deviation (n − 1); 0 for fewer than two values.</summary>
    public static double StandardDeviation(IReadOnlyList<double> values)
    {
        if (values.Count < 2)
        {
            return 0;
        }

        var mean = values.Average();
        return Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1));
    }
}

/// <summary>
/// The ratio of two samplers' median regrets over their seeds, with a 95% percentile-bootstrap interval: each sampler's
/// final values resampled with replacement, 2,000 times, from a fixed generator so that a run prints what it printed.
/// Regrets below 1e-6 count as 1e-6 (both at the optimum: ratio 1, not 0/0).
/// </summary>
public sealed record RegretRatio(double Point, double Low, double High)
{
    private const double Floor = 1e-6;

    public static RegretRatio Of(IReadOnlyList<double> ours, IReadOnlyList<double> theirs, double optimum, int resamples = 2000)
    {
        double MedianRegret(IReadOnlyList<double> finals) => Math.Max(Stats.Median(finals) - optimum, Floor);
        var random = new Random(12345);
        var ratios = new double[resamples];
        for (var i = 0; i < resamples; i++)
        {
            ratios[i] = MedianRegret(Resample(ours, random)) / MedianRegret(Resample(theirs, random));
        }

        return new RegretRatio(MedianRegret(ours) / MedianRegret(theirs), Stats.Quantile(ratios, 0.025), Stats.Quantile(ratios, 0.975));
    }

    private static double[] Resample(IReadOnlyList<double> values, Random random) =>
        Enumerable.Range(0, values.Count).Select(_ => values[random.Next(values.Count)]).ToArray();
}
