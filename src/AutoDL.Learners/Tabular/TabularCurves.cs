namespace AutoDL.Learners.Tabular;

/// <summary>
/// A point of a ROC curve: predicting the class for rows scored at least <see cref="Threshold"/> finds
/// <see cref="TruePositiveRate"/> of its rows and wrongly takes <see cref="FalsePositiveRate"/> of the others.
/// </summary>
public sealed record RocPoint(double FalsePositiveRate, double TruePositiveRate, double Threshold);

/// <summary>
/// A point of a precision–recall curve: predicting the class for rows scored at least <see cref="Threshold"/> finds
/// <see cref="Recall"/> of its rows, and <see cref="Precision"/> of the rows so predicted are of it.
/// </summary>
public sealed record PrecisionRecallPoint(double Recall, double Precision, double Threshold);

/// <summary>
/// One class against the rest on a set of rows: its ROC and precision–recall curves, as scikit-learn's
/// <c>roc_curve</c> (with <c>drop_intermediate</c>) and <c>precision_recall_curve</c> draw them, in order of falling
/// threshold: ROC from (0, 0) to (1, 1), precision–recall from recall 0 (precision 1) to recall 1. Thresholds are the
/// class's probability (for the first point, which predicts no row as the class, the highest one plus 1, as
/// scikit-learn 1.2 does). <see cref="Auc"/> (the Mann–Whitney U, equal to the full ROC curve's trapezoid area) and
/// <see cref="AveragePrecision"/> (scikit-learn's step-wise Σ (Rₙ − Rₙ₋₁) Pₙ) are computed on every row, before the
/// curves are thinned to at most <see cref="TabularCurves.MaxPoints"/> points each (see <see cref="TabularCurves.Thin"/>).
/// </summary>
public sealed record ClassCurves(
    string Class,
    int Positives,
    int Negatives,
    double Auc,
    double AveragePrecision,
    IReadOnlyList<RocPoint> Roc,
    IReadOnlyList<PrecisionRecallPoint> PrecisionRecall);

/// <summary>ROC and precision–recall curves of scores against a two-class truth.</summary>
public static class TabularCurves
{
    /// <summary>The most points a stored curve keeps.</summary>
    public const int MaxPoints = 200;

    /// <summary>
    /// The curves of <paramref name="name"/>'s rows (<paramref name="truth"/> true) against the others; null when the rows
    /// hold only one of the two, where neither curve is defined.
    /// </summary>
    /// <param name="ranking">Per row, the score that orders rows (higher: more likely the class).</param>
    /// <param name="thresholds">
    /// Per row, the value to report as the threshold: the class's probability. It must not fall where
    /// <paramref name="ranking"/> rises (a calibrated probability of the score does not); null: <paramref name="ranking"/> itself.
    /// </param>
    public static ClassCurves? Of(string name, IReadOnlyList<bool> truth, IReadOnlyList<double> ranking, IReadOnlyList<double>? thresholds = null)
    {
        ArgumentNullException.ThrowIfNull(truth);
        ArgumentNullException.ThrowIfNull(ranking);
        if (truth.Count != ranking.Count || (thresholds is not null && thresholds.Count != truth.Count))
        {
            throw new ArgumentException(
                $"Expected one score and threshold per row: {truth.Count} rows, {ranking.Count} scores, {(thresholds ?? ranking).Count} thresholds.", nameof(ranking));
        }

        thresholds ??= ranking;
        var positives = truth.Count(t => t);
        var negatives = truth.Count - positives;
        if (positives == 0 || negatives == 0)
        {
            return null;
        }

        // scikit-learn's _binary_clf_curve: rows by falling score, one point where the score changes, counting the
        // true and false positives of every row at or above it.
        var order = Enumerable.Range(0, truth.Count).OrderByDescending(i => ranking[i]).ToArray();
        var truePositives = new List<int>();
        var falsePositives = new List<int>();
        var cuts = new List<double>();
        int tp = 0, fp = 0;
        for (var k = 0; k < order.Length; k++)
        {
            if (truth[order[k]])
            {
                tp++;
            }
            else
            {
                fp++;
            }

            if (k == order.Length - 1 || ranking[order[k + 1]] != ranking[order[k]])
            {
                truePositives.Add(tp);
                falsePositives.Add(fp);
                cuts.Add(thresholds[order[k]]);
            }
        }

        var top = cuts[0] + 1;
        var roc = new List<RocPoint>(cuts.Count + 1) { new(0, 0, top) };
        var precisionRecall = new List<PrecisionRecallPoint>(cuts.Count + 1) { new(0, 1, top) };
        var averagePrecision = 0.0;
        var previousRecall = 0.0;
        for (var i = 0; i < cuts.Count; i++)
        {
            var recall = (double)truePositives[i] / positives;
            var precision = (double)truePositives[i] / (truePositives[i] + falsePositives[i]);
            averagePrecision += (recall - previousRecall) * precision;
            previousRecall = recall;
            precisionRecall.Add(new PrecisionRecallPoint(recall, precision, cuts[i]));

            // drop_intermediate (scikit-learn 1.2): keep a point unless both counts change by the same step before and after it.
            var inner = i > 0 && i < cuts.Count - 1;
            if (inner
                && falsePositives[i + 1] - falsePositives[i] == falsePositives[i] - falsePositives[i - 1]
                && truePositives[i + 1] - truePositives[i] == truePositives[i] - truePositives[i - 1])
            {
                continue;
            }

            roc.Add(new RocPoint((double)falsePositives[i] / negatives, recall, cuts[i]));
        }

        var auc = TabularEvaluation.Auc([.. truth.Select(t => t ? 1 : 0)], ranking)!.Value;
        return new ClassCurves(
            name, positives, negatives, auc, averagePrecision,
            Thin(roc, p => p.FalsePositiveRate, p => p.TruePositiveRate, MaxPoints),
            Thin(precisionRecall, p => p.Recall, p => p.Precision, MaxPoints));
    }

