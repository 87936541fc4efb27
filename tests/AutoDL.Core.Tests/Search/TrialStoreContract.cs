using AutoDL.Core.Search;

namespace AutoDL.Core.Tests.Search;

/// <summary>
/// What every <see cref="ITrialStore"/> must do, the same way. One source file, run against the in-memory store here and
/// linked into AutoDL.Data.Tests to run against the database store.
/// </summary>
public abstract class TrialStoreContract : IAsyncLifetime
{
    private const string Worker = "worker-1";
    private static readonly CancellationToken None = CancellationToken.None;

    protected static readonly SearchSpace Space = SearchSpace.Create(
        new ParameterSpec("learner", new CategoricalDistribution(["lightgbm", "mlp"])),
        new ParameterSpec("leaves", new IntDistribution(4, 256, Log: true), new Condition("learner", In: ["lightgbm"])),
        new ParameterSpec("rate", new FloatDistribution(1e-4, 0.3, Log: true)),
        new ParameterSpec("layers", new IntDistribution(1, 4), new Condition("learner", In: ["mlp"])),
        new ParameterSpec("dropout", new FloatDistribution(0, 0.5, Step: 0.1), new Condition("layers", Min: 2)),
        new ParameterSpec("seed", new FixedDistribution(42)));

    /// <summary>The clock every store of the test reads; it moves only when the test moves it.</summary>
    protected FakeClock Clock { get; } = new();

    /// <summary>
    /// A store over this test's data, reading <see cref="Clock"/>. Every call may give a new store, but all of them see
    /// the same searches and trials (the database stores: a new context on a new connection each time), and a store
    /// is used by one task at a time.
    /// </summary>
    protected abstract ITrialStore NewStore();

    public virtual Task InitializeAsync() => Task.CompletedTask;

    public virtual Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task NumbersAreConsecutiveFromZero()
    {
        var store = NewStore();
        var id = await store.CreateSearchAsync(Spec(trials: 10), None);

        var numbers = new List<int>();
        for (var i = 0; i < 5; i++)
        {
            var trial = await store.AskAsync(id, Worker, RandomSample(), None);
            numbers.Add(trial!.Number);
            if (i % 2 == 0)
            {
                await store.TellAsync(id, trial.Number, TrialOutcome.Complete(i), None);
            }
        }

        Assert.Equal([0, 1, 2, 3, 4], numbers);
        Assert.Equal([0, 1, 2, 3, 4], (await store.GetTrialsAsync(id, None)).Select(t => t.Number));
    }

    [Fact]
    public async Task AskReturnsNullOnceTheTrialBudgetIsSpent()
    {
        var store = NewStore();
        var id = await store.CreateSearchAsync(Spec(trials: 3), None);

        for (var i = 0; i < 3; i++)
        {
            Assert.NotNull(await store.AskAsync(id, Worker, RandomSample(), None));
        }

        // Running trials count too: a budget of 3 is three trials started, however they end.
        Assert.Null(await store.AskAsync(id, Worker, RandomSample(), None));
        await store.TellAsync(id, 0, TrialOutcome.Failed("out of memory"), None);
        await store.TellAsync(id, 1, TrialOutcome.Pruned(), None);
        Assert.Null(await store.AskAsync(id, Worker, RandomSample(), None));
        Assert.Equal(3, (await store.GetTrialsAsync(id, None)).Count);
    }

    [Fact]
    public async Task AskWithOnlyATimeBudgetAlwaysGivesATrial()
    {
        var store = NewStore();
        var id = await store.CreateSearchAsync(Spec(trials: null, wallClock: TimeSpan.FromMinutes(5)), None);

        for (var i = 0; i < 5; i++)
        {
            Assert.NotNull(await store.AskAsync(id, Worker, RandomSample(), None));
        }
    }

