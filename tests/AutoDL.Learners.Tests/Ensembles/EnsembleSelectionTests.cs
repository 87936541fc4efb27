using AutoDL.Core.Search;
using AutoDL.Learners.Ensembles;

namespace AutoDL.Learners.Tests.Ensembles;

public sealed class EnsembleSelectionTests
{
    /// <summary>Root mean squared error against <paramref name="truth"/> (one value per row).</summary>
    private static Func<double[], double> Rmse(params double[] truth) =>
        predicted => Math.Sqrt(truth.Select((t, i) => (predicted[i] - t) * (predicted[i] - t)).Average());

    /// <summary>Share of rows whose highest probability is their class (ties to the lower class), two classes per row.</summary>
    private static Func<double[], double> Accuracy(params int[] truth) =>
        predicted => truth.Select((t, i) => (predicted[2 * i + 1] > predicted[2 * i] ? 1 : 0) == t ? 1.0 : 0.0).Average();

    [Fact]
    public void WhenNoMixHelpsItKeepsTheBestSingleCandidateAlone()
    {
        double[] worse = [1, 1, 1], best = [0.1, -0.1, 0.1], worst = [2, 2, 2];

        var result = EnsembleSelection.Select([worse, best, worst], 1, Rmse(0, 0, 0), Direction.Minimize, rounds: 10);

        Assert.Equal([0, 1, 0], result.Counts);
        Assert.Equal(1, result.Rounds);
        Assert.Equal(1, result.BestSingle);
        Assert.Equal(0.1, result.Score, 12);
        Assert.Equal(result.BestSingleScore, result.Score);
        Assert.False(result.BeatsBestSingle(Direction.Minimize));
        Assert.Equal(10, result.Path.Count);
    }

    [Fact]
    public void TwoComplementaryModelsTogetherBeatBothAlone()
    {
        // A errs high where B errs low and the other way round: their mean is exact. C is poor everywhere.
        double[] a = [1, -1, 0.5, -0.5], b = [-1, 1, -0.5, 0.5], c = [3, 3, 3, 3];

        var result = EnsembleSelection.Select([a, b, c], 1, Rmse(0, 0, 0, 0), Direction.Minimize, rounds: 25);

        Assert.Equal([1, 1, 0], result.Counts);
        Assert.Equal(2, result.Rounds);
        Assert.Equal(0, result.Score, 12);
        Assert.Equal(0, result.BestSingle);
        Assert.True(result.BestSingleScore > 0.7);
        Assert.True(result.BeatsBestSingle(Direction.Minimize));
        Assert.Equal(2, result.Members);
    }

    [Fact]
    public void AMaximisedMetricCombinesClassProbabilities()
    {
        // Each of A and B gets two of three rows right; their mean probabilities get all three. C always says class 0.
        double[] a = [0.9, 0.1, 0.2, 0.8, 0.6, 0.4];
        double[] b = [0.55, 0.45, 0.6, 0.4, 0.1, 0.9];
        double[] c = [0.7, 0.3, 0.7, 0.3, 0.7, 0.3];

        var result = EnsembleSelection.Select([c, a, b], 2, Accuracy(0, 1, 1), Direction.Maximize, rounds: 5);

        Assert.Equal(1, result.BestSingle);
        Assert.Equal(2.0 / 3, result.BestSingleScore, 12);
        Assert.Equal([0, 1, 1], result.Counts);
        Assert.Equal(1, result.Score);
        Assert.True(result.BeatsBestSingle(Direction.Maximize));
    }

    [Fact]
    public void WeightsSumToTheKeptRoundsAndTheUnequalMixIsFound()
    {
        // The truth is 2/3 of the way from A to B: two picks of B for one of A are exact.
        double[] a = [0, 0, 0], b = [3, 3, 3];

        var result = EnsembleSelection.Select([a, b], 1, Rmse(2, 2, 2), Direction.Minimize, rounds: 25);

        Assert.Equal(result.Rounds, result.Counts.Sum());
        Assert.InRange(result.Rounds, 1, 25);
        Assert.Equal(25, result.Path.Count);
        Assert.Equal(0, result.Score, 12);
        Assert.Equal(2.0, (double)result.Counts[1] / result.Counts[0], 12);
        Assert.Equal(3, result.Rounds);
    }

    [Fact]
    public void TiesGoToTheFirstCandidateAndTheResultIsAPureFunctionOfTheInput()
    {
        double[] same = [1, 2, 3];
        var first = EnsembleSelection.Select([same, (double[])same.Clone(), [0, 0, 0]], 1, Rmse(1, 2, 3), Direction.Minimize, rounds: 7);
        var second = EnsembleSelection.Select([same, (double[])same.Clone(), [0, 0, 0]], 1, Rmse(1, 2, 3), Direction.Minimize, rounds: 7);

        Assert.Equal([1, 0, 0], first.Counts);
        Assert.Equal(first.Counts, second.Counts);
        Assert.Equal(first.Path, second.Path);
        Assert.False(first.BeatsBestSingle(Direction.Minimize));
    }

    [Fact]
    public void ItRejectsCandidatesOfDifferentLengths()
    {
        Assert.Throws<ArgumentException>(() => EnsembleSelection.Select([[1, 2], [1, 2, 3]], 1, _ => 0, Direction.Minimize));
        Assert.Throws<ArgumentException>(() => EnsembleSelection.Select([[1, 2, 3]], 2, _ => 0, Direction.Minimize));
        Assert.Throws<ArgumentException>(() => EnsembleSelection.Select([], 1, _ => 0, Direction.Minimize));
    }

    [Theory]
    [InlineData(1.0, 0.5, Direction.Maximize, true)]
    [InlineData(0.5, 1.0, Direction.Maximize, false)]
    [InlineData(0.5, 1.0, Direction.Minimize, true)]
    [InlineData(1.0, 1.0 + 1e-15, Direction.Minimize, false)]
    [InlineData(double.NaN, 1.0, Direction.Maximize, false)]
    [InlineData(0.1, double.NaN, Direction.Minimize, true)]
    public void BetterRespectsTheDirectionAndIgnoresRoundingNoise(double value, double than, Direction direction, bool better) =>
        Assert.Equal(better, EnsembleSelection.Better(value, than, direction));
}