    /// <summary>The trapezoid area under a ROC curve's points.</summary>
    public static double Area(IReadOnlyList<RocPoint> roc)
    {
        ArgumentNullException.ThrowIfNull(roc);
        var area = 0.0;
        for (var i = 1; i < roc.Count; i++)
        {
            area += (roc[i].FalsePositiveRate - roc[i - 1].FalsePositiveRate) * (roc[i].TruePositiveRate + roc[i - 1].TruePositiveRate) / 2;
        }

        return area;
    }

    /// <summary>
    /// At most <paramref name="max"/> of <paramref name="points"/>, the first and last always kept, by Visvalingam–Whyatt:
    /// while there are too many, drop the inner point whose triangle with its two neighbours has the smallest area (the
    /// one that changes the drawing least). Dropping a point changes the trapezoid area under the polyline by exactly
    /// its triangle's area, so the area moves by no more than the sum of the (smallest) triangles dropped; points on a
    /// straight stretch go first, at no cost. The curve's AUC and average precision are computed before thinning.
    /// </summary>
    public static IReadOnlyList<T> Thin<T>(IReadOnlyList<T> points, Func<T, double> x, Func<T, double> y, int max)
    {
        ArgumentNullException.ThrowIfNull(points);
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 2);
        if (points.Count <= max)
        {
            return points;
        }

        var n = points.Count;
        var xs = points.Select(x).ToArray();
        var ys = points.Select(y).ToArray();
        var previous = Enumerable.Range(-1, n).ToArray();
        var next = Enumerable.Range(1, n).ToArray();
        var removed = new bool[n];
        var version = new int[n];
        var queue = new PriorityQueue<(int Point, int Version), (double Area, int Point)>();
        for (var i = 1; i < n - 1; i++)
        {
            queue.Enqueue((i, 0), (Triangle(i), i));
        }

        var left = n;
        while (left > max)
        {
            var (point, seen) = queue.Dequeue();
            if (removed[point] || seen != version[point])
            {
                continue;
            }

            removed[point] = true;
            left--;
            var (before, after) = (previous[point], next[point]);
            next[before] = after;
            previous[after] = before;
            foreach (var neighbour in (int[])[before, after])
            {
                if (neighbour > 0 && neighbour < n - 1)
                {
                    version[neighbour]++;
                    queue.Enqueue((neighbour, version[neighbour]), (Triangle(neighbour), neighbour));
                }
            }
        }

        return [.. points.Where((_, i) => !removed[i])];

        double Triangle(int i)
        {
            var (a, c) = (previous[i], next[i]);
            return Math.Abs((xs[i] - xs[a]) * (ys[c] - ys[a]) - (xs[c] - xs[a]) * (ys[i] - ys[a])) / 2;
        }
    }
}
