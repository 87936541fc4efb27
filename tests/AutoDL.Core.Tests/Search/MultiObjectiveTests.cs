using AutoDL.Core.Search;
using static AutoDL.Core.Tests.Search.SearchTrials;

namespace AutoDL.Core.Tests.Search;

public sealed class MultiObjectiveTests
{
    private static readonly Direction[] TwoMinimized = [Direction.Minimize, Direction.Minimize];
    private static readonly Dictionary<string, double> NoParameters = [];

    [Theory]
    [InlineData(new[] { 1.0, 2.0 }, new[] { 2.0, 2.0 }, true)]
    [InlineData(new[] { 1.0, 2.0 }, new[] { 1.0, 2.0 }, false)]
    [InlineData(new[] { 1.0, 3.0 }, new[] { 2.0, 2.0 }, false)]
    [InlineData(new[] { 2.0, 2.0 }, new[] { 1.0, 2.0 }, false)]
    public void DominatesWhenNoWorseAnywhereAndBetterSomewhere(double[] a, double[] b, bool dominates)
    {
        Assert.Equal(dominates, MultiObjective.Dominates(a, b, TwoMinimized));
    }

    [Fact]
    public void DominatesUpwardsOnMaximizedObjectives()
    {
        Direction[] accuracyAndLatency = [Direction.Maximize, Direction.Minimize];

        Assert.True(MultiObjective.Dominates([0.9, 10], [0.8, 10], accuracyAndLatency));
        Assert.False(MultiObjective.Dominates([0.8, 10], [0.9, 10], accuracyAndLatency));
        Assert.Throws<ArgumentException>(() => MultiObjective.Dominates([0.9], [0.8, 10], accuracyAndLatency));
    }

    [Fact]
    public void SortsTrialsIntoNonDominatedFronts()
    {
        // A(1,4) B(2,2) C(4,1) D(3,3) E(4,4) F(2,5): B dominates D and E, A dominates F, D dominates E.
        double[][] values = [[1, 4], [2, 2], [4, 1], [3, 3], [4, 4], [2, 5]];
        var trials = values.Select((v, n) => Complete(n, NoParameters, v)).ToList();

        var fronts = MultiObjective.NonDominatedFronts(trials, TwoMinimized);

        Assert.Equal([[0, 1, 2], [3, 5], [4]], fronts.Select(f => f.Select(t => t.Number).ToArray()));
    }

    [Fact]
    public void RefusesToSortTrialsWithoutValues()
    {
        Trial[] trials = [Complete(0, NoParameters, 1, 1), Unfinished(1, TrialState.Failed, NoParameters)];

        Assert.Throws<ArgumentException>(() => MultiObjective.NonDominatedFronts(trials, TwoMinimized));
    }

    [Fact]
    public void MeasuresCrowdingAsTheNormalizedGapBetweenNeighbours()
    {
        // Objective 0 spans 5: trial 1's neighbours are 1 and 3 (0.4), trial 2's 2 and 5 (0.6), trial 3's 3 and 6 (0.6).
        // Objective 1 spans 4: trial 3's neighbours are 1 and 2 (0.25), trial 2's 1.5 and 3 (0.375), trial 1's 2 and 5 (0.75).
        double[][] values = [[1, 5], [2, 3], [3, 2], [5, 1.5], [6, 1]];
        var front = values.Select((v, n) => Complete(n, NoParameters, v)).ToList();

        var distances = MultiObjective.CrowdingDistances(front);

        Assert.Equal(double.PositiveInfinity, distances[0]);
        Assert.Equal(1.15, distances[1], 12);
        Assert.Equal(0.975, distances[2], 12);
        Assert.Equal(0.85, distances[3], 12);
        Assert.Equal(double.PositiveInfinity, distances[4]);
    }

    [Fact]
    public void IgnoresAnObjectiveOnWhichAllTrialsAreEqual()
    {
        double[][] values = [[1, 7], [2, 7], [4, 7]];
        var front = values.Select((v, n) => Complete(n, NoParameters, v)).ToList();

        Assert.Equal([double.PositiveInfinity, 1, double.PositiveInfinity], MultiObjective.CrowdingDistances(front));
        Assert.Empty(MultiObjective.CrowdingDistances([]));
    }

    [Fact]
    public void RanksByFrontThenByCrowding()
    {
        double[][] values = [[1, 5], [2, 3], [3, 2], [5, 1.5], [6, 1], [6, 6]];
        var trials = values.Select((v, n) => Complete(n, NoParameters, v)).ToList();

        var ranks = MultiObjective.CrowdedRanks(trials, TwoMinimized);

        Assert.Equal(new CrowdedRank(1, 0), ranks[5]);
        Assert.True(MultiObjective.IsBetter(ranks[0], ranks[1]));
        Assert.True(MultiObjective.IsBetter(ranks[1], ranks[2]));
        Assert.True(MultiObjective.IsBetter(ranks[3], ranks[5]));
        Assert.False(MultiObjective.IsBetter(ranks[0], ranks[4]));
    }

    [Fact]
    public void FindsTheParetoFrontOfAccuracyAgainstLatency()
    {
        var trials = new List<Trial>
        {
            Complete(0, NoParameters, 0.90, 10),
            Complete(1, NoParameters, 0.80, 5),
            Complete(2, NoParameters, 0.85, 12), // worse than 0 on both
            Complete(3, NoParameters, 0.95, 20),
            Complete(4, NoParameters, 0.80, 5), // ties with 1: both stay
            Complete(5, NoParameters, 0.80, 6), // worse latency than 1 at the same accuracy
            Unfinished(6, TrialState.Failed, NoParameters),
            Unfinished(7, TrialState.Running, NoParameters),
            Unfinished(8, TrialState.Pruned, NoParameters),
        };

        var front = MultiObjective.ParetoFront(trials, [Direction.Maximize, Direction.Minimize]);
        var bothMinimized = MultiObjective.ParetoFront(trials, TwoMinimized);

        Assert.Equal([0, 1, 3, 4], front.Select(t => t.Number));
        Assert.Equal([1, 4], bothMinimized.Select(t => t.Number));
        Assert.Empty(MultiObjective.ParetoFront(trials.Skip(6), TwoMinimized));
    }
}
