using AutoDL.Core.Search;

namespace AutoDL.Core.Tests.Search;

/// <summary>
/// The pruners decide exactly as Optuna 3.1 does. The expected steps are the output of optuna_pruner_reference.py (next
/// to this file), which runs the same curves, batches and settings through Optuna's own pruners.
/// </summary>
public sealed class OptunaPrunerReferenceTests
{
    private static readonly double[] A = [0.5, 0.2, 0.9, 0.1, 0.7, 0.3, 0.8, 0.05, 0.6, 0.4, 0.25, 0.15];
    private static readonly double[] B = [1.0, -2.0, 0.5, 3.0, -1.5, 0.8, -0.3, 2.5, 1.2, -0.9, 1.1, -0.6];
    private static readonly int[] NaNStep = [-1, -1, -1, -1, 3, -1, -1, -1, -1, 0, -1, -1];
    private const int Steps = 17;

    private static double Curve(int trial, int step) => step == NaNStep[trial] ? double.NaN : A[trial] + B[trial] / (step + 1);

    [Theory]
    [InlineData("MedianDefaultsMinimizeSequential", new[] { -1, -1, -1, -1, -1, -1, 7, 0, 0, 0, 0, -1 })]
    [InlineData("MedianWarmupIntervalMaximizeBatches", new[] { -1, -1, -1, -1, 3, -1, 3, -1, -1, 3, -1, 3 })]
    [InlineData("MedianMinTrialsMinimizeBatches", new[] { -1, -1, -1, -1, -1, -1, 10, 0, 0, 0, 0, -1 })]
    [InlineData("Percentile25MinimizeSequential", new[] { -1, -1, -1, 0, -1, 0, 0, 0, 0, 0, 0, 0 })]
    [InlineData("Percentile70MaximizeBatches", new[] { -1, -1, -1, -1, 0, -1, 0, -1, -1, 0, -1, 0 })]
    [InlineData("AshaMinResource1MinimizeSequential", new[] { -1, -1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 4 })]
    [InlineData("AshaMinResource1MaximizeSequential", new[] { -1, 1, -1, 4, 1, 1, 1, 4, 1, 1, 1, 1 })]
    [InlineData("AshaMinResource1MaximizeBatches", new[] { -1, 1, -1, 4, 1, 1, 1, 4, 1, 1, 1, 1 })]
    [InlineData("AshaFactor2MinimizeBatches", new[] { -1, -1, 1, 1, 2, 2, 2, 1, 1, 4, 1, 8 })]
    [InlineData("AshaFactor2MaximizeSequential", new[] { -1, 1, -1, 4, 1, 1, 1, 2, 2, 1, 1, 1 })]
    [InlineData("AshaFactor3Rate1Bootstrap1MaximizeBatches", new[] { 6, 6, -1, 6, 6, 6, -1, 6, -1, 6, 6, 6 })]
    [InlineData("AshaFactor2Rate1Bootstrap2MinimizeBatches", new[] { 2, 2, 2, 2, 4, 4, 2, 2, 2, 8, 4, 8 })]
    public void PrunesAtTheSameStepsAsOptuna(string scenario, int[] optunaPrunedAt)
    {
        var (pruner, direction, concurrency) = Scenario(scenario);

        var prunedAt = PrunerReplay.Run(pruner, direction, concurrency, A.Length, Steps, Curve);

        Assert.Equal(optunaPrunedAt, prunedAt);
    }

    /// <summary>The scenarios of the script, its Optuna constructor calls spelled with these settings.</summary>
    private static (IPruner Pruner, Direction Direction, int Concurrency) Scenario(string name) => name switch
    {
        "MedianDefaultsMinimizeSequential" => (new MedianPruner(), Direction.Minimize, 1),
        "MedianWarmupIntervalMaximizeBatches" => (new MedianPruner(new(StartupTrials: 2, WarmupSteps: 3, IntervalSteps: 2)), Direction.Maximize, 3),
        "MedianMinTrialsMinimizeBatches" => (new MedianPruner(new(StartupTrials: 0, WarmupSteps: 0, IntervalSteps: 1, MinTrials: 3)), Direction.Minimize, 4),
        "Percentile25MinimizeSequential" => (new PercentilePruner(25, new(StartupTrials: 3)), Direction.Minimize, 1),
        "Percentile70MaximizeBatches" => (new PercentilePruner(70, new(StartupTrials: 1)), Direction.Maximize, 2),
        "AshaMinResource1MinimizeSequential" => (new SuccessiveHalvingPruner(new(MinResource: 1)), Direction.Minimize, 1),
        "AshaMinResource1MaximizeSequential" => (new SuccessiveHalvingPruner(new(MinResource: 1)), Direction.Maximize, 1),
        "AshaMinResource1MaximizeBatches" => (new SuccessiveHalvingPruner(new(MinResource: 1)), Direction.Maximize, 3),
        "AshaFactor2MinimizeBatches" => (new SuccessiveHalvingPruner(new(MinResource: 1, ReductionFactor: 2)), Direction.Minimize, 3),
        "AshaFactor2MaximizeSequential" => (new SuccessiveHalvingPruner(new(MinResource: 1, ReductionFactor: 2)), Direction.Maximize, 1),
        "AshaFactor3Rate1Bootstrap1MaximizeBatches" =>
            (new SuccessiveHalvingPruner(new(MinResource: 2, ReductionFactor: 3, MinEarlyStoppingRate: 1, BootstrapCount: 1)), Direction.Maximize, 2),
        "AshaFactor2Rate1Bootstrap2MinimizeBatches" =>
            (new SuccessiveHalvingPruner(new(MinResource: 1, ReductionFactor: 2, MinEarlyStoppingRate: 1, BootstrapCount: 2)), Direction.Minimize, 4),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "Not a scenario of optuna_pruner_reference.py."),
    };
}
