using AutoDL.Core.Explanations;

namespace AutoDL.Core.Tests.Explanations;

public sealed class LimeExplainerTests
{
    [Fact]
    public async Task LimeOnALinearModelRanksColumnsByCoefficientTimesSpread()
    {
        // |w · spread| = 8, 4, 2, 0.5, 0; listed out of order so that neither w nor the spread alone gives the ranking.
        double[] w = [0.5, -4, 1, 2, 3];
        double[] scales = [4, 1, 8, 0.25, 0];
        var training = TestModels.Uniform(5, 1000, seed: 21, scales);
        var model = TestModels.Polynomial(1, w);
        // Each value in its column's top quartile bin.
        var explained = Rows.FromColumns(TestModels.Names(5), [.. scales.Select(s => new object?[] { 0.4 * s })]);

        var lime = await new LimeExplainer(model, training, new() { TopK = 3 }).ExplainAsync(explained, 0);

        Assert.Equal(["x2", "x1", "x0"], lime.TopColumns);
        var magnitudes = lime.Weights.Select(x => Math.Abs(x.Weight)).ToArray();
        Assert.True(magnitudes[2] > magnitudes[1] && magnitudes[1] > magnitudes[0] && magnitudes[0] > magnitudes[3] && magnitudes[3] > magnitudes[4]);
        Assert.True(lime.Weights[1].Weight < 0, "x1's coefficient is negative: its top bin lowers the score");
        // The top bin's mean sits 0.375 · scale above the column's mean and the others' 0.125 · scale below: 0.5 · w · scale apart.
        Assert.Equal(0.5 * w[2] * scales[2], lime.Weights[2].Weight, 0.4);
        Assert.Equal((await model(explained, default))[0], lime.Prediction, 12);
        Assert.InRange(lime.Score, 0.5, 1);
        Assert.Equal(1, lime.Stability);
        Assert.Equal(5000, lime.Samples);
        Assert.StartsWith("x2 > ", lime.Weights[2].Condition);
    }

    [Fact]
    public async Task ACategoricalColumnIsPerturbedFromItsDistributionAndWeighedByHavingTheExplainedValue()
    {
        var names = new[] { "colour", "x" };
        var random = new Random(22);
        object?[] colours = [.. Enumerable.Range(0, 400).Select(i => (object?)(i % 4 == 0 ? "red" : i % 4 == 1 ? "green" : "blue"))];
        object?[] xs = [.. Enumerable.Range(0, 400).Select(_ => (object?)random.NextDouble())];
        var training = Rows.FromColumns(names, [colours, xs]);
        Scorer model = (rows, _) => Task.FromResult(Enumerable.Range(0, rows.Count)
            .Select(r => (Equals(rows.Value(0, r), "red") ? 5.0 : 0.0) + 0.1 * rows.Number(1, r)).ToArray());
        var explained = Rows.FromColumns(names, [["red"], [0.5]]);

        var lime = await new LimeExplainer(model, training).ExplainAsync(explained, 0);

        Assert.Equal("colour = red", lime.Weights[0].Condition);
        Assert.InRange(lime.Weights[0].Weight, 4.5, 5.01);
        Assert.True(Math.Abs(lime.Weights[1].Weight) < 0.1);
        Assert.Equal(["colour", "x"], lime.TopColumns);
        Assert.True(lime.Score > 0.95, $"local fit {lime.Score}");
    }

    [Fact]
    public async Task ExplainingStopsWhenCancelled()
    {
        using var cancel = new CancellationTokenSource();
        var linear = TestModels.Polynomial(0, [1, 1]);
        var calls = 0;
        Scorer model = (rows, token) =>
        {
            calls++;
            cancel.Cancel();
            return linear(rows, token);
        };
        var explainer = new LimeExplainer(model, TestModels.Uniform(2, 100, seed: 23));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => explainer.ExplainAsync(TestModels.Uniform(2, 3, seed: 24), cancel.Token));
        Assert.Equal(1, calls);
    }
}
