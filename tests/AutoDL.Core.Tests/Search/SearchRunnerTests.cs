using AutoDL.Core.Search;

namespace AutoDL.Core.Tests.Search;

public sealed class SearchRunnerTests
{
    private static readonly SearchSpace Space = SearchSpace.Create(
        new ParameterSpec("x", new FloatDistribution(-5, 5)),
        new ParameterSpec("y", new IntDistribution(0, 10)));

    private static readonly TrialObjective Quadratic = (trial, _) =>
        Task.FromResult<IReadOnlyList<double>>([Math.Pow((double)trial.Parameters["x"], 2) + (long)trial.Parameters["y"]]);

    private static SearchRunner Runner(ITrialStore store, IPruner? pruner = null, SearchRunnerOptions? options = null) =>
        new(store, new RandomSampler(), pruner ?? new NopPruner(), TimeProvider.System, options ?? new SearchRunnerOptions());

    private static async Task<string> CreateAsync(ITrialStore store, Budget budget, int seed = 7) =>
        await store.CreateSearchAsync(new SearchSpec(Space, [Direction.Minimize], seed, budget), CancellationToken.None);

    [Fact]
    public async Task TheLoopRunsExactlyTheTrialBudget()
    {
        var store = new InMemoryTrialStore();
        var id = await CreateAsync(store, new Budget(Trials: 12));

        var summary = await Runner(store).RunAsync(id, "w1", Quadratic, CancellationToken.None);

        Assert.Equal(new SearchRunSummary(12, 0, 0, SearchStopReason.TrialBudgetSpent), summary);
        var trials = await store.GetTrialsAsync(id, CancellationToken.None);
        Assert.Equal(Enumerable.Range(0, 12), trials.Select(t => t.Number));
        Assert.All(trials, t => Assert.Equal(TrialState.Complete, t.State));
    }

