using System.Diagnostics;
using AutoDL.Core.Datasets;
using AutoDL.Core.Search;
using AutoDL.Jobs.Models;
using AutoDL.Jobs.Searches;
using AutoDL.Learners;
using AutoDL.Learners.Ensembles;
using AutoDL.Learners.Tabular;

namespace AutoDL.Bench;

/// <summary>
/// The product's answer for its part of the run: the search job's loop (TPE, median pruner, a wall-clock budget), the best
/// trial refitted on the training rows, then the finishing job's ensemble step; <see cref="Predictor"/> is what the
/// leaderboard's top model predicts with (the ensemble when it is kept, else the best trial).
/// </summary>
/// <param name="TrainingSeconds">The search's time inside the learners' fitting and scoring of folds.</param>
internal sealed record ProductAnswer(
    TabularExperiment Experiment, SearchRunSummary Summary, IReadOnlyList<Trial> Trials, Trial Best, IReadOnlyDictionary<string, object> Parameters,
    TabularModel Model, EnsemblePlan Plan, TabularEnsemble? Ensemble, IReadOnlyList<TabularEnsembleMember> Members,
    double SearchSeconds, double TrainingSeconds, double RefitSeconds, double EnsembleSeconds)
{
    public string Learner => (string)Parameters[TabularParameters.Learner];

    public ITabularPredictor Predictor => Ensemble is null ? Model.Predictor : Ensemble.Predictor;

    /// <summary>The learners the answer predicts with: the best trial's, or the kept ensemble's members with their weights.</summary>
    public string Learners => Ensemble is null
        ? Learner
        : "ensemble " + string.Join(" + ", Members.GroupBy(m => (string)m.Parameters[TabularParameters.Learner])
            .OrderByDescending(g => g.Sum(m => m.Weight)).Select(g => $"{g.Key}×{g.Sum(m => m.Weight)}"));

    /// <summary>The three commonest failures of the search's trials, with the learners and an example of their parameters.</summary>
    public string Failures => string.Join("; ", Trials.Where(t => t.State == TrialState.Failed && t.Error is not null)
        .GroupBy(t => t.Error!).OrderByDescending(g => g.Count()).Take(3)
        .Select(g => $"{g.Count()}× {g.Key} (learners: {string.Join(", ", g.Select(t => Experiment.Space.ToExternal(t.Params)[TabularParameters.Learner]).Distinct())}; "
            + $"e.g. {string.Join(", ", Experiment.Space.ToExternal(g.First().Params).Select(p => $"{p.Key}={p.Value}"))})"));
}

/// <summary>The product's tabular path, in process and in memory: loading a CSV as an upload and a search launch do, and searching it.</summary>
internal static class ProductSearch
{
    /// <summary>
    /// Loads a CSV as the product does: the upload's scan gives the schema, the schema the column kinds, the target's
    /// kind and distinct count the task (SearchLauncher; <paramref name="task"/> overrides it), the settings the experiment.
    /// </summary>
    /// <param name="metric">Null: accuracy for classification, RMSE for regression (what the benchmarks score).</param>
    public static async Task<(TabularExperiment Experiment, DatasetSchema Schema)> LoadAsync(
        string path, string target, TabularTask? task, int seed, IReadOnlyList<string>? learners, CancellationToken cancellationToken)
    {
        var schema = await ScanAsync(path, cancellationToken);
        var column = schema.Columns.SingleOrDefault(c => c.Name == target)
            ?? throw new InvalidOperationException($"{Path.GetFileName(path)} has no column '{target}'.");
        var chosen = task ?? TaskInference.Infer(TabularDatasets.Kind(column.Type), (int)Math.Min(column.UniqueCount, int.MaxValue));
        var options = new TabularExperimentOptions(target)
        {
            Task = chosen,
            Metric = chosen == TabularTask.Regression ? TabularMetric.Rmse : TabularMetric.Accuracy,
            Seed = seed,
            Learners = learners,
        };
        return (await TabularExperiment.LoadAsync(TabularDatasets.Data(schema, path), options, cancellationToken), schema);
    }

    public static async Task<DatasetSchema> ScanAsync(string path, CancellationToken cancellationToken)
    {
        await using var stream = File.OpenRead(path);
        return await CsvScanner.ScanAsync(stream, Path.GetFileName(path), cancellationToken);
    }

