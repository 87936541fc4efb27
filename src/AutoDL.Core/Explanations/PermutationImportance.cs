namespace AutoDL.Core.Explanations;

/// <summary>A metric of scores against true targets (e.g. accuracy of thresholded probabilities, R², RMSE).</summary>
public delegate double Metric(double[] targets, double[] scores);

public sealed record PermutationImportanceOptions
{
    /// <summary>Shuffles per column.</summary>
    public int Repeats { get; init; } = 5;

    public int Seed { get; init; }

    /// <summary>Whether a larger metric is better (accuracy, R²) or worse (RMSE, log-loss).</summary>
    public bool HigherIsBetter { get; init; } = true;
}

/// <summary>
/// How much the metric gets worse when column <see cref="Column"/>'s values are shuffled among the rows: the
/// <see cref="Mean"/> drop over the repeats (positive: the model needs the column), its sample standard deviation,
/// and the t-based 95% confidence interval [<see cref="Lower"/>, <see cref="Upper"/>]. <see cref="Drops"/> holds
/// each repeat's drop.
/// </summary>
public sealed record ColumnImportance(string Column, double Mean, double StandardDeviation, double Lower, double Upper, IReadOnlyList<double> Drops);

/// <summary>Permutation importance of every column (in the rows' order), with the metric on the unshuffled rows.</summary>
public sealed record PermutationImportances(double Baseline, int Repeats, IReadOnlyList<ColumnImportance> Columns);

/// <summary>
/// Permutation feature importance (as scikit-learn's <c>permutation_importance</c>): each column's values shuffled
/// among the given rows <see cref="PermutationImportanceOptions.Repeats"/> times with seeded shuffles, the other
/// columns untouched (shared, not copied), and the metric's drop from the unshuffled baseline.
/// </summary>
public static class PermutationImportance
{
    /// <summary>The 95% interval's t quantile is Student's with Repeats − 1 degrees of freedom.</summary>
    public const double Confidence = 0.95;

    public static async Task<PermutationImportances> ComputeAsync(
        Scorer scorer,
        Rows rows,
        IReadOnlyList<double> targets,
        Metric metric,
        PermutationImportanceOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scorer);
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(metric);
        options ??= new PermutationImportanceOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Repeats, 2);
        if (targets.Count != rows.Count || rows.Count < 2)
        {
            throw new ArgumentException($"Needs at least two rows and one target per row ({rows.Count} rows, {targets.Count} targets).", nameof(targets));
        }

        var truth = targets.ToArray();
        var baseline = metric(truth, await ScoreAsync(scorer, rows, cancellationToken).ConfigureAwait(false));
        var sign = options.HigherIsBetter ? 1.0 : -1.0;
        var t = StudentT.Quantile(0.5 + Confidence / 2, options.Repeats - 1);
        var order = new int[rows.Count];
        var shuffled = new object?[rows.Count];
        var columns = new List<ColumnImportance>(rows.Columns.Count);
        for (var c = 0; c < rows.Columns.Count; c++)
        {
            var source = rows.Column(c);
            var drops = new double[options.Repeats];
            for (var repeat = 0; repeat < options.Repeats; repeat++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var random = new Random(unchecked((options.Seed * 1_000_003) + (c * 1009) + repeat));
                for (var r = 0; r < order.Length; r++)
                {
                    order[r] = r;
                }

                random.Shuffle(order);
                for (var r = 0; r < order.Length; r++)
                {
                    shuffled[r] = source[order[r]];
                }

                var scores = await ScoreAsync(scorer, rows.WithColumn(c, shuffled), cancellationToken).ConfigureAwait(false);
                drops[repeat] = sign * (baseline - metric(truth, scores));
            }

            var mean = drops.Average();
            var sd = Math.Sqrt(drops.Sum(d => (d - mean) * (d - mean)) / (drops.Length - 1));
            var half = t * sd / Math.Sqrt(drops.Length);
            columns.Add(new ColumnImportance(rows.Columns[c], mean, sd, mean - half, mean + half, drops));
        }

        return new PermutationImportances(baseline, options.Repeats, columns);
    }

    private static async Task<double[]> ScoreAsync(Scorer scorer, Rows rows, CancellationToken cancellationToken)
    {
        var scores = await scorer(rows, cancellationToken).ConfigureAwait(false);
        Scores.Check(scores, rows.Count);
        return scores;
    }
}