    [Fact]
    public async Task TheSameSeedWithOneWorkerGivesTheSameTrialSequence()
    {
        var store = new InMemoryTrialStore();
        var first = await CreateAsync(store, new Budget(Trials: 10), seed: 42);
        var second = await CreateAsync(store, new Budget(Trials: 10), seed: 42);
        var other = await CreateAsync(store, new Budget(Trials: 10), seed: 43);

        foreach (var id in new[] { first, second, other })
        {
            await Runner(store).RunAsync(id, "w1", Quadratic, CancellationToken.None);
        }

        var a = (await store.GetTrialsAsync(first, CancellationToken.None)).Select(t => t.Params["x"]).ToList();
        var b = (await store.GetTrialsAsync(second, CancellationToken.None)).Select(t => t.Params["x"]).ToList();
        var c = (await store.GetTrialsAsync(other, CancellationToken.None)).Select(t => t.Params["x"]).ToList();
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public async Task ParallelWorkersShareTheBudgetWithoutDuplicates()
    {
        var store = new InMemoryTrialStore();
        var id = await CreateAsync(store, new Budget(Trials: 40));
        TrialObjective slow = async (trial, ct) =>
        {
            await Task.Delay(5, ct);
            return await Quadratic(trial, ct);
        };

        var summaries = await Task.WhenAll(Enumerable.Range(0, 4).Select(w => Task.Run(() => Runner(store).RunAsync(id, $"w{w}", slow, CancellationToken.None))));

        Assert.Equal(40, summaries.Sum(s => s.Complete));
        var trials = await store.GetTrialsAsync(id, CancellationToken.None);
        Assert.Equal(Enumerable.Range(0, 40), trials.Select(t => t.Number).Order());
        Assert.True(trials.Select(t => t.Worker).Distinct().Count() > 1, "Only one worker ran trials.");
    }

    [Fact]
    public async Task APrunedTrialIsRecordedAsPrunedWithItsReports()
    {
        var store = new InMemoryTrialStore();
        var id = await CreateAsync(store, new Budget(Trials: 3));
        TrialObjective epochs = async (trial, ct) =>
        {
            for (var step = 0; step < 10; step++)
            {
                await trial.ReportAsync(step, 10 - step, ct);
            }

            return [0.0];
        };

        var summary = await Runner(store, new PruneAtStep(2)).RunAsync(id, "w1", epochs, CancellationToken.None);

        Assert.Equal(3, summary.Pruned);
        var trial = (await store.GetTrialsAsync(id, CancellationToken.None))[0];
        Assert.Equal(TrialState.Pruned, trial.State);
        Assert.Equal([0, 1, 2], trial.Intermediate.Select(i => i.Step));
    }

    [Fact]
    public async Task AFailingTrialIsRecordedWithItsMessageAndTheSearchGoesOn()
    {
        var store = new InMemoryTrialStore();
        var id = await CreateAsync(store, new Budget(Trials: 4));
        TrialObjective failsOnOdd = (trial, ct) =>
            trial.Number % 2 == 1 ? throw new InvalidDataException("column 'age' has text in row 7") : Quadratic(trial, ct);

        var summary = await Runner(store).RunAsync(id, "w1", failsOnOdd, CancellationToken.None);

        Assert.Equal((2, 2), (summary.Complete, summary.Failed));
        var failed = (await store.GetTrialsAsync(id, CancellationToken.None))[1];
        Assert.Equal("column 'age' has text in row 7", failed.Error);
    }

    [Fact]
    public async Task ATrialOverItsTimeLimitFailsAsTimedOut()
    {
        var store = new InMemoryTrialStore();
        var id = await CreateAsync(store, new Budget(Trials: 1));
        TrialObjective hangs = async (_, ct) =>
        {
            await Task.Delay(Timeout.Infinite, ct);
            return [0.0];
        };

        var options = new SearchRunnerOptions { TrialTimeout = TimeSpan.FromMilliseconds(200) };
        var summary = await Runner(store, options: options).RunAsync(id, "w1", hangs, CancellationToken.None);

        Assert.Equal(1, summary.Failed);
        Assert.StartsWith("Timed out", (await store.GetTrialsAsync(id, CancellationToken.None))[0].Error);
    }

    [Fact]
    public async Task TheTimeBudgetStopsTheSearchAndTheTrialInFlightWhichIsPrunedNotFailed()
    {
        var store = new InMemoryTrialStore();
        var id = await CreateAsync(store, new Budget(WallClock: TimeSpan.FromMilliseconds(500)));
        TrialObjective hangs = async (_, ct) =>
        {
            await Task.Delay(Timeout.Infinite, ct);
            return [1.0];
        };

        var summary = await Runner(store).RunAsync(id, "w1", hangs, CancellationToken.None);

        Assert.Equal(SearchStopReason.TimeBudgetSpent, summary.StopReason);
        var trial = Assert.Single(await store.GetTrialsAsync(id, CancellationToken.None));
        Assert.Equal(TrialState.Pruned, trial.State);
        Assert.Equal((0, 1, 0), (summary.Complete, summary.Pruned, summary.Failed));
        Assert.StartsWith("Stopped: the search's time budget ran out", trial.Error);
        Assert.True(trial.FinishedAt - trial.StartedAt >= TimeSpan.FromMilliseconds(450), "The trial was stopped before the budget ran out.");
    }

    [Fact]
    public async Task ATrialCutOffByTheTimeBudgetKeepsTheStepsItReported()
    {
        var store = new InMemoryTrialStore();
        var id = await CreateAsync(store, new Budget(WallClock: TimeSpan.FromMilliseconds(400)));
        TrialObjective twoStepsThenHangs = async (trial, ct) =>
        {
            await trial.ReportAsync(0, 0.5, ct);
            await trial.ReportAsync(1, 0.25, ct);
            await Task.Delay(Timeout.Infinite, ct);
            return [0.0];
        };

        await Runner(store).RunAsync(id, "w1", twoStepsThenHangs, CancellationToken.None);

        var trial = Assert.Single(await store.GetTrialsAsync(id, CancellationToken.None));
        Assert.Equal(TrialState.Pruned, trial.State);
        Assert.Equal([new IntermediateValue(0, 0.5), new IntermediateValue(1, 0.25)], trial.Intermediate);
        Assert.Equal("Stopped: the search's time budget ran out while this trial ran, after 2 step(s).", trial.Error);
    }

    [Fact]
    public async Task CancellingStopsTheLoopAndFailsTheTrialInFlight()
    {
        var store = new InMemoryTrialStore();
        var id = await CreateAsync(store, new Budget(Trials: 100));
        using var cancel = new CancellationTokenSource();
        TrialObjective cancelsOnThird = async (trial, ct) =>
        {
            if (trial.Number == 2)
            {
                await cancel.CancelAsync();
                await Task.Delay(Timeout.Infinite, ct);
            }

            return [1.0];
        };

        var summary = await Runner(store).RunAsync(id, "w1", cancelsOnThird, cancel.Token);

        Assert.Equal(SearchStopReason.Cancelled, summary.StopReason);
        var trials = await store.GetTrialsAsync(id, CancellationToken.None);
        Assert.Equal(3, trials.Count);
        Assert.Equal(TrialState.Failed, trials[2].State);
        Assert.StartsWith("Cancelled", trials[2].Error);
    }

    [Fact]
    public async Task AStaleTrialOfADeadWorkerIsFailedAndItsSlotReRun()
    {
        var store = new InMemoryTrialStore();
        var id = await CreateAsync(store, new Budget(Trials: 5));
        // A worker that asked for a trial and died: it never tells, and never beats again.
        await store.AskAsync(id, "dead", (_, _) => new Dictionary<string, double> { ["x"] = 0, ["y"] = 0 }, CancellationToken.None);

        var options = new SearchRunnerOptions { StaleAfter = TimeSpan.FromMilliseconds(100) };
        await Task.Delay(150);
        var summary = await Runner(store, options: options).RunAsync(id, "w1", Quadratic, CancellationToken.None);

        var trials = await store.GetTrialsAsync(id, CancellationToken.None);
        Assert.True(trials[0].Stale);
        Assert.Equal(TrialState.Failed, trials[0].State);
        Assert.Equal(5, summary.Complete);
        Assert.Equal(6, trials.Count);
    }

    [Fact]
    public async Task HeartbeatsKeepALongTrialFromGoingStale()
    {
        var store = new InMemoryTrialStore();
        var id = await CreateAsync(store, new Budget(Trials: 1));
        var options = new SearchRunnerOptions { HeartbeatInterval = TimeSpan.FromMilliseconds(20), StaleAfter = TimeSpan.FromSeconds(1) };
        TrialObjective longTrial = async (_, ct) =>
        {
            // Meanwhile another worker sweeps for stale trials, as every worker does before it asks.
            for (var i = 0; i < 10; i++)
            {
                await Task.Delay(200, ct);
                await store.FailStaleTrialsAsync(id, options.StaleAfter, ct);
            }

            return [1.0];
        };

        var summary = await Runner(store, options: options).RunAsync(id, "w1", longTrial, CancellationToken.None);

        Assert.Equal(1, summary.Complete);
    }

    [Fact]
    public async Task LearnersSeeExternalParameterValues()
    {
        var store = new InMemoryTrialStore();
        var space = SearchSpace.Create(
            new ParameterSpec("learner", new CategoricalDistribution(["lightgbm", "sdca"])),
            new ParameterSpec("leaves", new IntDistribution(4, 64), new Condition("learner", In: ["lightgbm"])));
        var id = await store.CreateSearchAsync(new SearchSpec(space, [Direction.Maximize], 1, new Budget(Trials: 20)), CancellationToken.None);
        var seen = new List<IReadOnlyDictionary<string, object>>();

        await Runner(store).RunAsync(id, "w1", (trial, _) =>
        {
            seen.Add(trial.Parameters);
            return Task.FromResult<IReadOnlyList<double>>([1.0]);
        }, CancellationToken.None);

        Assert.All(seen, p => Assert.Equal(p["learner"] is "lightgbm", p.ContainsKey("leaves")));
        Assert.Contains(seen, p => p.TryGetValue("leaves", out var leaves) && leaves is long);
    }

    private sealed class PruneAtStep(int step) : IPruner
    {
        public bool ShouldPrune(PruningContext context) => context.Step >= step;
    }
}