    [Fact]
    public async Task StaleFailedTrialsDoNotUseUpTheBudget()
    {
        var store = NewStore();
        var id = await store.CreateSearchAsync(Spec(trials: 2), None);
        await store.AskAsync(id, "lost-worker", RandomSample(), None);
        await store.AskAsync(id, Worker, RandomSample(), None);
        Assert.Null(await store.AskAsync(id, Worker, RandomSample(), None));

        Clock.Advance(TimeSpan.FromSeconds(20));
        await store.HeartbeatAsync(id, 1, None);
        Clock.Advance(TimeSpan.FromSeconds(20));
        Assert.Equal(1, await store.FailStaleTrialsAsync(id, TimeSpan.FromSeconds(30), None));

        // Trial 0's slot is run again, under a new number; then the budget is spent again.
        var rerun = await store.AskAsync(id, Worker, RandomSample(), None);
        Assert.Equal(2, rerun!.Number);
        Assert.Null(await store.AskAsync(id, Worker, RandomSample(), None));

        var stale = (await store.GetTrialsAsync(id, None))[0];
        Assert.Equal(TrialState.Failed, stale.State);
        Assert.True(stale.Stale);
        Assert.Equal(Clock.GetUtcNow(), stale.FinishedAt);
        Assert.Equal("No heartbeat from lost-worker for 30 s: the worker stopped or lost contact.", stale.Error);
    }

    [Fact]
    public async Task ATellOnAFinishedTrialIsRefused()
    {
        var store = NewStore();
        var id = await store.CreateSearchAsync(Spec(trials: 5), None);
        await store.AskAsync(id, Worker, RandomSample(), None);
        await store.TellAsync(id, 0, TrialOutcome.Complete(0.5), None);

        var tell = await Assert.ThrowsAsync<InvalidOperationException>(() => store.TellAsync(id, 0, TrialOutcome.Complete(0.9), None));
        var report = await Assert.ThrowsAsync<InvalidOperationException>(() => store.ReportAsync(id, 0, 1, 0.9, None));
        var heartbeat = await Assert.ThrowsAsync<InvalidOperationException>(() => store.HeartbeatAsync(id, 0, None));

        Assert.All([tell, report, heartbeat], e => Assert.Equal("Trial 0 is Complete, not Running.", e.Message));
        var trial = Assert.Single(await store.GetTrialsAsync(id, None));
        Assert.Equal([0.5], trial.Values!);
        Assert.Empty(trial.Intermediate);
    }

    [Fact]
    public async Task ATellOnAStaleTrialIsRefusedAsStale()
    {
        var store = NewStore();
        var id = await store.CreateSearchAsync(Spec(trials: 5), None);
        await store.AskAsync(id, Worker, RandomSample(), None);
        Clock.Advance(TimeSpan.FromMinutes(2));
        await store.FailStaleTrialsAsync(id, TimeSpan.FromMinutes(1), None);

        var tell = await Assert.ThrowsAsync<InvalidOperationException>(() => store.TellAsync(id, 0, TrialOutcome.Complete(0.5), None));
        var heartbeat = await Assert.ThrowsAsync<InvalidOperationException>(() => store.HeartbeatAsync(id, 0, None));

        Assert.Equal("Trial 0 is Failed (stale: its heartbeat expired), not Running.", tell.Message);
        Assert.Equal(tell.Message, heartbeat.Message);
    }

    [Fact]
    public async Task ATellRecordsTheOutcome()
    {
        var store = NewStore();
        var id = await store.CreateSearchAsync(Spec(trials: 5, Direction.Minimize, Direction.Maximize), None);
        var started = Clock.GetUtcNow();
        for (var i = 0; i < 3; i++)
        {
            await store.AskAsync(id, Worker, RandomSample(), None);
        }

        Clock.Advance(TimeSpan.FromSeconds(90));
        await store.TellAsync(id, 0, TrialOutcome.Complete(0.25, 1e-300), None);
        await store.TellAsync(id, 1, TrialOutcome.Pruned(), None);
        await store.TellAsync(id, 2, TrialOutcome.Failed("CUDA out of memory"), None);

        var trials = await store.GetTrialsAsync(id, None);
        Assert.Equal([TrialState.Complete, TrialState.Pruned, TrialState.Failed], trials.Select(t => t.State));
        Assert.Equal([0.25, 1e-300], trials[0].Values!);
        Assert.Null(trials[1].Values);
        Assert.Equal("CUDA out of memory", trials[2].Error);
        Assert.All(trials, t =>
        {
            Assert.Equal(started, t.StartedAt);
            Assert.Equal(started.AddSeconds(90), t.FinishedAt);
            Assert.Equal(Worker, t.Worker);
            Assert.False(t.Stale);
            Assert.True(t.IsFinished);
        });
    }

