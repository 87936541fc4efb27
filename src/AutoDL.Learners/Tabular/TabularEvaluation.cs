namespace AutoDL.Learners.Tabular;

/// <summary>How well one class is found: of the rows predicted as it, the share right (precision); of its rows, the share found (recall).</summary>
public sealed record ClassMetrics(string Class, double Precision, double Recall, double F1, int Support);

/// <summary>
/// Classification scores on a set of rows. <see cref="ConfusionMatrix"/>[i][j] counts rows of class i predicted as
/// class j, classes in <see cref="Classes"/> order. Macro-F1 averages the classes present in the truth or the
/// predictions, balanced accuracy the classes present in the truth (as scikit-learn does); a class never predicted
/// has precision 0. <see cref="Auc"/> is for binary tasks, and null when the rows hold one class only.
/// <see cref="Curves"/>, where asked for (a model's test rows): ROC and precision–recall curves of the positive class
/// (binary) or of each class against the rest (multiclass), for the classes with rows both in and out of them; null
/// otherwise, and in metrics stored before curves were.
/// </summary>
public sealed record ClassificationMetrics(
    IReadOnlyList<string> Classes,
    double Accuracy,
    double BalancedAccuracy,
    double MacroF1,
    double? Auc,
    double LogLoss,
    IReadOnlyList<ClassMetrics> PerClass,
    IReadOnlyList<IReadOnlyList<int>> ConfusionMatrix,
    IReadOnlyList<ClassCurves>? Curves = null);

/// <summary>
/// Regression scores on a set of rows. R² is 1 − SSE / SST; on a constant truth it is 1 for exact predictions, else NaN.
/// <see cref="Residuals"/>, where asked for (a model's test rows): predicted against actual values and the residuals'
/// spread; null otherwise, and in metrics stored before residuals were.
/// </summary>
public sealed record RegressionMetrics(double Rmse, double Mae, double RSquared, Residuals? Residuals = null);

/// <summary>A model's scores on a set of rows: classification or regression ones, by task.</summary>
public sealed record TabularEvaluation(TabularTask Task, int Rows, ClassificationMetrics? Classification, RegressionMetrics? Regression)
{
    /// <summary>The value of <paramref name="metric"/> (NaN when it is undefined on these rows, such as AUC on one class).</summary>
    /// <exception cref="ArgumentException">The metric does not fit the task.</exception>
    public double Value(TabularMetric metric) => (metric, Classification, Regression) switch
    {
        (TabularMetric.Rmse, _, { } r) => r.Rmse,
        (TabularMetric.Mae, _, { } r) => r.Mae,
        (TabularMetric.RSquared, _, { } r) => r.RSquared,
        (TabularMetric.BalancedAccuracy, { } c, _) => c.BalancedAccuracy,
        (TabularMetric.LogLoss, { } c, _) => c.LogLoss,
        (TabularMetric.Accuracy, { } c, _) => c.Accuracy,
        (TabularMetric.MacroF1, { } c, _) => c.MacroF1,
        (TabularMetric.Auc, { } c, _) when Task == TabularTask.Binary => c.Auc ?? double.NaN,
        _ => throw new ArgumentException($"The metric {metric} does not fit a {Task} task.", nameof(metric)),
    };

    /// <summary>Scores predicted classes against true ones (indices into <paramref name="classes"/>).</summary>
    /// <param name="probabilities">Per row, a probability per class (rows need not sum to 1; they are normalised).</param>
    /// <param name="positiveScores">
    /// Binary tasks: per row, the score ranking the positive (second) class, for AUC and the curves (whose thresholds
    /// are the positive class's probability); absent, its probability ranks.
    /// </param>
    /// <param name="curves">Also compute <see cref="ClassificationMetrics.Curves"/> (a model's test, not every fold of every trial).</param>
    public static TabularEvaluation ForClasses(
        TabularTask task, IReadOnlyList<string> classes, IReadOnlyList<int> truth, IReadOnlyList<int> predicted,
        IReadOnlyList<double[]> probabilities, IReadOnlyList<double>? positiveScores = null, bool curves = false)
    {
        var k = classes.Count;
        var n = truth.Count;
        var confusion = new int[k][];
        for (var i = 0; i < k; i++)
        {
            confusion[i] = new int[k];
        }

        for (var r = 0; r < n; r++)
        {
            confusion[truth[r]][predicted[r]]++;
        }

        var perClass = new List<ClassMetrics>(k);
        for (var c = 0; c < k; c++)
        {
            var truePositives = confusion[c][c];
            var support = confusion[c].Sum();
            var predictedAs = Enumerable.Range(0, k).Sum(i => confusion[i][c]);
            var precision = predictedAs == 0 ? 0 : (double)truePositives / predictedAs;
            var recall = support == 0 ? 0 : (double)truePositives / support;
            var f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
            perClass.Add(new ClassMetrics(classes[c], precision, recall, f1, support));
        }

        var correct = Enumerable.Range(0, k).Sum(c => confusion[c][c]);
        var present = Enumerable.Range(0, k).Where(c => perClass[c].Support > 0).ToList();
        var seen = Enumerable.Range(0, k).Where(c => perClass[c].Support > 0 || Enumerable.Range(0, k).Any(i => confusion[i][c] > 0)).ToList();
        var logLoss = 0.0;
        for (var r = 0; r < n; r++)
        {
            var row = probabilities[r];
            var sum = row.Sum();
            var p = sum > 0 && double.IsFinite(sum) ? row[truth[r]] / sum : 0;
            logLoss -= Math.Log(Math.Clamp(p, 1e-15, 1));
        }

        double? auc = task == TabularTask.Binary && positiveScores is not null ? Auc(truth, positiveScores) : null;
        var metrics = new ClassificationMetrics(
            classes,
            n == 0 ? double.NaN : (double)correct / n,
            present.Count == 0 ? double.NaN : present.Average(c => perClass[c].Recall),
            seen.Count == 0 ? double.NaN : seen.Average(c => perClass[c].F1),
            auc,
            n == 0 ? double.NaN : logLoss / n,
            perClass,
            confusion,
            curves ? Curves(task, classes, truth, probabilities, positiveScores) : null);
        return new TabularEvaluation(task, n, metrics, null);
    }

