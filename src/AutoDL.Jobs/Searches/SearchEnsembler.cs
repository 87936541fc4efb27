using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using AutoDL.Core.Search;
using AutoDL.Data;
using AutoDL.Data.Models;
using AutoDL.Jobs.Events;
using AutoDL.Jobs.Models;
using AutoDL.Learners;
using AutoDL.Learners.Ensembles;
using AutoDL.Learners.Tabular;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AutoDL.Jobs.Searches;

/// <summary>
/// The finishing worker's ensemble step (Caruana et al. 2004 ensemble selection). Out-of-fold predictions are not kept
/// while trials run: they are recomputed here for the best complete trials (distinct parameters, at most
/// <see cref="EnsembleOptions.Candidates"/>, within <see cref="EnsembleOptions.ExtraTimeShare"/> of the search's
/// compute), by cross-validating them again on the same folds with the same seeds. That costs those trials' time
/// once more, but keeps workers stateless (any worker on any machine may finish the search, a restart loses nothing)
/// and memory bounded to the candidates. Greedy selection over those predictions then picks weights; the ensemble is
/// kept only when its out-of-fold score beats the best single candidate's on the same rows (pooled out-of-fold scores
/// for both, so the comparison is like for like). A kept ensemble's members are refitted on every training row and
/// the weighted ensemble is tested once on the test rows; then, by default, each member is refitted on every row, test
/// rows included, with the same weights, as the deployed ensemble. It is stored as a model with <see cref="TrialNumber"/> (no trial
/// has it; the models table is unique on search and trial). Either way a <see cref="EnsembleReport"/> says what happened.
/// </summary>
public sealed class SearchEnsembler(
    IServiceScopeFactory scopes, EnsembleReports reports, ModelRefitter refitter, IChangePublisher changes, EnsembleOptions options,
    TimeProvider clock, ILogger<SearchEnsembler> logger)
{
    /// <summary>The trial number of a search's ensemble model: no trial has a negative number.</summary>
    public const int TrialNumber = -1;

    /// <summary>The learner name of ensemble models.</summary>
    public const string Learner = "ensemble";

    /// <summary>Tries the ensemble of <paramref name="complete"/> trials; never throws but for cancellation (failures are logged and reported).</summary>
    /// <param name="fittedOn">The rows of the deployed ensemble's members (<see cref="SearchSettings.DeployedFit"/>).</param>
    public async Task BuildAsync(
        string searchId, string? userId, TabularExperiment experiment, FittedOn fittedOn, SearchSpace space, Direction direction, IReadOnlyList<Trial> complete,
        IReadOnlyList<Trial> all, CancellationToken cancellationToken)
    {
        if (!options.Enabled)
        {
            return;
        }

        var existing = await ReadAsync(db => db.Models.AsNoTracking()
            .SingleOrDefaultAsync(m => m.SearchId == searchId && m.TrialNumber == TrialNumber, cancellationToken));
        if (existing?.State == ModelState.Ready)
        {
            return;
        }

        var metric = experiment.Metric.Name();
        try
        {
            var plan = await PlanAsync(experiment, space, direction, complete, all, options,
                (trial, e) => logger.LogInformation(e, "Trial {Trial} of search {SearchId} left out of the ensemble: its cross-validation failed again", trial.Number, searchId),
                cancellationToken);
            if (plan.Candidates < 2)
            {
                await ReportAsync(searchId, false,
                    $"No ensemble: it needs at least two complete trials with different parameters, and this search has {plan.Candidates}.",
                    metric, null, [], null, cancellationToken);
                return;
            }

            var (computed, selection, score) = (plan.Computed, plan.Selection, plan.Score);
            if (selection is null || score is null)
            {
                await ReportAsync(searchId, false, "No ensemble: fewer than two candidate trials could be cross-validated again.", metric, null, [], null, cancellationToken);
                return;
            }

            var report = computed.Select((c, i) => new EnsembleCandidateReport(
                c.Trial.Number, c.Learner, c.Trial.Value!.Value, score(c.Predictions.Values), selection.Counts[i])).ToList();
            var bestSingle = computed[selection.BestSingle].Trial.Number;
            logger.LogInformation(
                "Search {SearchId}: ensemble of {Members} of {Candidates} trials scores {Score} out of fold against {Single} for trial {Trial} alone ({Seconds:0.0} s)",
                searchId, selection.Members, computed.Count, selection.Score, selection.BestSingleScore, bestSingle, plan.Seconds);
            if (!selection.BeatsBestSingle(direction))
            {
                await ReportAsync(searchId, false,
                    $"No ensemble kept: the best mix of the top {computed.Count} trials scored {Format(selection.Score)} {metric} out of fold, "
                    + $"no better than trial #{bestSingle} alone ({Format(selection.BestSingleScore)}).",
                    metric, selection, report, null, cancellationToken, bestSingle);
                return;
            }

            var members = plan.Members();
            var modelId = await CreateModelAsync(searchId, userId, members, computed.Select(c => (c.Trial.Number, c.Learner)).ToList(), selection, cancellationToken);
            var error = await FitAsync(modelId, searchId, experiment, members, fittedOn, cancellationToken);
            var weights = string.Join(", ", members.Select(m => $"#{m.Trial}×{m.Weight}"));
            await ReportAsync(searchId, error is null,
                error is null
                    ? $"Ensemble of {members.Count} trials ({weights}) kept: {Format(selection.Score)} {metric} out of fold against {Format(selection.BestSingleScore)} for trial #{bestSingle} alone."
                    : $"An ensemble ({weights}) beat trial #{bestSingle} out of fold, but refitting it failed: {error}",
                metric, selection, report, modelId, cancellationToken, bestSingle);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning(e, "The ensemble of search {SearchId} failed", searchId);
            await ReportAsync(searchId, false, $"No ensemble: building it failed ({e.Message}).", metric, null, [], null, CancellationToken.None);
        }
    }

    /// <summary>
    /// The ensemble step without storing anything (the search job's and the benchmark's): the candidates
    /// (<see cref="Candidates"/>) cross-validated again for out-of-fold predictions, then greedy selection over them.
    /// A candidate whose cross-validation fails again is left out and passed to <paramref name="skipped"/>.
    /// </summary>
    public static async Task<EnsemblePlan> PlanAsync(
        TabularExperiment experiment, SearchSpace space, Direction direction, IReadOnlyList<Trial> complete, IReadOnlyList<Trial> all,
        EnsembleOptions options, Action<Trial, Exception> skipped, CancellationToken cancellationToken)
    {
        var candidates = Candidates(space, direction, complete, all, options);
        if (candidates.Count < 2)
        {
            return new EnsemblePlan(candidates.Count, [], null, null, space, 0);
        }

        var watch = Stopwatch.StartNew();
        var trainer = new TabularTrainer(experiment);
        var computed = new List<EnsembleCandidate>();
        foreach (var (trial, parameters) in candidates)
        {
            try
            {
                var (_, predictions) = await trainer.CrossValidateOutOfFoldAsync(parameters, cancellationToken);
                computed.Add(new EnsembleCandidate(trial, LearnerOf(parameters), predictions));
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException)
            {
                skipped(trial, e);
            }
        }

        if (computed.Count < 2)
        {
            return new EnsemblePlan(candidates.Count, computed, null, null, space, watch.Elapsed.TotalSeconds);
        }

        var score = EnsembleScoring.Metric(experiment, computed[0].Predictions.Rows);
        var selection = await Task.Run(
            () => EnsembleSelection.Select([.. computed.Select(c => c.Predictions.Values)], experiment.PredictionWidth, score, direction, options.Rounds),
            cancellationToken);
        return new EnsemblePlan(candidates.Count, computed, selection, score, space, watch.Elapsed.TotalSeconds);
    }

    /// <summary>
    /// The best complete trials, best first (ties by number), one per distinct parameter set, at most
    /// <see cref="EnsembleOptions.Candidates"/>, and past the best two only while their summed durations stay within
    /// <see cref="EnsembleOptions.ExtraTimeShare"/> of every finished trial's.
    /// </summary>
    private static List<(Trial Trial, IReadOnlyDictionary<string, object> Parameters)> Candidates(
        SearchSpace space, Direction direction, IReadOnlyList<Trial> complete, IReadOnlyList<Trial> all, EnsembleOptions options)
    {
        var ordered = direction == Direction.Maximize
            ? complete.OrderByDescending(t => t.Value!.Value).ThenBy(t => t.Number)
            : complete.OrderBy(t => t.Value!.Value).ThenBy(t => t.Number);
        var budget = options.ExtraTimeShare * all.Sum(Seconds);
        var spent = 0.0;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var chosen = new List<(Trial, IReadOnlyDictionary<string, object>)>();
        foreach (var trial in ordered)
        {
            if (chosen.Count >= Math.Max(2, options.Candidates))
            {
                break;
            }

            var parameters = space.ToExternal(trial.Params);
            if (!seen.Add(ModelJson.Parameters(parameters)))
            {
                continue;
            }

            if (chosen.Count >= 2 && spent + Seconds(trial) > budget)
            {
                break;
            }

            spent += Seconds(trial);
            chosen.Add((trial, parameters));
        }

        return chosen;

        static double Seconds(Trial t) => t.FinishedAt is { } end ? Math.Max(0, (end - t.StartedAt).TotalSeconds) : 0;
    }

    private async Task<string> CreateModelAsync(
        string searchId, string? userId, IReadOnlyList<TabularEnsembleMember> members, IReadOnlyList<(int Trial, string Learner)> learners,
        EnsembleSelectionResult selection, CancellationToken cancellationToken)
    {
        var parameters = JsonSerializer.Serialize(new
        {
            members = members.Select(m => new { trial = m.Trial, learner = learners.First(l => l.Trial == m.Trial).Learner, weight = m.Weight }),
            rounds = selection.Rounds,
            candidates = learners.Select(l => l.Trial),
        }, ModelJson.Options);
        var row = new ModelRow
        {
            Id = Guid.NewGuid().ToString("N"),
            SearchId = searchId,
            TrialNumber = TrialNumber,
            Learner = Learner,
            ParamsJson = parameters,
            ValidationValue = selection.Score,
            State = ModelState.Training,
            CreatedAt = clock.GetUtcNow().UtcDateTime,
            CreatedBy = userId,
        };
        await ReadAsync(async db =>
        {
            // A row left by an attempt that crashed half-way (never a Ready one: that returns early) is replaced.
            await db.Models.Where(m => m.SearchId == searchId && m.TrialNumber == TrialNumber).ExecuteDeleteAsync(cancellationToken);
            db.Models.Add(row);
            return await db.SaveChangesAsync(cancellationToken);
        });
        changes.Publish(new Change(ChangeKind.Model, row.Id));
        return row.Id;
    }

    /// <returns>Null when the ensemble model is Ready; else why it failed.</returns>
    private async Task<string?> FitAsync(
        string modelId, string searchId, TabularExperiment experiment, IReadOnlyList<TabularEnsembleMember> members, FittedOn fittedOn,
        CancellationToken cancellationToken)
    {
        try
        {
            var watch = Stopwatch.StartNew();
            var ensemble = await TabularEnsembleBuilder.FitAsync(experiment, members, cancellationToken, fittedOn);
            await refitter.StoreAsync(modelId, ensemble.Predictor, ensemble.TestEvaluation, ensemble.Fit, watch.Elapsed.TotalSeconds, experiment, cancellationToken);
            return null;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning(e, "Refitting the ensemble {ModelId} of search {SearchId} failed", modelId, searchId);
            var reason = $"Refitting the ensemble failed: {e.Message}";
            await ReadAsync(db => db.Models.Where(m => m.Id == modelId).ExecuteUpdateAsync(m => m
                .SetProperty(x => x.State, ModelState.Failed).SetProperty(x => x.Error, reason), CancellationToken.None));
            return reason;
        }
        finally
        {
            changes.Publish(new Change(ChangeKind.Model, modelId));
            changes.Publish(new Change(ChangeKind.Search, searchId));
        }
    }

    private Task ReportAsync(
        string searchId, bool built, string summary, string metric, EnsembleSelectionResult? selection, IReadOnlyList<EnsembleCandidateReport> candidates,
        string? modelId, CancellationToken cancellationToken, int? bestSingleTrial = null) =>
        reports.WriteAsync(searchId, new EnsembleReport(
            built, summary, metric, selection?.Score, selection?.BestSingleScore, bestSingleTrial, candidates, modelId, clock.GetUtcNow().UtcDateTime),
            cancellationToken);

    private static string LearnerOf(IReadOnlyDictionary<string, object> parameters) =>
        parameters.TryGetValue(TabularParameters.Learner, out var learner) ? learner.ToString() ?? "" : "";

    private static string Format(double value) => value.ToString("0.####", CultureInfo.InvariantCulture);

    private async Task<T> ReadAsync<T>(Func<AppDbContext, Task<T>> query)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<AppDbContext>());
    }
}

/// <summary>A candidate of the ensemble step: a trial and its recomputed out-of-fold predictions.</summary>
public sealed record EnsembleCandidate(Trial Trial, string Learner, OutOfFoldPredictions Predictions);

/// <summary>
/// What the ensemble step found: how many candidates it chose, those it could cross-validate again, and, with two or
/// more of them, the greedy selection over their out-of-fold predictions and the metric it scored them with.
/// </summary>
public sealed record EnsemblePlan(
    int Candidates, IReadOnlyList<EnsembleCandidate> Computed, EnsembleSelectionResult? Selection, Func<double[], double>? Score,
    SearchSpace Space, double Seconds)
{
    /// <summary>The members the selection picked, with their weights and parameters; none without a selection.</summary>
    public IReadOnlyList<TabularEnsembleMember> Members() => Selection is null
        ? []
        : Computed.Select((c, i) => (c, Weight: Selection.Counts[i])).Where(m => m.Weight > 0)
            .Select(m => new TabularEnsembleMember(m.c.Trial.Number, m.Weight, Space.ToExternal(m.c.Trial.Params)))
            .ToList();
}
