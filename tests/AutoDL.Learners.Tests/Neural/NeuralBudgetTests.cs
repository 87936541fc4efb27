using System.Diagnostics;
using AutoDL.Core.Search;
using AutoDL.Learners.Neural;
using AutoDL.Learners.Tabular;
using static TorchSharp.torch;

namespace AutoDL.Learners.Tests.Neural;

/// <summary>Training under a search's wall-clock budget: epochs fit the deadline, and a refit reproduces the epochs a trial used.</summary>
public sealed class NeuralBudgetTests
{
    private static readonly NeuralTarget Target = new(["top", "bottom"], TabularMetric.Accuracy);

    private static TrainingSettings Settings(int epochs) => new("adamw", 5e-3, 1e-4, 16, epochs, "onecycle", 0.1, Flip: true, Shift: 1);

    [Fact]
    public async Task ARunThatCannotFitItsEpochCapBeforeTheDeadlineStopsWithItsBestEpochsWeightsAndTheSameEpochsReproduceThem()
    {
        using var train = NeuralTrainerTests.Bars(64, 1);
        using var validation = NeuralTrainerTests.Bars(20, 2);
        // Every epoch takes one second of this clock; 3.5 s leave room for three.
        var clock = new ManualClock();
        var limit = new TrainingLimit { Deadline = clock.GetUtcNow() + TimeSpan.FromSeconds(3.5), Clock = clock };
        var reported = new List<int>();

        var stopped = await NeuralTrainer.RunAsync(NeuralTrainerTests.SmallCnn(), Settings(20), train, validation, Target, seed: 5, CPU,
            (epoch, _, _) =>
            {
                reported.Add(epoch);
                clock.Advance(TimeSpan.FromSeconds(1));
                return Task.CompletedTask;
            },
            keepNetwork: true, CancellationToken.None, limit: limit);
        var refit = await NeuralTrainer.RunAsync(NeuralTrainerTests.SmallCnn(), Settings(20), train, validation, Target, seed: 5, CPU,
            null, keepNetwork: true, CancellationToken.None, limit: new TrainingLimit { Epochs = stopped.BestEpoch + 1 });

        using (stopped.Network)
        using (refit.Network)
        {
            Assert.Equal(TrainingStop.Budget, stopped.StoppedBy);
            Assert.Equal([0, 1, 2], reported);
            Assert.Equal(stopped.Epochs.Max(e => e.ValidationValue), stopped.BestValue);
            Assert.Equal(TrainingStop.Epochs, refit.StoppedBy);
            Assert.Equal(stopped.BestEpoch + 1, refit.Epochs.Count);
            Assert.Equal(stopped.BestEpoch, refit.BestEpoch);
            Assert.Equal(stopped.BestValue, refit.BestValue);
            var a = stopped.Network!.state_dict();
            var b = refit.Network!.state_dict();
            Assert.All(a, kv => Assert.True(kv.Value.eq(b[kv.Key]).all().item<bool>(), $"{kv.Key} differs between the trial and its refit."));
        }
    }

    [Fact]
    public async Task ARunTheDeadlineCutsMidEpochKeepsTheEpochsItFinished()
    {
        using var train = NeuralTrainerTests.Bars(2000, 1);
        using var validation = NeuralTrainerTests.Bars(20, 2);
        var clock = new ManualClock();
        var limit = new TrainingLimit { Deadline = clock.GetUtcNow() + TimeSpan.FromSeconds(100), Clock = clock };
        // The budget's cancellation, as the search runner's: it fires while an epoch trains, once the deadline has come.
        using var budget = new CancellationTokenSource();
        budget.Token.Register(() => clock.Advance(TimeSpan.FromSeconds(200)));

        var result = await NeuralTrainer.RunAsync(NeuralTrainerTests.SmallCnn(), Settings(20), train, validation, Target, seed: 5, CPU,
            (epoch, _, _) =>
            {
                clock.Advance(TimeSpan.FromSeconds(1));
                if (epoch == 1)
                {
                    budget.CancelAfter(TimeSpan.FromMilliseconds(100));
                }

                return Task.CompletedTask;
            },
            keepNetwork: false, budget.Token, limit: limit);

        Assert.Equal(TrainingStop.Budget, result.StoppedBy);
        Assert.InRange(result.Epochs.Count, 2, 19);
        Assert.Equal(result.Epochs.Max(e => e.ValidationValue), result.BestValue);
    }