    /// <param name="residuals">Also compute <see cref="RegressionMetrics.Residuals"/> (a model's test, not every fold of every trial).</param>
    public static TabularEvaluation ForNumbers(IReadOnlyList<double> truth, IReadOnlyList<double> predicted, bool residuals = false)
    {
        var n = truth.Count;
        if (n == 0)
        {
            return new TabularEvaluation(TabularTask.Regression, 0, null, new RegressionMetrics(double.NaN, double.NaN, double.NaN));
        }

        double squared = 0, absolute = 0;
        for (var i = 0; i < n; i++)
        {
            var error = predicted[i] - truth[i];
            squared += error * error;
            absolute += Math.Abs(error);
        }

        var mean = truth.Average();
        var total = truth.Sum(t => (t - mean) * (t - mean));
        var rSquared = total > 0 ? 1 - squared / total : squared == 0 ? 1 : double.NaN;
        return new TabularEvaluation(
            TabularTask.Regression, n, null,
            new RegressionMetrics(Math.Sqrt(squared / n), absolute / n, rSquared, residuals ? TabularResiduals.Of(truth, predicted) : null));
    }

    /// <summary>
    /// Binary: the positive class's curves, rows ranked by the score AUC ranks by (absent, by its probability), so that
    /// the AUC is the ROC curve's area; multiclass: each class's against the rest, ranked by its probability. Thresholds
    /// are the probabilities as given (not renormalised: dividing by row sums a rounding error off 1 would split ties).
    /// </summary>
    private static List<ClassCurves> Curves(
        TabularTask task, IReadOnlyList<string> classes, IReadOnlyList<int> truth, IReadOnlyList<double[]> probabilities, IReadOnlyList<double>? positiveScores)
    {
        var curves = new List<ClassCurves>();
        foreach (var c in task == TabularTask.Binary ? [1] : Enumerable.Range(0, classes.Count))
        {
            var probability = probabilities.Select(p => p[c]).ToList();
            var ranking = task == TabularTask.Binary ? positiveScores ?? probability : probability;
            if (TabularCurves.Of(classes[c], [.. truth.Select(t => t == c)], ranking, probability) is { } curve)
            {
                curves.Add(curve);
            }
        }

        return curves;
    }

    /// <summary>The ROC AUC of class 1 against class 0: the Mann–Whitney U over average ranks (ties count half). Null with one class.</summary>
    internal static double? Auc(IReadOnlyList<int> truth, IReadOnlyList<double> scores)
    {
        var order = Enumerable.Range(0, truth.Count).OrderBy(i => scores[i]).ToArray();
        var ranks = new double[order.Length];
        for (var start = 0; start < order.Length;)
        {
            var end = start;
            while (end + 1 < order.Length && scores[order[end + 1]] == scores[order[start]])
            {
                end++;
            }

            var average = (start + end) / 2.0 + 1;
            for (var i = start; i <= end; i++)
            {
                ranks[order[i]] = average;
            }

            start = end + 1;
        }

        long positives = truth.Count(t => t == 1), negatives = truth.Count - positives;
        if (positives == 0 || negatives == 0)
        {
            return null;
        }

        var positiveRanks = Enumerable.Range(0, truth.Count).Where(i => truth[i] == 1).Sum(i => ranks[i]);
        return (positiveRanks - positives * (positives + 1) / 2.0) / ((double)positives * negatives);
    }
}
