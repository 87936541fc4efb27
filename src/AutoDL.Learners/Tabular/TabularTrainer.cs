using AutoDL.Core.Search;
using AutoDL.Learners.Ensembles;
using Microsoft.ML;

namespace AutoDL.Learners.Tabular;

/// <summary>A trial's cross-validated score: the mean of its folds', in the metric's own direction.</summary>
public sealed record CrossValidationResult(TabularMetric Metric, double Mean, IReadOnlyList<double> FoldScores);

/// <summary>Reports a fold's running score; <see cref="TrialContext.ReportAsync"/> is one.</summary>
public delegate Task FoldReporter(int step, double value, CancellationToken cancellationToken);

/// <summary>
/// Trains one trial of a tabular search: builds the pipeline from the trial's parameters and cross-validates it on the
/// experiment's folds (never its test rows), reporting the running mean after each fold so a pruner can stop a poor
/// trial early. Every fold gets its own <see cref="MLContext"/> seeded with the search's seed, so a trial scores the
/// same whenever it runs, and cancelling the trial's token cancels that context: a fit stops in the middle (see
/// <see cref="FitAndEvaluate"/>), and no other trial's fit is touched.
/// </summary>
public sealed class TabularTrainer(TabularExperiment experiment)
{
    public TabularExperiment Experiment => experiment;

    /// <summary>The search objective: one value, the mean cross-validated metric.</summary>
    public TrialObjective Objective => EvaluateAsync;

    /// <exception cref="TrialPrunedException">The pruner stopped the trial after a fold.</exception>
    public async Task<IReadOnlyList<double>> EvaluateAsync(TrialContext trial, CancellationToken cancellationToken)
    {
        var result = await CrossValidateAsync(trial.Parameters, trial.ReportAsync, cancellationToken);
        return [result.Mean];
    }

    /// <param name="parameters">Learner-facing values of the experiment's search space (as <see cref="TrialContext.Parameters"/>).</param>
    /// <param name="report">Called after fold i (step i, from 0) with the mean of the folds so far; null to report nothing.</param>
    /// <exception cref="ArgumentException">The parameters do not fit the space, or the data do not fit the learner.</exception>
    /// <exception cref="InvalidOperationException">A fold's metric is not a finite number.</exception>
    public async Task<CrossValidationResult> CrossValidateAsync(
        IReadOnlyDictionary<string, object> parameters, FoldReporter? report, CancellationToken cancellationToken) =>
        (await RunFoldsAsync(parameters, report, outOfFold: false, cancellationToken)).Result;

    /// <summary>
    /// Cross-validates as <see cref="CrossValidateAsync"/> does (same folds, same seeds, so the same score) and keeps
    /// every validation row's prediction: each row of the folds' validation sets predicted by the fold model that did
    /// not see it (every training row, unless the experiment uses one hold-out instead of folds).
    /// </summary>
    /// <exception cref="ArgumentException">The parameters do not fit the space, or the data do not fit the learner.</exception>
    /// <exception cref="InvalidOperationException">A fold's metric is not a finite number.</exception>
    public async Task<(CrossValidationResult Result, OutOfFoldPredictions Predictions)> CrossValidateOutOfFoldAsync(
        IReadOnlyDictionary<string, object> parameters, CancellationToken cancellationToken)
    {
        var (result, predictions) = await RunFoldsAsync(parameters, null, outOfFold: true, cancellationToken);
        return (result, predictions!);
    }

