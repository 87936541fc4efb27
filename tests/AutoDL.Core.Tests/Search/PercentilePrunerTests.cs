using AutoDL.Core.Search;

namespace AutoDL.Core.Tests.Search;

public sealed class MedianPrunerContractTests : PrunerContract
{
    protected override IPruner CreatePruner() => new MedianPruner();
}

public sealed class PercentilePrunerContractTests : PrunerContract
{
    protected override IPruner CreatePruner() => new PercentilePruner(25, new PercentilePrunerOptions(StartupTrials: 2, WarmupSteps: 1, IntervalSteps: 2));
}

public sealed class PercentilePrunerTests
{
    [Fact]
    public void HasOptunasDefaults()
    {
        Assert.Equal(new PercentilePrunerOptions(StartupTrials: 5, WarmupSteps: 0, IntervalSteps: 1, MinTrials: 1), new MedianPruner().Options);
    }

    [Theory]
    [InlineData(4, false)]
    [InlineData(5, true)]
    public void PrunesAClearlyBadTrialOnlyAfterTheStartupTrials(int completed, bool pruned)
    {
        var trials = Finished(completed, steps: 3);
        var bad = Running(completed, 100, 100);

        Assert.Equal(pruned, new MedianPruner().ShouldPrune(new PruningContext(bad, [.. trials, bad], Direction.Minimize)));
    }

    [Fact]
    public void NeverPrunesDuringTheWarmupSteps()
    {
        var trials = Finished(6, steps: 8);
        var pruner = new MedianPruner(new PercentilePrunerOptions(WarmupSteps: 5));

        for (var step = 0; step < 8; step++)
        {
            var bad = Running(6, Enumerable.Repeat(100.0, step + 1).ToArray());
            Assert.Equal(step >= 5, pruner.ShouldPrune(new PruningContext(bad, trials, Direction.Minimize)));
        }
    }

    [Fact]
    public void JudgesOnlyAtTheFirstReportOfEachInterval()
    {
        var trials = Finished(6, steps: 10);
        var pruner = new MedianPruner(new PercentilePrunerOptions(WarmupSteps: 2, IntervalSteps: 3));

        var judged = Enumerable.Range(0, 10)
            .Where(step => pruner.ShouldPrune(new PruningContext(Running(6, Enumerable.Repeat(100.0, step + 1).ToArray()), trials, Direction.Minimize)))
            .ToList();
        // A trial reporting only every fourth step is judged at each report that opens a new interval.
        var sparse = new Trial
        {
            Number = 6,
            State = TrialState.Running,
            Params = new Dictionary<string, double>(),
            Intermediate = [new(0, 100), new(4, 100), new(9, 100)],
        };

        Assert.Equal([2, 5, 8], judged);
        Assert.True(pruner.ShouldPrune(new PruningContext(sparse, trials, Direction.Minimize)));
    }

    [Theory]
    [InlineData(Direction.Minimize, new[] { 0.5, 100 }, false)]
    [InlineData(Direction.Minimize, new[] { 100, 4.0 }, true)]
    [InlineData(Direction.Maximize, new[] { 100, 0.5 }, false)]
    [InlineData(Direction.Maximize, new[] { 0.5, 1.6 }, true)]
    public void ComparesTheBestValueSoFarWithTheMedianAtTheStep(Direction direction, double[] reported, bool pruned)
    {
        // Complete trials report 1, 2, 3, 4, 5, 6 at step 1 (median 3.5) and their number at step 0.
        var trials = Finished(6, steps: 2);

        Assert.Equal(pruned, new MedianPruner().ShouldPrune(new PruningContext(Running(6, reported), trials, direction)));
    }

    [Fact]
    public void PrunesATrialThatReportedOnlyNaN()
    {
        var trials = Finished(6, steps: 2);

        Assert.True(new MedianPruner().ShouldPrune(new PruningContext(Running(6, double.NaN), trials, Direction.Minimize)));
        Assert.False(new MedianPruner().ShouldPrune(new PruningContext(Running(6, double.NaN, 0), trials, Direction.Minimize)));
    }

    [Fact]
    public void DoesNotPruneWhereTooFewCompleteTrialsReportedTheStep()
    {
        var trials = Finished(6, steps: 2);

        Assert.False(new MedianPruner().ShouldPrune(new PruningContext(Running(6, 100, 100, 100), trials, Direction.Minimize)));
        Assert.False(new MedianPruner(new PercentilePrunerOptions(MinTrials: 7))
            .ShouldPrune(new PruningContext(Running(6, 100, 100), trials, Direction.Minimize)));
        Assert.True(new MedianPruner(new PercentilePrunerOptions(MinTrials: 6))
            .ShouldPrune(new PruningContext(Running(6, 100, 100), trials, Direction.Minimize)));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(101)]
    public void RejectsAPercentileOutsideZeroToHundred(double percentile)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new PercentilePruner(percentile));
    }

    [Fact]
    public void RejectsSettingsThatCannotWork()
    {
        Assert.Throws<ArgumentException>(() => new MedianPruner(new PercentilePrunerOptions(IntervalSteps: 0)));
        Assert.Throws<ArgumentException>(() => new MedianPruner(new PercentilePrunerOptions(MinTrials: 0)));
    }

    /// <summary>Complete trials 0..count-1: trial n reports n at step 0, then n + 1 at every later step.</summary>
    private static List<Trial> Finished(int count, int steps) =>
        Enumerable.Range(0, count).Select(n => new Trial
        {
            Number = n,
            State = TrialState.Complete,
            Params = new Dictionary<string, double>(),
            Values = [n + 1.0],
            Intermediate = [.. Enumerable.Range(0, steps).Select(s => new IntermediateValue(s, s == 0 ? n : n + 1))],
        }).ToList();

    private static Trial Running(int number, params double[] values) => new()
    {
        Number = number,
        State = TrialState.Running,
        Params = new Dictionary<string, double>(),
        Intermediate = [.. values.Select((v, s) => new IntermediateValue(s, v))],
    };
}
