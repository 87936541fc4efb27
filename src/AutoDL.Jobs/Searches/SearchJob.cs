using AutoDL.Core.Search;
using AutoDL.Data;
using AutoDL.Data.Search;
using AutoDL.Jobs.Events;
using AutoDL.Jobs.Hosting;
using AutoDL.Jobs.Models;
using AutoDL.Learners;
using AutoDL.Learners.Neural;
using AutoDL.Learners.Tabular;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AutoDL.Jobs.Searches;

/// <summary>
/// One worker of a search (a Hangfire job; a search with parallelism N has N of them): loads the experiment once, runs
/// the search loop (ask → cross-validate → tell) until the budget is spent or the search is cancelled, then counts
/// itself finished. The worker that finishes last refits the best trial into the search's model and completes the
/// search. Whatever goes wrong ends the search Failed with a sentence saying why, never Running for ever.
/// </summary>
public sealed class SearchJob(
    IServiceScopeFactory scopes, PublishingTrialStore store, ModelRefitter refitter, SearchEnsembler ensembler, IChangePublisher changes,
    DataFolder dataFolder, SearchOptions options, NeuralOptions neural, TimeProvider clock, ILogger<SearchJob> logger)
{
    [Queue(JobQueues.Cpu)]
    [AutomaticRetry(Attempts = 0)]
    public Task RunAsync(string searchId, int worker, CancellationToken cancellationToken) => RunWorkerAsync(searchId, worker, cancellationToken);

    /// <summary>The same worker, for GPU machines: image searches whose networks train on CUDA (queue <c>gpu</c>).</summary>
    [Queue(JobQueues.Gpu)]
    [AutomaticRetry(Attempts = 0)]
    public Task RunOnGpuAsync(string searchId, int worker, CancellationToken cancellationToken) => RunWorkerAsync(searchId, worker, cancellationToken);

    private async Task RunWorkerAsync(string searchId, int worker, CancellationToken cancellationToken)
    {
        var search = await ReadAsync(db => db.SearchRows.AsNoTracking().SingleOrDefaultAsync(s => s.Id == searchId, cancellationToken));
        if (search is null)
        {
            logger.LogInformation("Search {SearchId} no longer exists; worker {Worker} has nothing to do", searchId, worker);
            return;
        }

        try
        {
            if (search.Status is SearchStatus.Queued or SearchStatus.Running)
            {
                await WorkAsync(search, worker, cancellationToken);
            }
            else if (await CountWorkerFinishedAsync(searchId, cancellationToken))
            {
                changes.Publish(new Change(ChangeKind.Search, searchId));
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The job server is stopping: Hangfire runs the job again when it restarts, and the loop resumes.
            throw;
        }
        catch (Exception e)
        {
            logger.LogError(e, "Worker {Worker} of search {SearchId} failed", worker, searchId);
            await FailAsync(searchId, $"The search stopped on an unexpected error: {e.Message}");
            throw;
        }
    }

    private async Task WorkAsync(SearchRow search, int worker, CancellationToken cancellationToken)
    {
        var searchId = search.Id;
        if (search.SettingsJson is null)
        {
            await FailAsync(searchId, "The search has no settings: it was not started by the search launcher.");
            await CountWorkerFinishedAsync(searchId, cancellationToken);
            return;
        }

        var settings = SearchSettings.FromJson(search.SettingsJson);
        if (await ReadAsync(db => db.SearchRows
                .Where(s => s.Id == searchId && s.Status == SearchStatus.Queued)
                .ExecuteUpdateAsync(s => s.SetProperty(x => x.Status, SearchStatus.Running), cancellationToken)) > 0)
        {
            changes.Publish(new Change(ChangeKind.Search, searchId));
        }

        SearchWorkload workload;
        try
        {
            var dataset = await ReadAsync(db => db.Datasets.AsNoTracking().SingleOrDefaultAsync(d => d.Id == settings.DatasetId, cancellationToken));
            workload = await SearchExperiments.LoadWorkloadAsync(settings, dataset, dataFolder.Path, cancellationToken, neural.Threads(settings.Parallelism));
        }
        catch (SearchDataException e)
        {
            await FailAsync(searchId, e.Message);
            await CountWorkerFinishedAsync(searchId, cancellationToken);
            return;
        }

        using (workload)
        {
            await WorkAsync(searchId, settings, workload, worker, cancellationToken);
        }
    }

    private async Task WorkAsync(string searchId, SearchSettings settings, SearchWorkload workload, int worker, CancellationToken cancellationToken)
    {
        if (settings.Metric is null && workload is TabularWorkload { Experiment: var experiment })
        {
            // The metric the experiment chose from the class balance: recorded for the pages and the audit trail.
            var resolved = (settings with { Metric = experiment.Metric }).ToJson();
            await ReadAsync(db => db.SearchRows.Where(s => s.Id == searchId)
                .ExecuteUpdateAsync(s => s.SetProperty(x => x.SettingsJson, resolved), cancellationToken));
        }

        using (var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        using (var endWatch = new CancellationTokenSource())
        {
            var watch = WatchStatusAsync(searchId, stop, endWatch.Token);
            try
            {
                var runner = new SearchRunner(store, SearchStrategies.Sampler(settings, workload.StartingPoints), SearchStrategies.Pruner(settings), clock, new SearchRunnerOptions
                {
                    HeartbeatInterval = TimeSpan.FromSeconds(options.HeartbeatSeconds),
                    StaleAfter = TimeSpan.FromSeconds(options.StaleAfterSeconds),
                    TrialTimeout = options.TrialTimeoutSeconds > 0 ? TimeSpan.FromSeconds(options.TrialTimeoutSeconds) : null,
                });
                var summary = await runner.RunAsync(searchId, $"{Environment.MachineName}:{Environment.ProcessId}/{worker}", workload.Objective, stop.Token);
                logger.LogInformation(
                    "Worker {Worker} of search {SearchId} stopped ({Reason}): {Complete} complete, {Pruned} pruned, {Failed} failed",
                    worker, searchId, summary.StopReason, summary.Complete, summary.Pruned, summary.Failed);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                // Cancelled (or failed by another worker) while talking to the store: the search's status says so.
            }
            finally
            {
                await endWatch.CancelAsync();
                await watch;
            }
        }

        cancellationToken.ThrowIfCancellationRequested();
        if (await CountWorkerFinishedAsync(searchId, cancellationToken))
        {
            await FinishAsync(searchId, settings, workload, cancellationToken);
        }
    }

    /// <summary>The last worker's part: refit the best trial and complete the search (unless it was cancelled or failed).</summary>
    private async Task FinishAsync(string searchId, SearchSettings settings, SearchWorkload workload, CancellationToken cancellationToken)
    {
        var search = await ReadAsync(db => db.SearchRows.AsNoTracking().SingleAsync(s => s.Id == searchId, cancellationToken));
        if (search.Status is not (SearchStatus.Queued or SearchStatus.Running))
        {
            changes.Publish(new Change(ChangeKind.Search, searchId));
            return;
        }

        var stored = await store.GetSearchAsync(searchId, cancellationToken);
        var trials = await store.GetTrialsAsync(searchId, cancellationToken);
        var direction = stored.Spec.Directions[0];
        var complete = trials.Where(t => t.State == TrialState.Complete && t.Primary is not null).ToList();
        Trial best;
        double validation;
        string? note = null;
        if (complete.Count == 0)
        {
            if (BestCut(trials, direction) is not { } cut)
            {
                await FailAsync(searchId, NothingFinished(trials, stored.Spec.Budget, workload));
                return;
            }

            best = cut;
            var reported = best.BestIntermediate(direction)!;
            validation = reported.Value;
            note = workload is ImageWorkload
                ? $"No trial finished inside the time budget; the model is the best cut trial's (trial {best.Number}, {reported.Value:0.####} at its epoch {reported.Step + 1}), "
                  + $"refitted for its {reported.Step + 1} epoch(s). Give the search more time for complete trials."
                : $"No trial finished inside the time budget; the model is the best cut trial's (trial {best.Number}, {reported.Value:0.####} at its step {reported.Step + 1}), "
                  + "refitted as a complete trial's would be. Give the search more time for complete trials.";
            logger.LogInformation("Search {SearchId}: no trial completed; refitting cut trial {Trial}", searchId, best.Number);
        }
        else
        {
            // The metric decides; a multi-objective search's other objectives are on its Pareto front, whose members refit on request.
            best = direction == Direction.Maximize ? complete.MaxBy(t => t.Primary!.Value)! : complete.MinBy(t => t.Primary!.Value)!;
            if (stored.Spec.Directions.Count > 1)
            {
                // Of the trials tied on the metric, one on the front: no tie may be smaller and faster than the winner.
                var front = MultiObjective.ParetoFront(complete, stored.Spec.Directions);
                best = front.Where(t => t.Primary == best.Primary).MinBy(t => t.Number) ?? best;
            }

            validation = best.Primary!.Value;
        }

        var (model, _) = await ReadAsync(db => ModelRefitter.EnsureModelAsync(
            db, searchId, best, stored.Spec.Space, isBest: true, search.CreatedBy, clock.GetUtcNow().UtcDateTime, cancellationToken));
        await ReadAsync(db => db.Models.Where(m => m.Id == model.Id)
            .ExecuteUpdateAsync(m => m.SetProperty(x => x.IsBest, true).SetProperty(x => x.ValidationValue, validation), cancellationToken));
        var modelId = model.Id;
        await ReadAsync(db => db.SearchRows.Where(s => s.Id == searchId)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.BestModelId, modelId), cancellationToken));

        var error = model.State == Data.Models.ModelState.Ready
            ? null
            : await refitter.RefitAsync(model.Id, workload, best, stored.Spec.Space, settings.DeployedFit, cancellationToken);
        var now = clock.GetUtcNow().UtcDateTime;
        if (error is not null)
        {
            await FailAsync(searchId, $"The best {(note is null ? "" : "cut ")}trial ({best.Number}) could not be refitted. {error}");
            return;
        }

        if (workload is TabularWorkload tabular && complete.Count > 0)
        {
            await EnsembleAsync(searchId, search.CreatedBy, tabular.Experiment, settings.DeployedFit, stored.Spec.Space, direction, complete, trials, cancellationToken);
        }

        now = clock.GetUtcNow().UtcDateTime;

        await ReadAsync(db => db.SearchRows
            .Where(s => s.Id == searchId && (s.Status == SearchStatus.Queued || s.Status == SearchStatus.Running))
            .ExecuteUpdateAsync(s => s
                .SetProperty(x => x.Status, SearchStatus.Completed)
                .SetProperty(x => x.FinishedAt, now)
                .SetProperty(x => x.Error, note), cancellationToken));
        changes.Publish(new Change(ChangeKind.Search, searchId));
    }

    /// <summary>
    /// Of the trials cut short (by the budget or the pruner) that reported values, the one with the best reported value:
    /// when no trial completed, better than nothing; null when none reported anything.
    /// </summary>
    public static Trial? BestCut(IReadOnlyList<Trial> trials, Direction direction)
    {
        var cut = trials.Where(t => t.State == TrialState.Pruned && t.BestIntermediate(direction) is not null).ToList();
        return cut.Count == 0 ? null
            : direction == Direction.Maximize ? cut.MaxBy(t => t.BestIntermediate(direction)!.Value) : cut.MinBy(t => t.BestIntermediate(direction)!.Value);
    }

    /// <summary>Why a search whose trials reported nothing has no model, and what to do about it.</summary>
    private static string NothingFinished(IReadOnlyList<Trial> trials, Budget budget, SearchWorkload workload)
    {
        if (trials.Count == 0)
        {
            return "No trial ran: the budget ran out before the first one started.";
        }

        if (trials.FirstOrDefault(t => t.State == TrialState.Failed && !string.IsNullOrEmpty(t.Error))?.Error is { } reason)
        {
            return $"None of the {trials.Count} trial(s) completed; the first failure: {reason}";
        }

        // A trial the time budget cut short is Pruned with its reason: when that is all there is, say so and what to change.
        if (!trials.Any(t => t.State == TrialState.Pruned && !string.IsNullOrEmpty(t.Error)))
        {
            return $"None of the {trials.Count} trial(s) completed.";
        }

        var limit = budget.WallClock is { } time ? $" of {time.TotalSeconds:0} s" : "";
        return workload is ImageWorkload
            ? $"None of the {trials.Count} trial(s) finished its first epoch inside the time budget{limit}, so there is no model to keep. "
              + "Raise the time budget, or make an epoch shorter: a smaller image size, or fewer images."
            : $"None of the {trials.Count} trial(s) finished its first fold inside the time budget{limit}, so there is no model to keep. "
              + "Raise the time budget, or make a trial shorter: fewer folds, fewer rows, or faster learners.";
    }

    /// <summary>The ensemble step (see <see cref="SearchEnsembler"/>), stopped early if the search is cancelled meanwhile.</summary>
    private async Task EnsembleAsync(
        string searchId, string? userId, TabularExperiment experiment, FittedOn fittedOn, SearchSpace space, Direction direction, IReadOnlyList<Trial> complete,
        IReadOnlyList<Trial> trials, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var endWatch = new CancellationTokenSource();
        var watch = WatchStatusAsync(searchId, stop, endWatch.Token);
        try
        {
            await ensembler.BuildAsync(searchId, userId, experiment, fittedOn, space, direction, complete, trials, stop.Token);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            logger.LogInformation("Search {SearchId} ended while its ensemble was being built; no ensemble", searchId);
        }
        finally
        {
            await endWatch.CancelAsync();
            await watch;
        }
    }

    /// <summary>Counts this worker finished (a compare-and-set, so concurrent workers never lose a count).</summary>
    /// <returns>Whether this worker was the last one.</returns>
    private async Task<bool> CountWorkerFinishedAsync(string searchId, CancellationToken cancellationToken)
    {
        while (true)
        {
            var row = await ReadAsync(db => db.SearchRows.AsNoTracking().Where(s => s.Id == searchId)
                .Select(s => new { s.WorkersFinished, s.Parallelism }).SingleAsync(cancellationToken));
            var finished = row.WorkersFinished;
            var counted = await ReadAsync(db => db.SearchRows
                .Where(s => s.Id == searchId && s.WorkersFinished == finished)
                .ExecuteUpdateAsync(s => s.SetProperty(x => x.WorkersFinished, finished + 1), cancellationToken));
            if (counted == 1)
            {
                // At or past: a worker re-run after a crash still lets the search finish.
                return finished + 1 >= row.Parallelism;
            }
        }
    }

    /// <summary>Cancels <paramref name="stop"/> once the search is no longer Queued or Running (cancelled, or failed by another worker).</summary>
    private async Task WatchStatusAsync(string searchId, CancellationTokenSource stop, CancellationToken end)
    {
        try
        {
            while (!end.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromSeconds(options.StatusPollSeconds), clock, end);
                var status = await ReadAsync(db => db.SearchRows.AsNoTracking().Where(s => s.Id == searchId)
                    .Select(s => (SearchStatus?)s.Status).SingleOrDefaultAsync(end));
                if (status is not (SearchStatus.Queued or SearchStatus.Running))
                {
                    await stop.CancelAsync();
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (end.IsCancellationRequested)
        {
            // The loop ended.
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Watching the status of search {SearchId} failed; the worker runs until its budget ends", searchId);
        }
    }

    /// <summary>Fails the search with <paramref name="reason"/>, unless it already ended.</summary>
    private async Task FailAsync(string searchId, string reason)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await ReadAsync(db => db.SearchRows
            .Where(s => s.Id == searchId && (s.Status == SearchStatus.Queued || s.Status == SearchStatus.Running))
            .ExecuteUpdateAsync(s => s
                .SetProperty(x => x.Status, SearchStatus.Failed)
                .SetProperty(x => x.Error, reason)
                .SetProperty(x => x.FinishedAt, now), CancellationToken.None));
        changes.Publish(new Change(ChangeKind.Search, searchId));
    }

    private async Task<T> ReadAsync<T>(Func<AppDbContext, Task<T>> query)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<AppDbContext>());
    }
}