    [Fact]
    public async Task ReportsAreKeptInStepOrderAndAReportedStepCanBeOverwritten()
    {
        var store = NewStore();
        var id = await store.CreateSearchAsync(Spec(trials: 5), None);
        await store.AskAsync(id, Worker, RandomSample(), None);

        await store.ReportAsync(id, 0, 3, 0.3, None);
        await store.ReportAsync(id, 0, 1, 0.1, None);
        await store.ReportAsync(id, 0, 2, double.NaN, None);
        await store.ReportAsync(id, 0, 2, 0.2, None);

        var trial = Assert.Single(await store.GetTrialsAsync(id, None));
        Assert.Equal([new(1, 0.1), new(2, 0.2), new(3, 0.3)], trial.Intermediate);
        Assert.Equal(new IntermediateValue(3, 0.3), trial.LastIntermediate);
        Assert.Equal(TrialState.Running, trial.State);
    }

    [Fact]
    public async Task HeartbeatKeepsATrialFromGoingStale()
    {
        var store = NewStore();
        var id = await store.CreateSearchAsync(Spec(trials: 5), None);
        await store.AskAsync(id, Worker, RandomSample(), None);
        await store.AskAsync(id, Worker, RandomSample(), None);
        await store.AskAsync(id, Worker, RandomSample(), None);
        var timeout = TimeSpan.FromSeconds(60);

        for (var minute = 0; minute < 5; minute++)
        {
            Clock.Advance(TimeSpan.FromSeconds(45));
            await store.HeartbeatAsync(id, 0, None);
            await store.ReportAsync(id, 1, minute, minute, None);
            Assert.Equal(minute == 1 ? 1 : 0, await store.FailStaleTrialsAsync(id, timeout, None));
        }

        var trials = await store.GetTrialsAsync(id, None);
        Assert.Equal([TrialState.Running, TrialState.Running, TrialState.Failed], trials.Select(t => t.State));
        Assert.Equal(Clock.GetUtcNow(), trials[0].HeartbeatAt);

        // A heartbeat exactly one timeout old is not stale yet; a tick older, it is.
        Clock.Advance(timeout);
        Assert.Equal(0, await store.FailStaleTrialsAsync(id, timeout, None));
        Clock.Advance(TimeSpan.FromTicks(1));
        Assert.Equal(2, await store.FailStaleTrialsAsync(id, timeout, None));
    }

    [Fact]
    public async Task CompleteTrialsNeedOneValuePerObjective()
    {
        var store = NewStore();
        var id = await store.CreateSearchAsync(Spec(trials: 5, Direction.Minimize, Direction.Maximize), None);
        await store.AskAsync(id, Worker, RandomSample(), None);

        var tooFew = await Assert.ThrowsAsync<InvalidOperationException>(() => store.TellAsync(id, 0, TrialOutcome.Complete(0.5), None));
        var none = await Assert.ThrowsAsync<InvalidOperationException>(() => store.TellAsync(id, 0, new TrialOutcome(TrialState.Complete), None));
        var infinite = await Assert.ThrowsAsync<InvalidOperationException>(
            () => store.TellAsync(id, 0, TrialOutcome.Complete(0.5, double.PositiveInfinity), None));
        var running = await Assert.ThrowsAsync<InvalidOperationException>(() => store.TellAsync(id, 0, new TrialOutcome(TrialState.Running), None));

        Assert.Equal("Trial 0: a complete trial of this search needs 2 value(s), got 1.", tooFew.Message);
        Assert.Equal("Trial 0: a complete trial of this search needs 2 value(s), got 0.", none.Message);
        Assert.Contains("values must be finite numbers", infinite.Message);
        Assert.Contains("a tell must finish the trial", running.Message);
        Assert.Equal(TrialState.Running, Assert.Single(await store.GetTrialsAsync(id, None)).State);

        await store.TellAsync(id, 0, TrialOutcome.Complete(0.5, 2), None);
        Assert.Equal([0.5, 2.0], Assert.Single(await store.GetTrialsAsync(id, None)).Values!);
    }

