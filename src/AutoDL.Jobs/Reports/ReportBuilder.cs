using System.Globalization;
using AutoDL.Core.Explanations;
using AutoDL.Jobs.Searches;
using AutoDL.Learners.Explanations;
using AutoDL.Learners.Tabular;

namespace AutoDL.Jobs.Reports;

/// <summary>What <see cref="ReportBuilder"/> computed; <see cref="Document"/> adds the model and the audit trail.</summary>
public sealed record ReportContent(
    string? ExplainedOutput, IReadOnlyList<string> Methods, ReportImportance? Importance, ReportShap? Shap, ReportLime? Lime,
    IReadOnlyList<ReportFairness> Fairness, IReadOnlyList<string> Notes, IReadOnlyList<int> ExplainedRows)
{
    public ReportSaliency? Saliency { get; init; }

    public ReportDocument Document(string id, ReportModel model, ReportAudit audit) =>
        new(id, model, ExplainedOutput, Methods, Importance, Shap, Lime, Saliency, Fairness, Notes, audit);
}

/// <summary>
/// Runs a report's methods on a tabular model (one model or an ensemble, seen only through its predictor: rows of the
/// user's columns in, predictions out) over its search's held-out test rows, with the training rows as background.
/// Binary models are explained in their positive class's probability, multiclass ones in the probability of the class
/// each row is predicted, regression ones in the predicted value.
/// </summary>
public sealed class ReportBuilder(TabularExperiment experiment, ITabularPredictor predictor, SearchSettings settings, ReportOptions options)
{
    /// <summary>Most classes a multiclass model's fairness is broken down by, one positive class at a time.</summary>
    public const int MaxFairnessClasses = 5;

    private int Seed => settings.Seed;

    /// <param name="progress">Told the share done and the stage before each method; awaited.</param>
    public async Task<ReportContent> BuildAsync(ReportRequest request, Func<double, string, Task> progress, CancellationToken cancellationToken)
    {
        var notes = new List<string>();
        var methods = (request.Methods is { Count: > 0 } asked ? asked : ReportMethods.All).ToList();
        if (methods.Remove(ReportMethods.IntegratedGradients) && request.Methods is { Count: > 0 })
        {
            notes.Add("Integrated Gradients explains neural networks through their gradients; this model is not one, so the other methods explain it.");
        }

        var columns = experiment.InputColumns.Select(c => c.Name).ToList();
        var test = experiment.Split.TestRows;
        if (test.Count < 2)
        {
            throw new InvalidOperationException($"The search held out {test.Count} test row(s); a report needs at least two.");
        }

        var evaluation = test.Take(options.MaxEvaluationRows).ToList();
        if (evaluation.Count < test.Count)
        {
            notes.Add($"Permutation importance and fairness use the first {evaluation.Count:N0} of the {test.Count:N0} held-out test rows.");
        }

        var explained = (request.Rows is { Count: > 0 } rows ? rows : Enumerable.Range(0, Math.Min(options.DefaultRows, test.Count))).ToList();
        var testRows = Rows.FromDictionaries(experiment.InputRows(evaluation), columns);
        var targets = experiment.TargetTexts(evaluation);
        var explainedRows = Rows.FromDictionaries(experiment.InputRows([.. explained.Select(r => test[r])]), columns);
        var random = new Random(Seed);
        var training = experiment.Split.TrainingRows;
        var backgroundIndices = training.Count <= options.BackgroundRows
            ? training.ToList()
            : [.. training.OrderBy(_ => random.Next()).Take(options.BackgroundRows)];
        var background = Rows.FromDictionaries(experiment.InputRows(backgroundIndices), columns);

        var steps = methods.Count;
        var done = 0;
        Task Step(string stage) => progress((double)done++ / Math.Max(1, steps), stage);

        var explainedPredictions = await PredictAsync(explainedRows, cancellationToken);
        var explainedTargets = experiment.TargetTexts([.. explained.Select(r => test[r])]);
        var explainedText = explainedPredictions.Select((p, i) => Describe(p, explainedTargets[i])).ToList();

        ReportImportance? importance = null;
        if (methods.Contains(ReportMethods.Permutation))
        {
            await Step($"Permutation importance on {testRows.Count:N0} test rows");
            importance = await ImportanceAsync(testRows, targets, cancellationToken);
        }

        ReportShap? shap = null;
        if (methods.Contains(ReportMethods.Shap))
        {
            await Step($"SHAP values of {explained.Count} rows");
            shap = await ShapAsync(background, explainedRows, explained, explainedPredictions, explainedText, cancellationToken);
        }

        ReportLime? lime = null;
        if (methods.Contains(ReportMethods.Lime))
        {
            await Step($"LIME for {explained.Count} rows");
            lime = await LimeAsync(background, explainedRows, explained, explainedPredictions, explainedText, cancellationToken);
        }

        var fairness = new List<ReportFairness>();
        if (methods.Contains(ReportMethods.Fairness))
        {
            var sensitive = request.SensitiveColumns is { Count: > 0 } chosen ? chosen : settings.SensitiveColumns;
            if (sensitive.Count == 0)
            {
                notes.Add("No fairness figures: neither the search nor the report named a sensitive column.");
            }
            else
            {
                await Step($"Fairness by {string.Join(", ", sensitive)}");
                var predictions = await PredictAsync(testRows, cancellationToken);
                foreach (var column in sensitive)
                {
                    fairness.AddRange(FairnessOf(column, testRows, targets, predictions, notes));
                }
            }
        }

        await progress(1, "Writing the report");
        var output = experiment.Task switch
        {
            TabularTask.Regression => $"the predicted {experiment.Options.Target}",
            TabularTask.Binary => $"the probability that {experiment.Options.Target} is '{experiment.Classes[1]}'",
            _ => $"the probability of the class the model predicts for each row (of {experiment.Options.Target})",
        };
        return new ReportContent(output, methods, importance, shap, lime, fairness, notes, explained);
    }

