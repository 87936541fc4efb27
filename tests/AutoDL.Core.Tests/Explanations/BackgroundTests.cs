using AutoDL.Core.Explanations;

namespace AutoDL.Core.Tests.Explanations;

public sealed class BackgroundTests
{
    [Fact]
    public void ASummaryKeepsEveryNumericColumnsMeanAndWeighsClustersBySize()
    {
        var random = new Random(31);
        object?[] x = [.. Enumerable.Range(0, 300).Select(i => (object?)((i % 3) * 10 + random.NextDouble()))];
        object?[] y = [.. Enumerable.Range(0, 300).Select(i => (object?)(i % 7 == 0 ? null : (object)random.Next(100)))];
        var rows = Rows.FromColumns(["x", "y"], [x, y]);

        var summary = Background.Summarize(rows, k: 12, seed: 1);

        Assert.InRange(summary.Count, 3, 12);
        Assert.Equal(1, summary.Weights.Sum(), 12);
        Assert.Equal(x.Average(v => (double)v!), Enumerable.Range(0, summary.Count).Sum(j => summary.Weights[j] * summary.Rows.Number(0, j)), 9);
        Assert.All(summary.Weights, w => Assert.Equal(0, w * 300 - Math.Round(w * 300), 9));
    }

    [Fact]
    public void ASummaryTakesTheCommonestLabelOfEachCluster()
    {
        // Two far-apart clusters on x; within each, one label is in the majority.
        object?[] x = [0.0, 0.1, 0.2, 0.3, 100.0, 100.1, 100.2];
        object?[] colour = ["red", "red", "blue", "red", "green", "blue", "green"];
        var rows = Rows.FromColumns(["x", "colour"], [x, colour]);

        var summary = Background.Summarize(rows, k: 2);

        var byX = Enumerable.Range(0, 2).OrderBy(j => summary.Rows.Number(0, j)).ToArray();
        Assert.Equal("red", summary.Rows.Value(1, byX[0]));
        Assert.Equal("green", summary.Rows.Value(1, byX[1]));
        Assert.Equal(0.15, summary.Rows.Number(0, byX[0]), 12);
        Assert.Equal(4.0 / 7, summary.Weights[byX[0]], 12);
    }

    [Fact]
    public void NoMoreRowsThanClustersAreKeptAsTheyAreWeightedEqually()
    {
        var rows = TestModels.Uniform(3, 5, seed: 32);

        var summary = Background.Summarize(rows, k: 10);

        Assert.Same(rows, summary.Rows);
        Assert.All(summary.Weights, w => Assert.Equal(0.2, w, 12));
    }

    [Fact]
    public void GivenWeightsAreNormalisedAndNegativeOnesRefused()
    {
        var rows = TestModels.Uniform(1, 2, seed: 33);

        Assert.Equal([0.25, 0.75], Background.Of(rows, [1, 3]).Weights);
        Assert.Throws<ArgumentException>(() => Background.Of(rows, [1, -1]));
    }
}
