using System.Globalization;

namespace AutoDL.Core.Explanations;

public sealed record FairnessOptions
{
    /// <summary>Quantile bins a numeric sensitive column is cut into.</summary>
    public int Bins { get; init; } = 4;
}

/// <summary>
/// One group's classification figures: its share predicted the positive class (<see cref="SelectionRate"/>), accuracy
/// (any class), and the true and false positive rates for the positive class (null where the group has no actual
/// positives, or no actual negatives).
/// </summary>
public sealed record ClassificationGroup(string Group, int Count, double SelectionRate, double Accuracy, double? TruePositiveRate, double? FalsePositiveRate);

/// <summary>
/// Group fairness of a classifier's predictions over a sensitive column (as fairlearn's metrics):
/// <see cref="DemographicParityDifference"/> (largest − smallest selection rate), <see cref="DemographicParityRatio"/>
/// (smallest / largest; 1 when no group is selected), <see cref="EqualizedOddsDifference"/> (the larger of the TPR and
/// FPR gaps over the groups where they are defined; null where neither is) and the four-fifths rule in words.
/// <see cref="BinEdges"/>: a numeric column's quantile bin edges (groups <c>[a, b)</c>, the last <c>[a, b]</c>), else null.
/// </summary>
public sealed record ClassificationFairness(
    string Column,
    string PositiveClass,
    IReadOnlyList<double>? BinEdges,
    IReadOnlyList<ClassificationGroup> Groups,
    double DemographicParityDifference,
    double DemographicParityRatio,
    double? EqualizedOddsDifference,
    bool BelowFourFifths,
    string FourFifths);

/// <summary>One group's regression figures; <see cref="MeanError"/> is the mean of predicted − actual (positive: over-predicted).</summary>
public sealed record RegressionGroup(string Group, int Count, double MeanPrediction, double MeanError, double MeanAbsoluteError);

/// <summary>Group fairness of a regressor: per group figures and the largest gaps between groups in mean prediction and in MAE.</summary>
public sealed record RegressionFairness(
    string Column,
    IReadOnlyList<double>? BinEdges,
    IReadOnlyList<RegressionGroup> Groups,
    double MeanPredictionDifference,
    double MeanAbsoluteErrorDifference);

/// <summary>Fairness figures per group of a sensitive column: labels as they are, numbers cut into quantile bins, missing values a group of their own.</summary>
public static class Fairness
{
    public const double FourFifthsRule = 0.8;

    public static ClassificationFairness Classification(
        string column,
        IReadOnlyList<object?> sensitive,
        IReadOnlyList<string?> actual,
        IReadOnlyList<string?> predicted,
        string positiveClass,
        FairnessOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(sensitive);
        ArgumentNullException.ThrowIfNull(actual);
        ArgumentNullException.ThrowIfNull(predicted);
        ArgumentNullException.ThrowIfNull(positiveClass);
        if (actual.Count != sensitive.Count || predicted.Count != sensitive.Count)
        {
            throw new ArgumentException($"{sensitive.Count} sensitive values, {actual.Count} actual and {predicted.Count} predicted classes: one of each per row.");
        }

        var (edges, groups) = Group(sensitive, options ?? new FairnessOptions());
        var figures = groups.Select(g =>
        {
            int selected = 0, correct = 0, positives = 0, truePositives = 0, negatives = 0, falsePositives = 0;
            foreach (var r in g.Rows)
            {
                var predictedPositive = predicted[r] == positiveClass;
                var actualPositive = actual[r] == positiveClass;
                selected += predictedPositive ? 1 : 0;
                correct += predicted[r] == actual[r] ? 1 : 0;
                if (actualPositive)
                {
                    positives++;
                    truePositives += predictedPositive ? 1 : 0;
                }
                else
                {
                    negatives++;
                    falsePositives += predictedPositive ? 1 : 0;
                }
            }

            double n = g.Rows.Count;
            return new ClassificationGroup(
                g.Name, g.Rows.Count, selected / n, correct / n,
                positives == 0 ? null : truePositives / (double)positives,
                negatives == 0 ? null : falsePositives / (double)negatives);
        }).ToArray();

        var rates = figures.Select(f => f.SelectionRate).ToArray();
        var (lowest, highest) = (figures.MinBy(f => f.SelectionRate)!, figures.MaxBy(f => f.SelectionRate)!);
        var ratio = highest.SelectionRate == 0 ? 1 : lowest.SelectionRate / highest.SelectionRate;
        var below = ratio < FourFifthsRule;
        return new ClassificationFairness(
            column, positiveClass, edges, figures, rates.Max() - rates.Min(), ratio,
            EqualizedOdds(figures), below, FourFifthsSentence(figures, lowest, highest, ratio, positiveClass));
    }