    private Task<IReadOnlyList<TabularPrediction>> PredictAsync(Rows rows, CancellationToken cancellationToken) =>
        Task.Run(() => predictor.Predict(rows), cancellationToken);

    /// <summary>The explained output of a prediction: the value, the positive class's probability, or that of <paramref name="classIndex"/>.</summary>
    private double Output(TabularPrediction prediction, int classIndex) => experiment.Task == TabularTask.Regression
        ? prediction.Value ?? double.NaN
        : prediction.Probabilities is { } p && p.TryGetValue(experiment.Classes[classIndex], out var probability) ? probability : double.NaN;

    private int ExplainedClass(TabularPrediction prediction) => experiment.Task switch
    {
        TabularTask.Regression => 0,
        TabularTask.Binary => 1,
        _ => Math.Max(0, IndexOfClass(prediction.Class)),
    };

    private int IndexOfClass(string? name) => name is null ? -1 : experiment.Classes.ToList().IndexOf(name);

    private Scorer ScorerFor(int classIndex) => async (rows, cancellationToken) =>
    {
        var predictions = await PredictAsync(rows, cancellationToken);
        return [.. predictions.Select(p => Output(p, classIndex))];
    };

    private async Task<ReportImportance> ImportanceAsync(Rows rows, IReadOnlyList<string> targets, CancellationToken cancellationToken)
    {
        var metric = experiment.Metric;
        var classes = experiment.Classes;
        var truthIndex = targets.Select(IndexOfClass).ToArray();
        // One number per row the metric can be computed from: the value (regression), the positive class's probability
        // (AUC), the probability given to the row's true class (log-loss; rows keep their order when a column is
        // shuffled), else the predicted class's index.
        Scorer scorer = async (batch, token) =>
        {
            var predictions = await PredictAsync(batch, token);
            return [.. predictions.Select((p, i) => metric switch
            {
                _ when experiment.Task == TabularTask.Regression => p.Value ?? double.NaN,
                TabularMetric.Auc => Output(p, 1),
                TabularMetric.LogLoss => Output(p, Math.Max(0, truthIndex[i])),
                _ => IndexOfClass(p.Class),
            })];
        };
        Metric score = (truth, scores) =>
        {
            if (experiment.Task == TabularTask.Regression)
            {
                return TabularEvaluation.ForNumbers(truth, scores).Value(metric);
            }

            var actual = truth.Select(t => (int)t).ToList();
            switch (metric)
            {
                case TabularMetric.LogLoss:
                    return -scores.Average(p => Math.Log(Math.Max(p, 1e-15)));
                case TabularMetric.Auc:
                    return TabularEvaluation.ForClasses(
                        experiment.Task, classes, actual, [.. scores.Select(p => p >= 0.5 ? 1 : 0)], [.. scores.Select(p => new[] { 1 - p, p })], scores).Value(metric);
                default:
                    var predicted = scores.Select(s => Math.Max(0, (int)s)).ToList();
                    return TabularEvaluation.ForClasses(
                        experiment.Task, classes, actual, predicted, [.. predicted.Select(c => OneHot(c, classes.Count))]).Value(metric);
            }
        };
        var truthValues = experiment.Task == TabularTask.Regression
            ? targets.Select(t => double.Parse(t, CultureInfo.InvariantCulture)).ToArray()
            : truthIndex.Select(i => (double)i).ToArray();
        var result = await PermutationImportance.ComputeAsync(
            scorer, rows, truthValues, score,
            new PermutationImportanceOptions { Repeats = options.PermutationRepeats, Seed = Seed, HigherIsBetter = metric.Direction() == AutoDL.Core.Search.Direction.Maximize },
            cancellationToken);
        return new ReportImportance(
            MetricName(metric), result.Repeats, rows.Count, result.Baseline,
            [.. result.Columns.OrderByDescending(c => c.Mean).Select(c => new ReportColumnImportance(c.Column, c.Mean, c.Lower, c.Upper))]);
    }

