using System.Diagnostics;
using AutoDL.Core.Search;
using AutoDL.Learners.Neural;
using AutoDL.Learners.Tabular;
using Xunit.Abstractions;

namespace AutoDL.Learners.Tests.Tabular;

/// <summary>
/// A trial's token stops its fit in the middle, for every learner: the search's cancel, its time budget and the
/// per-trial timeout are all honoured within a second or two, not at the next fold. Each table is made in memory and
/// each learner set up so that its fit would run for many seconds (tens, for the trees) if nothing stopped it.
/// The class runs alone (<see cref="TabularCancellationCollection"/>): other tests' fits in the same process would
/// occupy the thread pool that the timers' callbacks (budget, timeout, cancel-after) need, and the timings would then
/// measure the machine's load rather than the cancellation.
/// </summary>
[Collection(nameof(TabularCancellationCollection))]
public sealed class TabularCancellationTests(TabularCancellationTests.LargeTables tables, ITestOutputHelper output)
    : IClassFixture<TabularCancellationTests.LargeTables>
{
    /// <summary>How soon after its token a fit must have stopped: a few tree or epoch boundaries on a loaded 2-core machine, far below the fits' tens of seconds.</summary>
    private static readonly TimeSpan Prompt = TimeSpan.FromSeconds(4);

    /// <summary>
    /// How long a fit runs before its token is cancelled: 1.5 s for the trees and 0.75 s for the linear learners (whose
    /// fits on these tables can end within 1.5 s), well inside every learner's training. LightGBM first
    /// bins the rows into its own dataset in native code that checks for nothing (1.3–2.6 s for these 80,000 rows on
    /// this busy 2-core machine), and then checks between boosting rounds: it is cancelled after 4 s, once boosting.
    /// </summary>
    private static TimeSpan RunFor(string learner) =>
        TimeSpan.FromSeconds(learner == TabularLearners.LightGbm ? 4 : TabularLearners.Linear.Contains(learner) ? 0.75 : 1.5);

    /// <summary>
    /// Two generated binary tables, made on first use: 100,000 × 20 for the trees and the MLP, and 200,000 × 80 for the linear
    /// learners, which would otherwise be done in about a second.
    /// </summary>
    public sealed class LargeTables
    {
        private readonly Lazy<TabularExperiment> _trees = new(
            () => TabularTestData.LargeBinary(rows: 100_000, features: 20, seed: 5, learners: TabularLearners.Supported(TabularTask.Binary)));
        private readonly Lazy<TabularExperiment> _linear = new(() => TabularTestData.LargeBinary(rows: 200_000, features: 80, seed: 6));

        public TabularExperiment For(string learner) => TabularLearners.Linear.Contains(learner) ? _linear.Value : _trees.Value;
    }

    public static TheoryData<string> AllLearners => [.. TabularLearners.Supported(TabularTask.Binary)];

    /// <summary>The internal values of <paramref name="learner"/> at its defaults, made to work far longer than its defaults would.</summary>
    private static Dictionary<string, double> SlowPoint(TabularExperiment experiment, string learner)
    {
        var point = TabularSearchSpace.DefaultPoint(experiment.Space, learner);
        switch (learner)
        {
            case TabularLearners.LightGbm:
                // LightGBM checks for cancellation between boosting rounds only: rounds of 64 leaves keep each short.
                (point[TabularParameters.LightGbmNumIterations], point[TabularParameters.LightGbmNumLeaves]) = (1000, 64);
                point[TabularParameters.LightGbmMinDataPerLeaf] = 2;
                break;
            case TabularLearners.FastTree:
                (point[TabularParameters.FastTreeNumTrees], point[TabularParameters.FastTreeNumLeaves]) = (1000, 512);
                point[TabularParameters.FastTreeMinExamplesPerLeaf] = 1;
                break;
            case TabularLearners.FastForest:
                (point[TabularParameters.FastForestNumTrees], point[TabularParameters.FastForestNumLeaves]) = (500, 512);
                point[TabularParameters.FastForestMinExamplesPerLeaf] = 1;
                break;
            case TabularLearners.Sdca:
                point[TabularParameters.SdcaL2] = 1e-4;
                break;
            case TabularLearners.Lbfgs:
                (point[TabularParameters.LbfgsL2], point[TabularParameters.LbfgsL1]) = (1e-4, 1e-4);
                point[TabularParameters.LbfgsOptimizationTolerance] = 1e-8;
                break;
            case TabularLearners.Mlp:
                // Checks its token at every step: four layers of 1024 for 30 epochs over 80,000 rows would take minutes.
                (point[TabularParameters.MlpParameter(NeuralParameters.MlpLayers)], point[TabularParameters.MlpParameter(NeuralParameters.MlpWidth)]) = (4, 1024);
                point[TabularParameters.MlpParameter(NeuralParameters.Epochs)] = 30;
                break;
        }

        return point;
    }

    private static IReadOnlyDictionary<string, object> Slow(TabularExperiment experiment, string learner) =>
        experiment.Space.ToExternal(SlowPoint(experiment, learner));

    [Theory]
    [MemberData(nameof(AllLearners))]
    public async Task AFitIsStoppedWithinSecondsOfItsTokenBeingCancelled(string learner)
    {
        var experiment = tables.For(learner);
        var fold = experiment.Split.Folds[0];
        using var cancellation = new CancellationTokenSource();
        var stoppedAfter = TimeSpan.Zero;
        var watch = Stopwatch.StartNew();
        var fit = Task.Run(() =>
        {
            try
            {
                return TabularTrainer.FitAndEvaluate(experiment, Slow(experiment, learner), fold.TrainRows, fold.ValidationRows, cancellation.Token);
            }
            finally
            {
                stoppedAfter = watch.Elapsed;
            }
        });

        // The cancel comes from a thread of its own, as the search's deadlines do: a timer's callback would wait for the
        // thread pool, which a fit may keep busy (FastTree did, for a minute).
        using var deadline = new Deadline(RunFor(learner), TimeProvider.System);
        var cancelledAfter = TimeSpan.Zero;
        using var cancelling = deadline.Token.Register(() =>
        {
            cancelledAfter = watch.Elapsed;
            cancellation.Cancel();
        });
        var error = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => fit);

        output.WriteLine($"{learner}: cancelled after {cancelledAfter.TotalSeconds:0.00} s, stopped {(stoppedAfter - cancelledAfter).TotalSeconds:0.00} s later");
        Assert.Equal(cancellation.Token, error.CancellationToken);
        Assert.True(stoppedAfter - cancelledAfter < Prompt,
            $"{learner} stopped {(stoppedAfter - cancelledAfter).TotalSeconds:0.00} s after its token was cancelled.");
    }

    [Fact]
    public async Task CancellingOneFitLeavesAnotherRunningBesideItUntouched()
    {
        var experiment = tables.For(TabularLearners.FastTree);
        var fold = experiment.Split.Folds[0];
        using var cancellation = new CancellationTokenSource();
        var cancelled = Task.Run(() => TabularTrainer.FitAndEvaluate(
            experiment, Slow(experiment, TabularLearners.FastTree), fold.TrainRows, fold.ValidationRows, cancellation.Token));
        var other = Task.Run(() => TabularTrainer.FitAndEvaluate(
            experiment, TabularSearchSpace.Defaults(experiment.Space, TabularLearners.LightGbm), fold.TrainRows, fold.ValidationRows, CancellationToken.None));

        await Task.Delay(TimeSpan.FromSeconds(0.5));
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        var (_, evaluation, _) = await other;
        Assert.True(evaluation.Value(TabularMetric.Auc) > 0.8, $"The fit beside the cancelled one scored AUC {evaluation.Value(TabularMetric.Auc):0.###}.");
    }

    [Fact]
    public async Task ATrialCutOffByTheBudgetStopsWithinSecondsAndIsPrunedWithItsReason()
    {
        var experiment = tables.For(TabularLearners.FastTree);
        var budget = TimeSpan.FromSeconds(2);
        var store = new InMemoryTrialStore();
        var id = await store.CreateSearchAsync(experiment.SearchSpec(new Budget(WallClock: budget)), CancellationToken.None);
        var runner = new SearchRunner(
            store, new Always(SlowPoint(experiment, TabularLearners.FastTree)), new NopPruner(), TimeProvider.System, new SearchRunnerOptions());

        var watch = Stopwatch.StartNew();
        var summary = await runner.RunAsync(id, "test", new TabularTrainer(experiment).Objective, CancellationToken.None);

        output.WriteLine($"A {budget.TotalSeconds:0} s budget ended the search after {watch.Elapsed.TotalSeconds:0.00} s");
        Assert.True(watch.Elapsed < budget + Prompt, $"A {budget.TotalSeconds:0} s budget ended the search after {watch.Elapsed.TotalSeconds:0.00} s.");
        Assert.Equal(SearchStopReason.TimeBudgetSpent, summary.StopReason);
        var trial = Assert.Single(await store.GetTrialsAsync(id, CancellationToken.None));
        Assert.Equal(TrialState.Pruned, trial.State);
        Assert.StartsWith("Stopped: the search's time budget ran out", trial.Error);
    }

    [Fact]
    public async Task ATrialOverItsTimeLimitIsStoppedInTheMiddleOfItsFitAndFailsAsTimedOut()
    {
        var experiment = tables.For(TabularLearners.FastForest);
        var limit = TimeSpan.FromSeconds(1.5);
        var store = new InMemoryTrialStore();
        var id = await store.CreateSearchAsync(experiment.SearchSpec(new Budget(Trials: 1)), CancellationToken.None);
        var runner = new SearchRunner(
            store, new Always(SlowPoint(experiment, TabularLearners.FastForest)), new NopPruner(), TimeProvider.System,
            new SearchRunnerOptions { TrialTimeout = limit });

        var watch = Stopwatch.StartNew();
        await runner.RunAsync(id, "test", new TabularTrainer(experiment).Objective, CancellationToken.None);

        Assert.True(watch.Elapsed < limit + Prompt, $"A trial limited to {limit.TotalSeconds:0.#} s ran {watch.Elapsed.TotalSeconds:0.00} s.");
        var trial = Assert.Single(await store.GetTrialsAsync(id, CancellationToken.None));
        Assert.Equal(TrialState.Failed, trial.State);
        Assert.StartsWith("Timed out", trial.Error);
    }

    /// <summary>Proposes the same point for every trial.</summary>
    private sealed class Always(IReadOnlyDictionary<string, double> point) : ISampler
    {
        public IReadOnlyDictionary<string, double> Sample(SamplingContext context) => point;
    }
}

/// <summary>Runs <see cref="TabularCancellationTests"/> on its own, after the tests that run in parallel.</summary>
[CollectionDefinition(nameof(TabularCancellationCollection), DisableParallelization = true)]
public sealed class TabularCancellationCollection;
