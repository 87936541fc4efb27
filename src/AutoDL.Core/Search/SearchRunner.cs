namespace AutoDL.Core.Search;

/// <summary>Thrown from <see cref="TrialContext.ReportAsync"/> when the pruner stops the trial; the runner records it as Pruned.</summary>
public sealed class TrialPrunedException(int number, int step)
    : Exception($"Trial {number} was pruned at step {step}.");

/// <summary>What a learner sees of the trial it trains: its parameters, and a way to report progress.</summary>
public sealed class TrialContext
{
    private readonly Func<int, double, CancellationToken, Task> _report;

    internal TrialContext(
        Trial trial, SearchSpace space, Func<int, double, CancellationToken, Task> report, DateTimeOffset? deadline, TimeProvider clock)
    {
        Trial = trial;
        Parameters = space.ToExternal(trial.Params);
        _report = report;
        Deadline = deadline;
        Clock = clock;
    }

    public Trial Trial { get; }

    public int Number => Trial.Number;

    /// <summary>The learner-facing values of the active parameters (double, long or string).</summary>
    public IReadOnlyDictionary<string, object> Parameters { get; }

    /// <summary>
    /// When the search's wall-clock budget ends (by <see cref="Clock"/>); null without one. At that moment the
    /// objective's token is cancelled: a learner that trains in steps may stop before, with what it has.
    /// </summary>
    public DateTimeOffset? Deadline { get; }

    /// <summary>The clock <see cref="Deadline"/> is read by.</summary>
    public TimeProvider Clock { get; }

    /// <summary>
    /// A sentence on how a complete trial ended (e.g. stopped by the time budget before its epoch cap), kept as the
    /// trial's <see cref="Search.Trial.Error"/>: on a Complete trial a note, not a failure. Null: nothing to say.
    /// </summary>
    public string? Note { get; set; }

    /// <summary>Records an intermediate value (an epoch, a fold, a boosting round) and asks the pruner about it.</summary>
    /// <exception cref="TrialPrunedException">The pruner stops the trial: let it propagate.</exception>
    public Task ReportAsync(int step, double value, CancellationToken cancellationToken) => _report(step, value, cancellationToken);
}

/// <summary>Trains and evaluates one trial; returns one value per objective.</summary>
public delegate Task<IReadOnlyList<double>> TrialObjective(TrialContext trial, CancellationToken cancellationToken);

public sealed record SearchRunnerOptions
{
    /// <summary>How often a running trial tells the store it is alive.</summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>A Running trial silent for this long is failed as stale, and its budget slot re-run.</summary>
    public TimeSpan StaleAfter { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Longest a single trial may take; null for no limit but the search's own time budget. A trial over it is cancelled
    /// (its objective's token) and Failed as timed out; one the time budget cuts short is Pruned with the reason.
    /// </summary>
    public TimeSpan? TrialTimeout { get; init; }
}

public enum SearchStopReason
{
    TrialBudgetSpent,
    TimeBudgetSpent,
    Cancelled,
}

/// <summary>What one worker's run of the loop did.</summary>
public sealed record SearchRunSummary(int Complete, int Pruned, int Failed, SearchStopReason StopReason);

/// <summary>
/// The search loop, <c>while budget left: ask → train → tell</c>. Parallelism is several runners (in one process or
/// many machines) on the same store: the store keeps numbers unique and the trial budget exact. With one worker and
/// the same seed, a search proposes the same trial sequence (each trial's generator is seeded from seed and number).
/// </summary>
public sealed class SearchRunner(ITrialStore store, ISampler sampler, IPruner pruner, TimeProvider clock, SearchRunnerOptions options)
{
    public async Task<SearchRunSummary> RunAsync(string searchId, string worker, TrialObjective objective, CancellationToken cancellationToken)
    {
        int complete = 0, pruned = 0, failed = 0;
        while (true)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                return new SearchRunSummary(complete, pruned, failed, SearchStopReason.Cancelled);
            }

            // Read each round: the first ask (by any worker) sets the start the time budget counts from.
            var search = await store.GetSearchAsync(searchId, cancellationToken);
            var spec = search.Spec;
            var deadline = BudgetEnd(search);
            if (deadline <= clock.GetUtcNow())
            {
                return new SearchRunSummary(complete, pruned, failed, SearchStopReason.TimeBudgetSpent);
            }

            await store.FailStaleTrialsAsync(searchId, options.StaleAfter, cancellationToken);
            var trial = await store.AskAsync(searchId, worker, (number, trials) =>
                sampler.Sample(new SamplingContext(spec.Space, spec.Directions, trials, number, SamplerRandom.For(spec.Seed, number))),
                cancellationToken);
            if (trial is null)
            {
                return new SearchRunSummary(complete, pruned, failed, SearchStopReason.TrialBudgetSpent);
            }