    [Fact]
    public async Task ACancelledRunBeforeTheDeadlineIsStillCancelled()
    {
        using var train = NeuralTrainerTests.Bars(64, 1);
        using var validation = NeuralTrainerTests.Bars(20, 2);
        var clock = new ManualClock();
        using var cancel = new CancellationTokenSource();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => NeuralTrainer.RunAsync(
            NeuralTrainerTests.SmallCnn(), Settings(20), train, validation, Target, seed: 5, CPU,
            (epoch, _, _) => epoch == 1 ? cancel.CancelAsync() : Task.CompletedTask,
            keepNetwork: false, cancel.Token, limit: new TrainingLimit { Deadline = clock.GetUtcNow() + TimeSpan.FromHours(1), Clock = clock }));
    }

    [Fact]
    public async Task AnImageTrialTheBudgetCutsShortCompletesWithItsBestEpochSaysSoAndItsRefitReproducesIt()
    {
        // Log-loss improves nearly every epoch, so early stopping waits far longer than the budget lasts.
        using var experiment = ImageExperiment.Create(
            ImageExperimentTests.Bars(200), new ImageExperimentOptions { Seed = 2, Device = "cpu", MaxEpochs = 1000, Metric = TabularMetric.LogLoss });
        var parameters = ImageExperimentTests.SmallCnn(experiment, epochs: 1000);
        // One epoch first, so loading libtorch is not part of the budget.
        await experiment.TrainAsync(parameters, null, keepNetwork: false, CancellationToken.None, new TrainingLimit { Epochs = 1 });
        var store = new InMemoryTrialStore();
        var id = await store.CreateSearchAsync(
            new SearchSpec(experiment.Space, [Direction.Minimize], 2, new Budget(Trials: 1, WallClock: TimeSpan.FromSeconds(3))), CancellationToken.None);
        var runner = new SearchRunner(
            store, new FixedSampler(NeuralSearchSpace.Point(experiment.Space, parameters)), new NopPruner(), TimeProvider.System, new SearchRunnerOptions());

        var watch = Stopwatch.StartNew();
        await runner.RunAsync(id, "test", experiment.Objective, CancellationToken.None);
        var seconds = watch.Elapsed.TotalSeconds;

        var trial = Assert.Single(await store.GetTrialsAsync(id, CancellationToken.None));
        Assert.True(trial.State == TrialState.Complete, $"{trial.State}: {trial.Error}");
        Assert.Contains("Stopped by the budget", trial.Error);
        Assert.InRange(trial.Intermediate.Count, 1, 999);
        var best = trial.BestIntermediate(Direction.Minimize)!;
        Assert.Equal(best.Value, trial.Value);
        Assert.True(seconds < 10, $"The trial took {seconds:0.#} s of a 3 s budget.");

        var model = await ImageModelBuilder.FitAsync(experiment, experiment.Space.ToExternal(trial.Params), CancellationToken.None, epochs: best.Step + 1);
        using var predictor = model.Predictor;
        Assert.Equal(best.Step + 1, model.Training.Epochs.Count);
        Assert.True(trial.Value == model.Training.BestValue,
            $"trial {string.Join(", ", trial.Intermediate.Select(i => $"{i.Step}:{i.Value:0.####}"))} refit {string.Join(", ", model.Training.Epochs.Select(e => $"{e.Epoch}:{e.ValidationValue:0.####}"))}");
    }

    private sealed class FixedSampler(IReadOnlyDictionary<string, double> point) : ISampler
    {
        public IReadOnlyDictionary<string, double> Sample(SamplingContext context) => point;
    }

    /// <summary>A clock that moves only when told (thread-safe: the budget's cancellation moves it from a timer thread).</summary>
    private sealed class ManualClock : TimeProvider
    {
        private long _ticks = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).UtcTicks;

        public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);

        public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

        public override long GetTimestamp() => Interlocked.Read(ref _ticks);

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;
    }
}