    private static double[] OneHot(int index, int count)
    {
        var row = new double[count];
        row[Math.Clamp(index, 0, count - 1)] = 1;
        return row;
    }

    private async Task<ReportShap> ShapAsync(
        Rows background, Rows explained, IReadOnlyList<int> indices, IReadOnlyList<TabularPrediction> predictions, IReadOnlyList<string> texts,
        CancellationToken cancellationToken)
    {
        if (predictor is TabularPredictor trees && TreeShapExplainer.CanExplain(predictor, out _))
        {
            return await Task.Run(() => TreeShap(trees, explained, indices, predictions, texts), cancellationToken);
        }

        var summary = Background.Summarize(background, Math.Min(20, background.Count), Seed);
        var shapOptions = new ShapOptions { Seed = Seed };
        var rows = new ReportShapRow[explained.Count];
        var positions = new Positions(explained);
        ShapExplanation? last = null;
        // One explainer per explained class: binary and regression models have one, multiclass ones one per predicted class.
        foreach (var group in Enumerable.Range(0, explained.Count).GroupBy(i => ExplainedClass(predictions[i])))
        {
            var members = group.ToList();
            var explanation = await new ShapExplainer(ScorerFor(group.Key), summary, shapOptions).ExplainAsync(explained.Subset(members), cancellationToken);
            last = explanation;
            foreach (var (member, k) in members.Select((m, k) => (m, k)))
            {
                var row = explanation.Rows[k];
                rows[member] = new ReportShapRow(
                    indices[member], texts[member], row.BaseValue, row.Prediction, row.AdditivityError,
                    [.. explanation.Columns.Select((c, j) => Attribution(explained, positions, member, c, row.Values[j]))]);
            }
        }

        var columns = explained.Columns;
        var method = last?.Method == ShapMethod.Exact
            ? $"Exact Shapley values (all {last.Coalitions:N0} coalitions of {columns.Count} columns)"
            : $"Kernel SHAP ({last?.Coalitions ?? 0:N0} coalitions of {columns.Count} columns, paired sampling)";
        return new ReportShap(
            $"{method}, interventional, background of {summary.Count} k-means centres of {background.Count} training rows", null,
            rows.Length == 0 ? 0 : rows[0].BaseValue, summary.Count, rows.Length == 0 ? 0 : rows.Max(r => r.AdditivityError), MeanAbsolute(columns, rows), rows);
    }