    [Fact]
    public async Task InvalidSampledParametersAreRefusedAndNothingIsStored()
    {
        var store = NewStore();
        var id = await store.CreateSearchAsync(Spec(trials: 5), None);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => store.AskAsync(
            id, Worker, (_, _) => new Dictionary<string, double> { ["learner"] = 0, ["rate"] = 0.01, ["seed"] = 0 }, None));
        await Assert.ThrowsAsync<ArithmeticException>(() => store.AskAsync(id, Worker, (_, _) => throw new ArithmeticException(), None));

        Assert.Equal("Trial 0: the sampler proposed invalid parameters: 'leaves' is active but has no value.", error.Message);
        Assert.Empty(await store.GetTrialsAsync(id, None));
        Assert.Null((await store.GetSearchAsync(id, None)).StartedAt);
        Assert.Equal(0, (await store.AskAsync(id, Worker, RandomSample(), None))!.Number);
    }

    [Fact]
    public async Task SearchSpaceSurvivesTheRoundTrip()
    {
        var store = NewStore();
        var spec = new SearchSpec(Space, [Direction.Maximize, Direction.Minimize], Seed: -7, new Budget(12, TimeSpan.FromMinutes(90.5)));
        var created = Clock.GetUtcNow();

        var id = await NewStore().CreateSearchAsync(spec, None);
        var stored = await store.GetSearchAsync(id, None);

        Assert.Equal(id, stored.Id);
        Assert.Equal(Space.ToJson(), stored.Spec.Space.ToJson());
        Assert.Equal(spec.Directions, stored.Spec.Directions);
        Assert.Equal(spec.Seed, stored.Spec.Seed);
        Assert.Equal(spec.Budget, stored.Spec.Budget);
        Assert.Equal(created, stored.CreatedAt);
        Assert.Null(stored.StartedAt);
        Assert.True(stored.Spec.Space["dropout"].When!.Equals(Space["dropout"].When));
    }

    [Fact]
    public async Task ParametersAndTimesSurviveTheRoundTrip()
    {
        var store = NewStore();
        var id = await store.CreateSearchAsync(Spec(trials: 20), None);
        Clock.Advance(TimeSpan.FromTicks(1234567));

        var asked = new List<Trial>();
        for (var i = 0; i < 20; i++)
        {
            asked.Add((await store.AskAsync(id, Worker, RandomSample(), None))!);
        }

        var stored = await NewStore().GetTrialsAsync(id, None);
        Assert.Equal(asked.Count, stored.Count);
        foreach (var (a, s) in asked.Zip(stored))
        {
            Assert.Equal(a.Params.OrderBy(p => p.Key), s.Params.OrderBy(p => p.Key));
            Assert.Equal(a.StartedAt, s.StartedAt);
            Assert.Equal(a.HeartbeatAt, s.HeartbeatAt);
            Assert.Null(Space.Check(s.Params));
        }
    }

    [Fact]
    public async Task StartedAtIsSetByTheFirstAsk()
    {
        var store = NewStore();
        var id = await store.CreateSearchAsync(Spec(trials: 5), None);
        Clock.Advance(TimeSpan.FromMinutes(3));
        var firstAsk = Clock.GetUtcNow();

        await store.AskAsync(id, Worker, RandomSample(), None);
        Clock.Advance(TimeSpan.FromMinutes(3));
        await store.AskAsync(id, Worker, RandomSample(), None);

        var search = await store.GetSearchAsync(id, None);
        Assert.Equal(firstAsk, search.StartedAt);
        Assert.Equal(firstAsk - TimeSpan.FromMinutes(3), search.CreatedAt);
    }

    [Fact]
    public async Task TheSamplerSeesEveryTrialSoFarAndTheNumberItSamplesFor()
    {
        var store = NewStore();
        var id = await store.CreateSearchAsync(Spec(trials: 5), None);
        await store.AskAsync(id, Worker, RandomSample(), None);
        await store.ReportAsync(id, 0, 1, 0.7, None);
        await store.TellAsync(id, 0, TrialOutcome.Pruned(), None);
        await store.AskAsync(id, Worker, RandomSample(), None);

        (int Number, IReadOnlyList<Trial> Trials)? seen = null;
        var sample = RandomSample();
        await store.AskAsync(id, Worker, (number, trials) =>
        {
            seen = (number, trials);
            return sample(number, trials);
        }, None);

        Assert.Equal(2, seen!.Value.Number);
        Assert.Equal([TrialState.Pruned, TrialState.Running], seen.Value.Trials.Select(t => t.State));
        Assert.Equal([new IntermediateValue(1, 0.7)], seen.Value.Trials[0].Intermediate);
    }

    [Fact]
    public async Task UnknownSearchesAndTrialsAreNotFound()
    {
        var store = NewStore();
        var id = await store.CreateSearchAsync(Spec(trials: 5), None);
        await store.AskAsync(id, Worker, RandomSample(), None);
        const string unknown = "0123456789abcdef0123456789abcdef";

        var noSearch = new Func<Task>[]
        {
            () => store.GetSearchAsync(unknown, None),
            () => store.GetTrialsAsync(unknown, None),
            () => store.AskAsync(unknown, Worker, RandomSample(), None),
            () => store.ReportAsync(unknown, 0, 1, 0.5, None),
            () => store.HeartbeatAsync(unknown, 0, None),
            () => store.TellAsync(unknown, 0, TrialOutcome.Pruned(), None),
            () => store.FailStaleTrialsAsync(unknown, TimeSpan.FromMinutes(1), None),
        };
        foreach (var call in noSearch)
        {
            Assert.Equal($"No search has the id '{unknown}'.", (await Assert.ThrowsAsync<KeyNotFoundException>(call)).Message);
        }

        var noTrial = new Func<Task>[]
        {
            () => store.ReportAsync(id, 1, 1, 0.5, None),
            () => store.HeartbeatAsync(id, 1, None),
            () => store.TellAsync(id, 1, TrialOutcome.Pruned(), None),
            () => store.TellAsync(id, -1, TrialOutcome.Pruned(), None),
        };
        foreach (var call in noTrial)
        {
            Assert.Matches($"^Search {id} has no trial -?1\\.$", (await Assert.ThrowsAsync<KeyNotFoundException>(call)).Message);
        }
    }

    [Fact]
    public async Task AnInvalidSpecIsRefused()
    {
        var store = NewStore();

        var noObjective = await Assert.ThrowsAsync<ArgumentException>(
            () => store.CreateSearchAsync(new SearchSpec(Space, [], 1, new Budget(5)), None));
        var noBudget = await Assert.ThrowsAsync<ArgumentException>(
            () => store.CreateSearchAsync(new SearchSpec(Space, [Direction.Minimize], 1, new Budget()), None));

        Assert.StartsWith("A search needs at least one objective direction.", noObjective.Message);
        Assert.StartsWith("The budget is not valid: a budget needs a number of trials", noBudget.Message);
    }

    [Fact]
    public async Task ConcurrentAsksNeverDuplicateNumbersNorExceedTheBudget()
    {
        var id = await NewStore().CreateSearchAsync(Spec(trials: 50), None);

        var workers = Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
        {
            var store = NewStore();
            var numbers = new List<int>();
            while (await store.AskAsync(id, $"worker-{w}", RandomSample(), None) is { } trial)
            {
                numbers.Add(trial.Number);
            }

            return numbers;
        }));
        var asked = (await Task.WhenAll(workers)).SelectMany(n => n).Order().ToList();

        Assert.Equal(Enumerable.Range(0, 50), asked);
        var stored = await NewStore().GetTrialsAsync(id, None);
        Assert.Equal(Enumerable.Range(0, 50), stored.Select(t => t.Number));
        Assert.All(stored, t => Assert.Null(Space.Check(t.Params)));
    }

    [Fact]
    public async Task ConcurrentTellsAreNotLost()
    {
        var setup = NewStore();
        var id = await setup.CreateSearchAsync(Spec(trials: 40), None);
        for (var i = 0; i < 40; i++)
        {
            await setup.AskAsync(id, Worker, RandomSample(), None);
        }

        var workers = Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
        {
            var store = NewStore();
            for (var number = w; number < 40; number += 8)
            {
                await store.ReportAsync(id, number, 1, number / 100.0, None);
                await store.HeartbeatAsync(id, number, None);
                await store.TellAsync(id, number, TrialOutcome.Complete(number), None);
            }
        }));
        await Task.WhenAll(workers);

        var trials = await NewStore().GetTrialsAsync(id, None);
        Assert.All(trials, t =>
        {
            Assert.Equal(TrialState.Complete, t.State);
            Assert.Equal([(double)t.Number], t.Values!);
            Assert.Equal([new IntermediateValue(1, t.Number / 100.0)], t.Intermediate);
        });
    }

    [Fact]
    public async Task ConcurrentReportsOfOneTrialAreNotLost()
    {
        var setup = NewStore();
        var id = await setup.CreateSearchAsync(Spec(trials: 5), None);
        await setup.AskAsync(id, Worker, RandomSample(), None);

        // A report reads the trial's values, adds one and writes them back: racing reports must not overwrite each other.
        var workers = Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
        {
            var store = NewStore();
            for (var step = w; step < 40; step += 8)
            {
                await store.ReportAsync(id, 0, step, step / 10.0, None);
            }
        }));
        await Task.WhenAll(workers);

        var trial = Assert.Single(await NewStore().GetTrialsAsync(id, None));
        Assert.Equal(Enumerable.Range(0, 40).Select(s => new IntermediateValue(s, s / 10.0)), trial.Intermediate);
    }

    [Fact]
    public async Task ATellRacingTheStaleSweepEitherWinsOrIsRefused()
    {
        var setup = NewStore();
        var id = await setup.CreateSearchAsync(Spec(trials: 30), None);
        for (var i = 0; i < 30; i++)
        {
            await setup.AskAsync(id, Worker, RandomSample(), None);
        }

        Clock.Advance(TimeSpan.FromMinutes(5));
        var told = Task.Run(async () =>
        {
            var store = NewStore();
            var won = new List<int>();
            for (var number = 29; number >= 0; number--)
            {
                try
                {
                    await store.TellAsync(id, number, TrialOutcome.Complete(number), None);
                    won.Add(number);
                }
                catch (InvalidOperationException e) when (e.Message.Contains("stale", StringComparison.Ordinal))
                {
                }
            }

            return won;
        });
        var swept = Task.Run(async () =>
        {
            var store = NewStore();
            var failed = 0;
            for (var i = 0; i < 10; i++)
            {
                failed += await store.FailStaleTrialsAsync(id, TimeSpan.FromMinutes(1), None);
            }

            return failed;
        });
        var (won, failed) = (await told, await swept);

        var trials = await NewStore().GetTrialsAsync(id, None);
        Assert.Equal(30, won.Count + failed);
        Assert.Equal(won.Order(), trials.Where(t => t.State == TrialState.Complete).Select(t => t.Number));
        Assert.Equal(failed, trials.Count(t => t is { State: TrialState.Failed, Stale: true }));
    }

    protected static SearchSpec Spec(int? trials, params Direction[] directions) => Spec(trials, null, directions);

    protected static SearchSpec Spec(int? trials, TimeSpan? wallClock, params Direction[] directions) =>
        new(Space, directions.Length == 0 ? [Direction.Minimize] : directions, Seed: 17, new Budget(trials, wallClock));

    /// <summary>The random sampler as a search loop would call it, seeded per trial number.</summary>
    protected static TrialSampler RandomSample(int seed = 17)
    {
        var sampler = new RandomSampler();
        return (number, trials) => sampler.Sample(new SamplingContext(Space, [Direction.Minimize], trials, number, SamplerRandom.For(seed, number)));
    }
}

/// <summary>A clock that stands still until told to move; safe to read from many threads.</summary>
public sealed class FakeClock : TimeProvider
{
    private long _ticks = new DateTimeOffset(2026, 3, 1, 9, 30, 0, TimeSpan.Zero).UtcTicks;

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

    public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
}