    /// <summary>The search loop as <see cref="SearchJob"/> runs it, one worker, in memory; the best trial refitted; the ensemble step.</summary>
    /// <exception cref="InvalidOperationException">No trial completed.</exception>
    /// <param name="fittedOn">
    /// The rows of the answer's models: the training rows (to score them on the experiment's own test rows), or every
    /// row of the experiment, as the product deploys them (to score them on rows the experiment never saw).
    /// </param>
    public static async Task<ProductAnswer> SearchAsync(
        TabularExperiment experiment, double seconds, CancellationToken cancellationToken, FittedOn fittedOn = FittedOn.TrainingRows)
    {
        var store = new InMemoryTrialStore();
        var searchId = await store.CreateSearchAsync(experiment.SearchSpec(new Budget(WallClock: TimeSpan.FromSeconds(seconds))), cancellationToken);
        // The product's own choice for a TPE search with a time budget and the median pruner (SearchStrategies).
        var settings = new SearchSettings
        {
            DatasetId = "benchmark",
            Target = experiment.Options.Target,
            Task = experiment.Task,
            Metric = experiment.Metric,
            Learners = [.. experiment.Options.Learners ?? TabularLearners.Default(experiment.Task)],
            Budget = new SearchBudgetSettings(null, seconds),
        };
        var sampler = SearchStrategies.Sampler(settings, experiment.Space);
        var pruner = SearchStrategies.Pruner(settings);
        var defaults = new SearchOptions();
        var runner = new SearchRunner(store, sampler, pruner, TimeProvider.System, new SearchRunnerOptions
        {
            HeartbeatInterval = TimeSpan.FromSeconds(defaults.HeartbeatSeconds),
            StaleAfter = TimeSpan.FromSeconds(defaults.StaleAfterSeconds),
        });

        // TabularTrainer.Objective is CrossValidateAsync(trial.Parameters, trial.ReportAsync): called here the same
        // way, with the report (the store write and the pruner's verdict, both search overhead) timed apart, so the
        // rest of the objective's time is the learners' fitting and scoring of the folds.
        var trainer = new TabularTrainer(experiment);
        long trainingTicks = 0;
        TrialObjective objective = async (trial, token) =>
        {
            var start = Stopwatch.GetTimestamp();
            long reportTicks = 0;
            try
            {
                var result = await trainer.CrossValidateAsync(trial.Parameters, async (step, value, reportToken) =>
                {
                    var reportStart = Stopwatch.GetTimestamp();
                    try
                    {
                        await trial.ReportAsync(step, value, reportToken);
                    }
                    finally
                    {
                        reportTicks += Stopwatch.GetTimestamp() - reportStart;
                    }
                }, token);
                return [result.Mean];
            }
            finally
            {
                trainingTicks += Stopwatch.GetTimestamp() - start - reportTicks;
            }
        };

        var search = Stopwatch.StartNew();
        var summary = await runner.RunAsync(searchId, "bench", objective, cancellationToken);
        var searchSeconds = search.Elapsed.TotalSeconds;

        var trials = await store.GetTrialsAsync(searchId, cancellationToken);
        var complete = trials.Where(t => t.State == TrialState.Complete && t.Value is not null).ToList();
        // As the search job finishes: the best complete trial, else the best trial the budget cut (by its best reported
        // fold), else nothing.
        var best = complete.Count > 0
            ? (experiment.Direction == Direction.Maximize ? complete.MaxBy(t => t.Value!.Value)! : complete.MinBy(t => t.Value!.Value)!)
            : SearchJob.BestCut(trials, experiment.Direction)
              ?? throw new InvalidOperationException(
                  $"No trial completed or reported a fold in {seconds:0.#} s ({trials.Count} ran): {trials.FirstOrDefault(t => t.Error is not null)?.Error ?? "no trial ran"}");
        var parameters = experiment.Space.ToExternal(best.Params);
        var refit = Stopwatch.StartNew();
        var model = await TabularModelBuilder.FitAsync(experiment, parameters, cancellationToken, fittedOn);
        var refitSeconds = refit.Elapsed.TotalSeconds;

        // The finishing job's ensemble step (SearchEnsembler): candidates cross-validated again, greedy selection, and the
        // ensemble refitted and tested once when it beats the best trial out of fold.
        var ensembleWatch = Stopwatch.StartNew();
        var plan = await SearchEnsembler.PlanAsync(
            experiment, experiment.Space, experiment.Direction, complete, trials, new EnsembleOptions(), (_, _) => { }, cancellationToken);
        TabularEnsemble? ensemble = null;
        IReadOnlyList<TabularEnsembleMember> members = [];
        if (plan.Selection is { } selection && selection.BeatsBestSingle(experiment.Direction))
        {
            members = plan.Members();
            ensemble = await TabularEnsembleBuilder.FitAsync(experiment, members, cancellationToken, fittedOn);
        }

        return new ProductAnswer(
            experiment, summary, trials, best, parameters, model, plan, ensemble, members,
            searchSeconds, Stopwatch.GetElapsedTime(0, trainingTicks).TotalSeconds, refitSeconds, ensembleWatch.Elapsed.TotalSeconds);
    }
}