            // The wall-clock budget counts from the first trial; a trial that outlives it is stopped.
            deadline = BudgetEnd(search with { StartedAt = search.StartedAt ?? trial.StartedAt });
            var (outcome, budgetRanOut) = await RunTrialAsync(searchId, spec, trial, objective, deadline, cancellationToken);
            try
            {
                await store.TellAsync(searchId, trial.Number, outcome, CancellationToken.None);
            }
            catch (InvalidOperationException)
            {
                // Failed as stale meanwhile (this worker was silent too long): the store keeps that verdict.
                outcome = TrialOutcome.Failed("stale");
            }

            switch (outcome.State)
            {
                case TrialState.Complete: complete++; break;
                case TrialState.Pruned: pruned++; break;
                default: failed++; break;
            }

            // The budget's timer may fire a moment before the clock reaches the deadline: trust the timer.
            if (budgetRanOut)
            {
                return new SearchRunSummary(complete, pruned, failed, SearchStopReason.TimeBudgetSpent);
            }
        }
    }

    private DateTimeOffset BudgetEnd(StoredSearch search) =>
        search.Spec.Budget.WallClock is { } limit && search.StartedAt is { } started ? started + limit : DateTimeOffset.MaxValue;

    private async Task<(TrialOutcome Outcome, bool BudgetRanOut)> RunTrialAsync(
        string searchId, SearchSpec spec, Trial trial, TrialObjective objective, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        using var trialCancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        // Deadlines fire from their own threads: a fit that keeps the thread pool busy cannot hold them back.
        using var timeout = new Deadline(options.TrialTimeout, clock);
        using var budget = new Deadline(deadline == DateTimeOffset.MaxValue ? null : deadline - clock.GetUtcNow(), clock);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(trialCancellation.Token, timeout.Token, budget.Token);
        using var stopHeartbeat = new CancellationTokenSource();
        var heartbeat = HeartbeatAsync(searchId, trial.Number, stopHeartbeat.Token);

        var reported = 0;
        var context = new TrialContext(trial, spec.Space, async (step, value, ct) =>
        {
            await store.ReportAsync(searchId, trial.Number, step, value, ct);
            reported++;
            var trials = await store.GetTrialsAsync(searchId, ct);
            var current = trials.First(t => t.Number == trial.Number);
            if (pruner.ShouldPrune(new PruningContext(current, trials, spec.Directions[0])))
            {
                throw new TrialPrunedException(trial.Number, step);
            }
        }, deadline == DateTimeOffset.MaxValue ? null : deadline, clock);

        try
        {
            var values = await objective(context, linked.Token);
            return (TrialOutcome.Complete([.. values]) with { Error = context.Note }, budget.HasPassed);
        }
        catch (TrialPrunedException)
        {
            return (TrialOutcome.Pruned(), budget.HasPassed);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return (TrialOutcome.Failed("Cancelled: the search was stopped while this trial ran."), false);
        }
        catch (OperationCanceledException) when (timeout.HasPassed)
        {
            return (TrialOutcome.Failed($"Timed out: the trial ran longer than its limit of {options.TrialTimeout!.Value.TotalSeconds:0.#} s."),
                budget.HasPassed);
        }
        catch (OperationCanceledException) when (budget.HasPassed)
        {
            // Not the trial's failure: it was cut short, like a pruned trial, and keeps the steps it reported.
            return (BudgetRanOut(reported), true);
        }
        catch (Exception e)
        {
            return (TrialOutcome.Failed(e.Message), budget.HasPassed);
        }
        finally
        {
            await stopHeartbeat.CancelAsync();
            await heartbeat;
        }
    }

    /// <summary>
    /// A trial the time budget cut short: Pruned, not Failed (nothing went wrong with it), with the reason, and with the
    /// intermediate values it reported before (which samplers read as they read a pruned trial's).
    /// </summary>
    private static TrialOutcome BudgetRanOut(int steps) => new(
        TrialState.Pruned,
        Error: steps == 0
            ? "Stopped: the search's time budget ran out while this trial ran, before its first step."
            : $"Stopped: the search's time budget ran out while this trial ran, after {steps} step(s).");

    private async Task HeartbeatAsync(string searchId, int number, CancellationToken stop)
    {
        try
        {
            while (true)
            {
                await Task.Delay(options.HeartbeatInterval, clock, stop);
                await store.HeartbeatAsync(searchId, number, stop);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The trial finished.
        }
        catch (InvalidOperationException)
        {
            // The trial is no longer Running (failed as stale): the tell will find out too.
        }
    }
}
