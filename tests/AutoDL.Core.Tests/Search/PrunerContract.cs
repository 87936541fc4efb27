using AutoDL.Core.Search;

namespace AutoDL.Core.Tests.Search;

/// <summary>What every pruner must do. A pruner's tests subclass this with one line: the pruner to test.</summary>
public abstract class PrunerContract
{
    private const int Trials = 16;
    private const int Steps = 20;

    protected abstract IPruner CreatePruner();

    /// <summary>Trial t's curve falls from 1 + t / 2 towards t / 4 + (t % 5) / 10: later trials are worse, and not in order.</summary>
    private static double Curve(int trial, int step) => trial / 4.0 + trial % 5 / 10.0 + (1 + trial / 4.0) / (step + 1);

    [Fact]
    public void NeverPrunesTheFirstTrial()
    {
        var prunedAt = PrunerReplay.Run(CreatePruner(), Direction.Minimize, concurrency: 1, trialCount: 1, Steps, (_, step) => 1e6 * (step + 1));

        Assert.Equal([-1], prunedAt);
    }

    [Fact]
    public void PrunesAClearlyBadTrialOnceOthersHaveFinished()
    {
        var prunedAt = PrunerReplay.Run(CreatePruner(), Direction.Minimize, concurrency: 1, Trials, Steps,
            (trial, step) => trial == Trials - 1 ? 1e6 : Curve(trial % 4, step));

        Assert.NotEqual(-1, prunedAt[^1]);
    }

    [Fact]
    public void NeverPrunesATrialThatIsBestAtEveryStep()
    {
        var prunedAt = PrunerReplay.Run(CreatePruner(), Direction.Minimize, concurrency: 3, Trials, Steps,
            (trial, step) => trial == Trials - 1 ? -1 : Curve(trial, step));

        Assert.Equal(-1, prunedAt[^1]);
    }

    [Fact]
    public void TreatsMaximizingAsMinimizingTheNegatedValues()
    {
        var minimized = PrunerReplay.Run(CreatePruner(), Direction.Minimize, concurrency: 3, Trials, Steps, Curve);
        var maximized = PrunerReplay.Run(CreatePruner(), Direction.Maximize, concurrency: 3, Trials, Steps, (t, s) => -Curve(t, s));

        Assert.Contains(minimized, step => step >= 0);
        Assert.Equal(minimized, maximized);
    }

    [Fact]
    public void DecidesTheSameWhetherOrNotTheContextListsTheJudgedTrial()
    {
        var listed = PrunerReplay.Run(CreatePruner(), Direction.Minimize, concurrency: 4, Trials, Steps, Curve);
        var unlisted = PrunerReplay.Run(CreatePruner(), Direction.Minimize, concurrency: 4, Trials, Steps, Curve, withOwnEntry: false);

        Assert.Equal(listed, unlisted);
    }

    [Fact]
    public void KeepsNoStateBetweenDecisions()
    {
        // A long first search: a pruner that kept an estimate from it (as Optuna's automatic minimum resource) would
        // judge the second differently.
        var used = CreatePruner();
        PrunerReplay.Run(used, Direction.Maximize, concurrency: 2, trialCount: 4, Steps * 20, (t, s) => t * s);

        var fromUsed = PrunerReplay.Run(used, Direction.Minimize, concurrency: 2, Trials, Steps, Curve);
        var fromFresh = PrunerReplay.Run(CreatePruner(), Direction.Minimize, concurrency: 2, Trials, Steps, Curve);

        Assert.Equal(fromFresh, fromUsed);
    }

    [Fact]
    public void JudgesTrialsAmongFailedRunningAndSilentTrials()
    {
        var history = new List<Trial>
        {
            new() { Number = 0, State = TrialState.Failed, Params = new Dictionary<string, double>() },
            new() { Number = 1, State = TrialState.Running, Params = new Dictionary<string, double>(), Intermediate = [new(0, 5), new(1, 4)] },
            new() { Number = 2, State = TrialState.Complete, Params = new Dictionary<string, double>(), Values = [1] },
            new() { Number = 3, State = TrialState.Pruned, Params = new Dictionary<string, double>(), Intermediate = [new(0, double.NaN)] },
        };
        var judged = new Trial { Number = 4, State = TrialState.Running, Params = new Dictionary<string, double>(), Intermediate = [new(0, 3), new(1, 2)] };

        Assert.False(CreatePruner().ShouldPrune(new PruningContext(judged, [.. history, judged], Direction.Minimize)));
    }
}