    /// <summary>
    /// TreeSHAP (exact, path-dependent) for LightGbm, FastTree and FastForest models, in the trees' raw score with node
    /// covers counted on the training rows; multiclass rows in their predicted class's score.
    /// </summary>
    private ReportShap TreeShap(
        TabularPredictor trees, Rows explained, IReadOnlyList<int> indices, IReadOnlyList<TabularPrediction> predictions, IReadOnlyList<string> texts)
    {
        var explainer = TreeShapExplainer.Create(trees, experiment);
        var values = explainer.Explain(explained);
        var rows = new List<ReportShapRow>(explained.Count);
        var positions = new Positions(explained);
        for (var i = 0; i < explained.Count; i++)
        {
            var explainedOutput = experiment.Task == TabularTask.Multiclass ? Math.Max(0, explainer.Outputs.ToList().IndexOf(predictions[i].Class ?? "")) : 0;
            var explanation = values[i][explainedOutput];
            rows.Add(new ReportShapRow(
                indices[i], texts[i], explanation.ExpectedValue, explanation.Margin, explanation.AdditivityError,
                [.. explanation.Columns.Select(c => Attribution(explained, positions, i, c.Column, c.Value))]));
        }

        var output = experiment.Task switch
        {
            TabularTask.Regression => $"the trees' raw prediction of {experiment.Options.Target}",
            TabularTask.Binary => $"the trees' raw score for '{experiment.Classes[1]}' (before the probability is calibrated from it)",
            _ => "the trees' raw score of the class the model predicts for each row (before the softmax)",
        };
        return new ReportShap(
            $"TreeSHAP (exact, path-dependent) over the {experiment.Split.TrainingRows.Count:N0} training rows' node covers", output,
            rows.Count == 0 ? 0 : rows[0].BaseValue, experiment.Split.TrainingRows.Count, rows.Count == 0 ? 0 : rows.Max(r => r.AdditivityError), MeanAbsolute(explained.Columns, rows), rows);
    }

    /// <summary>Mean |SHAP| per column over the explained rows, largest first.</summary>
    private static List<ReportColumnValue> MeanAbsolute(IReadOnlyList<string> columns, IReadOnlyList<ReportShapRow> rows) =>
    [
        .. columns
            .Select(c => new ReportColumnValue(c, rows.Count == 0 ? 0 : rows.Average(r => Math.Abs(r.Attributions.FirstOrDefault(a => a.Column == c)?.Attribution ?? 0))))
            .OrderByDescending(c => c.Value),
    ];

    private static ReportAttribution Attribution(Rows rows, Positions positions, int row, string column, double value) =>
        new(column, Text(rows[row][column]), value, positions.Of(column, rows[row][column]));

    private async Task<ReportLime> LimeAsync(
        Rows background, Rows explained, IReadOnlyList<int> indices, IReadOnlyList<TabularPrediction> predictions, IReadOnlyList<string> texts,
        CancellationToken cancellationToken)
    {
        var limeOptions = new LimeOptions { Seed = Seed };
        var width = limeOptions.KernelWidth ?? 0.75 * Math.Sqrt(explained.Columns.Count);
        var rows = new List<ReportLimeRow>();
        var explainers = new Dictionary<int, LimeExplainer>();
        for (var i = 0; i < explained.Count; i++)
        {
            var target = ExplainedClass(predictions[i]);
            if (!explainers.TryGetValue(target, out var explainer))
            {
                explainers[target] = explainer = new LimeExplainer(ScorerFor(target), background, limeOptions);
            }

            var explanation = await explainer.ExplainAsync(explained, i, cancellationToken);
            rows.Add(new ReportLimeRow(
                indices[i], texts[i], explanation.Score, explanation.Stability,
                [.. explanation.Weights.OrderByDescending(w => Math.Abs(w.Weight)).Select(w => new ReportLimeWeight(w.Column, w.Condition, w.Weight))]));
        }

        return new ReportLime(limeOptions.Samples, width, limeOptions.StabilitySeeds, rows);
    }