    private async Task<(CrossValidationResult Result, OutOfFoldPredictions? Predictions)> RunFoldsAsync(
        IReadOnlyDictionary<string, object> parameters, FoldReporter? report, bool outOfFold, CancellationToken cancellationToken)
    {
        CheckFits(parameters);
        var scores = new List<double>(experiment.Split.Folds.Count);
        var width = experiment.PredictionWidth;
        var rows = outOfFold ? OutOfFoldPredictions.RowsOf(experiment.Split) : null;
        var values = outOfFold ? new double[rows!.Count * width] : null;
        var offset = 0;
        for (var fold = 0; fold < experiment.Split.Folds.Count; fold++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var foldRows = experiment.Split.Folds[fold];
            var (model, evaluation, predictions) = await Task.Run(
                () => FitAndEvaluate(experiment, parameters, foldRows.TrainRows, foldRows.ValidationRows, cancellationToken, outOfFold), cancellationToken);
            // A fold's network holds native memory: released now rather than whenever the collector runs.
            model.Network?.Dispose();
            cancellationToken.ThrowIfCancellationRequested();

            var score = evaluation.Value(experiment.Metric);
            if (!double.IsFinite(score))
            {
                // RMSE of finite targets is only undefined when a prediction is not a finite number.
                throw new InvalidOperationException(experiment.Metric is TabularMetric.Rmse
                    ? $"Fold {fold} scored {score} on {experiment.Metric}: the model predicted values that are not finite numbers: with these parameters the learner made no usable model (it diverged, or its trees could not split)."
                    : $"Fold {fold} scored {score} on {experiment.Metric}: the metric is undefined on its {foldRows.ValidationRows.Count} validation rows.");
            }

            scores.Add(score);
            if (predictions is not null)
            {
                predictions.CopyTo(values!, offset);
                offset += predictions.Length;
            }

            if (report is not null)
            {
                await report(fold, scores.Average(), cancellationToken);
            }
        }

        var result = new CrossValidationResult(experiment.Metric, scores.Average(), scores);
        return (result, outOfFold ? new OutOfFoldPredictions(rows!, width, values!) : null);
    }

    /// <summary>
    /// Fits the pipeline on <paramref name="trainRows"/> and scores it on <paramref name="evaluationRows"/>. The MLP
    /// (<see cref="TabularMlp"/>) fits its featurizer and trains its network instead, and is scored from its predictions
    /// as ensembles are (<see cref="EnsembleScoring"/>).
    /// </summary>
    /// <param name="predictions">Also return the evaluation rows' predictions (<see cref="TabularExperiment.Predictions"/>).</param>
    /// <param name="detailed">Also the curves or residuals of the evaluation (a model's test rows).</param>
    /// <param name="cancellationToken">
    /// Stops the fit in the middle: it cancels the fit's own <see cref="MLContext"/> (no other fit shares it), whose
    /// trainers and data cursors check it at each iteration, tree or pass over the data.
    /// </param>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the fit and its scoring ended.</exception>
    internal static (TabularPredictor Model, TabularEvaluation Evaluation, double[]? Predictions) FitAndEvaluate(
        TabularExperiment experiment, IReadOnlyDictionary<string, object> parameters, IReadOnlyList<int> trainRows, IReadOnlyList<int> evaluationRows,
        CancellationToken cancellationToken, bool predictions = false, bool detailed = false) =>
        InContext(experiment, cancellationToken, (ml, info) =>
        {
            if (IsMlp(parameters))
            {
                var (featurizer, network) = TabularMlp.Fit(ml, experiment, parameters, trainRows, cancellationToken);
                var predicted = TabularMlp.Predict(featurizer, network, experiment.Labelled(evaluationRows));
                var scores = EnsembleScoring.Evaluate(experiment, evaluationRows, predicted, detailed);
                cancellationToken.ThrowIfCancellationRequested();
                return (new TabularPredictor(featurizer, info, network), scores, predictions ? predicted : null);
            }

            var pipeline = TabularPipeline.Build(ml, experiment.Task, experiment.Plan, parameters, experiment.Options.Seed, trainRows.Count);
            var model = pipeline.Fit(experiment.Labelled(trainRows));
            var scored = model.Transform(experiment.Labelled(evaluationRows));
            var evaluation = experiment.Evaluate(scored, detailed);
            var values = predictions ? experiment.Predictions(scored) : null;
            cancellationToken.ThrowIfCancellationRequested();
            return (new TabularPredictor(model, info), evaluation, values);
        });