    public static RegressionFairness Regression(
        string column,
        IReadOnlyList<object?> sensitive,
        IReadOnlyList<double> actual,
        IReadOnlyList<double> predicted,
        FairnessOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(sensitive);
        ArgumentNullException.ThrowIfNull(actual);
        ArgumentNullException.ThrowIfNull(predicted);
        if (actual.Count != sensitive.Count || predicted.Count != sensitive.Count)
        {
            throw new ArgumentException($"{sensitive.Count} sensitive values, {actual.Count} actual and {predicted.Count} predicted values: one of each per row.");
        }

        var (edges, groups) = Group(sensitive, options ?? new FairnessOptions());
        var figures = groups.Select(g => new RegressionGroup(
            g.Name,
            g.Rows.Count,
            g.Rows.Average(r => predicted[r]),
            g.Rows.Average(r => predicted[r] - actual[r]),
            g.Rows.Average(r => Math.Abs(predicted[r] - actual[r])))).ToArray();
        return new RegressionFairness(
            column, edges, figures,
            figures.Max(f => f.MeanPrediction) - figures.Min(f => f.MeanPrediction),
            figures.Max(f => f.MeanAbsoluteError) - figures.Min(f => f.MeanAbsoluteError));
    }

    private static double? EqualizedOdds(ClassificationGroup[] groups)
    {
        static double? Gap(IEnumerable<double?> rates)
        {
            var defined = rates.OfType<double>().ToArray();
            return defined.Length < 2 ? null : defined.Max() - defined.Min();
        }

        var tpr = Gap(groups.Select(g => g.TruePositiveRate));
        var fpr = Gap(groups.Select(g => g.FalsePositiveRate));
        return tpr is null && fpr is null ? null : Math.Max(tpr ?? 0, fpr ?? 0);
    }

    private static string FourFifthsSentence(ClassificationGroup[] groups, ClassificationGroup lowest, ClassificationGroup highest, double ratio, string positive)
    {
        if (groups.Length < 2)
        {
            return $"Only one group ('{groups[0].Group}'): the four-fifths rule compares groups.";
        }

        if (highest.SelectionRate == 0)
        {
            return $"No group is predicted '{positive}': the four-fifths rule does not apply.";
        }

        var percent = (ratio * 100).ToString("0", CultureInfo.InvariantCulture);
        return ratio < FourFifthsRule
            ? $"Selection rate of group '{lowest.Group}' is {percent}% of group '{highest.Group}''s: below the four-fifths rule."
            : $"Selection rate of group '{lowest.Group}' is {percent}% of group '{highest.Group}''s: within the four-fifths rule.";
    }

    private sealed record Members(string Name, List<int> Rows);

    private static (double[]? Edges, Members[] Groups) Group(IReadOnlyList<object?> sensitive, FairnessOptions options)
    {
        ArgumentNullException.ThrowIfNull(sensitive);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Bins, 1);
        if (sensitive.Count == 0)
        {
            throw new ArgumentException("Fairness needs at least one row.", nameof(sensitive));
        }

        var values = sensitive.ToArray();
        var missing = new Members("(missing)", []);
        if (!Values.IsNumericColumn(values))
        {
            var byLabel = new SortedDictionary<string, Members>(StringComparer.Ordinal);
            for (var r = 0; r < values.Length; r++)
            {
                if (values[r] is null)
                {
                    missing.Rows.Add(r);
                    continue;
                }

                var label = Values.Label(values[r]);
                if (!byLabel.TryGetValue(label, out var members))
                {
                    byLabel[label] = members = new Members(label, []);
                }

                members.Rows.Add(r);
            }

            return (null, [.. byLabel.Values, .. missing.Rows.Count > 0 ? [missing] : Array.Empty<Members>()]);
        }

        var sorted = Values.SortedNumbers(values);
        double[] edges = [.. Enumerable.Range(0, options.Bins + 1).Select(k => Values.Quantile(sorted, k / (double)options.Bins)).Distinct()];
        var bins = Math.Max(1, edges.Length - 1);
        string Edge(int k) => edges[k].ToString("G6", CultureInfo.InvariantCulture);
        var groups = Enumerable.Range(0, bins).Select(k => new Members(
            edges.Length == 1 ? $"[{Edge(0)}, {Edge(0)}]" : k == bins - 1 ? $"[{Edge(k)}, {Edge(k + 1)}]" : $"[{Edge(k)}, {Edge(k + 1)})",
            [])).ToArray();
        for (var r = 0; r < values.Length; r++)
        {
            var v = Values.ToNumber(values[r]);
            if (double.IsNaN(v))
            {
                missing.Rows.Add(r);
                continue;
            }

            var bin = 0;
            while (bin < bins - 1 && v >= edges[bin + 1])
            {
                bin++;
            }

            groups[bin].Rows.Add(r);
        }

        return (edges, [.. groups.Where(g => g.Rows.Count > 0), .. missing.Rows.Count > 0 ? [missing] : Array.Empty<Members>()]);
    }
}