    private IEnumerable<ReportFairness> FairnessOf(
        string column, Rows rows, IReadOnlyList<string> targets, IReadOnlyList<TabularPrediction> predictions, List<string> notes)
    {
        var sensitive = rows.Column(column);
        if (experiment.Task == TabularTask.Regression)
        {
            var actual = targets.Select(t => double.Parse(t, CultureInfo.InvariantCulture)).ToList();
            var predicted = predictions.Select(p => p.Value ?? double.NaN).ToList();
            var figures = Fairness.Regression(column, sensitive, actual, predicted);
            yield return new ReportFairness(
                column, Binning(figures.BinEdges), null,
                [.. figures.Groups.Select(g => new ReportGroup(g.Group, g.Count, null, null, null, null, g.MeanPrediction, g.MeanError, g.MeanAbsoluteError))],
                null, null, null, null,
                $"Mean predictions differ by up to {ReportSvg.Format(figures.MeanPredictionDifference)} between groups, and mean absolute errors by up to {ReportSvg.Format(figures.MeanAbsoluteErrorDifference)}.");
            yield break;
        }

        var positives = experiment.Task == TabularTask.Binary
            ? [experiment.Classes[1]]
            : targets.GroupBy(t => t).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).Select(g => g.Key).Take(MaxFairnessClasses).ToList();
        if (experiment.Task == TabularTask.Multiclass && experiment.Classes.Count > MaxFairnessClasses)
        {
            notes.Add($"Fairness by {column} is broken down for the {MaxFairnessClasses} most frequent of the {experiment.Classes.Count} classes, each against the rest.");
        }

        foreach (var positive in positives)
        {
            var figures = Fairness.Classification(column, sensitive, targets, [.. predictions.Select(p => p.Class)], positive);
            yield return new ReportFairness(
                column, Binning(figures.BinEdges), positive,
                [.. figures.Groups.Select(g => new ReportGroup(g.Group, g.Count, g.SelectionRate, g.Accuracy, g.TruePositiveRate, g.FalsePositiveRate, null, null, null))],
                figures.DemographicParityDifference, figures.DemographicParityRatio, figures.EqualizedOddsDifference, figures.BelowFourFifths, figures.FourFifths);
        }
    }

    private static string? Binning(IReadOnlyList<double>? edges) => edges is null
        ? null
        : $"A numeric column, cut into {edges.Count - 1} quantile bins of the test rows at {string.Join(", ", edges.Select(ReportSvg.Format))} (each bin [a, b), the last [a, b]); missing values form a group of their own.";

    private string Describe(TabularPrediction prediction, string actual) => experiment.Task == TabularTask.Regression
        ? $"predicted {ReportSvg.Format(prediction.Value ?? double.NaN)}, actual {actual}"
        : $"predicted {prediction.Class} ({(prediction.Probabilities?.GetValueOrDefault(prediction.Class ?? "") ?? 0).ToString("0.##", CultureInfo.InvariantCulture)}), actual {actual}";

    private static string Text(object? value) => value switch
    {
        null => "",
        double d => d.ToString("G6", CultureInfo.InvariantCulture),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };

    /// <summary>Where a value sits among the explained rows' values of its column (0 lowest, 1 highest); null for non-numbers.</summary>
    private sealed class Positions(Rows rows)
    {
        private readonly Dictionary<string, double[]> _sorted = new(StringComparer.Ordinal);

        public double? Of(string column, object? value)
        {
            if (value is not double number)
            {
                return null;
            }

            if (!_sorted.TryGetValue(column, out var sorted))
            {
                _sorted[column] = sorted = [.. rows.Column(column).OfType<double>().Order()];
            }

            if (sorted.Length <= 1)
            {
                return 0.5;
            }

            // The count of values below it: the first index of it in the sorted values.
            var index = Array.BinarySearch(sorted, number);
            while (index > 0 && sorted[index - 1] == number)
            {
                index--;
            }

            return (index < 0 ? ~index : index) / (double)(sorted.Length - 1);
        }
    }

    private static string MetricName(TabularMetric metric) => metric switch
    {
        TabularMetric.Auc => "AUC",
        TabularMetric.Rmse => "RMSE",
        TabularMetric.Mae => "MAE",
        TabularMetric.RSquared => "R²",
        TabularMetric.LogLoss => "log-loss",
        TabularMetric.MacroF1 => "macro-F1",
        TabularMetric.BalancedAccuracy => "balanced accuracy",
        _ => "accuracy",
    };
}