    /// <summary>
    /// Fits the pipeline on <paramref name="rows"/> as <see cref="FitAndEvaluate"/> does (same plan, parameters and seed),
    /// scoring nothing: a deployed model refitted on every row, whose test figures come from the fit without the test rows.
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the fit ended.</exception>
    internal static TabularPredictor Fit(
        TabularExperiment experiment, IReadOnlyDictionary<string, object> parameters, IReadOnlyList<int> rows, CancellationToken cancellationToken) =>
        InContext(experiment, cancellationToken, (ml, info) =>
        {
            if (IsMlp(parameters))
            {
                var (featurizer, network) = TabularMlp.Fit(ml, experiment, parameters, rows, cancellationToken);
                cancellationToken.ThrowIfCancellationRequested();
                return new TabularPredictor(featurizer, info, network);
            }

            var pipeline = TabularPipeline.Build(ml, experiment.Task, experiment.Plan, parameters, experiment.Options.Seed, rows.Count);
            var model = pipeline.Fit(experiment.Labelled(rows));
            cancellationToken.ThrowIfCancellationRequested();
            return new TabularPredictor(model, info);
        });

    /// <summary>Every row of the experiment with a target, training and test, in order.</summary>
    internal static IReadOnlyList<int> AllRows(TabularExperiment experiment) =>
        [.. experiment.Split.TrainingRows.Concat(experiment.Split.TestRows).Order()];

    private static bool IsMlp(IReadOnlyDictionary<string, object> parameters) =>
        parameters.TryGetValue(TabularParameters.Learner, out var learner) && learner is TabularLearners.Mlp;

    /// <summary>
    /// Runs <paramref name="fit"/> with a fresh <see cref="MLContext"/> seeded with the search's seed and cancelled with
    /// <paramref name="cancellationToken"/>, whose trainers and data cursors check it at each iteration, tree or pass over the data.
    /// </summary>
    private static T InContext<T>(TabularExperiment experiment, CancellationToken cancellationToken, Func<MLContext, TabularModelInfo, T> fit)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var ml = new MLContext(experiment.Options.Seed);
        try
        {
            // Once the registration is disposed the context is cancelled exactly when the token is: a model returned
            // below was fitted by a context that was never cancelled.
            using (ml.CancelWith(cancellationToken))
            {
                return fit(ml, TabularModelBuilder.Info(experiment));
            }
        }
        catch (Exception e) when (cancellationToken.IsCancellationRequested && !(e is OperationCanceledException c && c.CancellationToken == cancellationToken))
        {
            // ML.NET throws its own OperationCanceledException (or, from some native or parallel code, another
            // exception) once the context is cancelled: either way the fit stopped because the token asked it to.
            throw new OperationCanceledException("The fit was stopped: its trial was cancelled.", e, cancellationToken);
        }
    }

    /// <summary>Rejects parameters outside the space, and a Poisson regression on a target with negative values.</summary>
    internal static void CheckFits(TabularExperiment experiment, IReadOnlyDictionary<string, object> parameters)
    {
        if (!parameters.TryGetValue(TabularParameters.Learner, out var learner) || learner is not string name)
        {
            throw new ArgumentException($"The parameters need a '{TabularParameters.Learner}' choice.", nameof(parameters));
        }

        if (experiment.Space[TabularParameters.Learner].Distribution is CategoricalDistribution learners && learners.IndexOf(name) < 0)
        {
            throw new ArgumentException(
                $"'{name}' is not a learner of this search; it has {string.Join(", ", learners.Choices)}.", nameof(parameters));
        }

        if (experiment.Task == TabularTask.Regression && name == TabularLearners.Lbfgs
            && ((SingleTableColumn)experiment.Table[TabularPipeline.LabelColumn]).Values.Any(v => v < 0))
        {
            throw new ArgumentException(
                $"L-BFGS Poisson regression needs a non-negative target, and '{experiment.Options.Target}' has negative values: choose another learner.",
                nameof(parameters));
        }
    }

    private void CheckFits(IReadOnlyDictionary<string, object> parameters) => CheckFits(experiment, parameters);
}
