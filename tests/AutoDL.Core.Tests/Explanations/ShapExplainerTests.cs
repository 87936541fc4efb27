using AutoDL.Core.Explanations;

namespace AutoDL.Core.Tests.Explanations;

public sealed class ShapExplainerTests
{
    [Fact]
    public async Task ExactShapOfALinearModelIsItsWeightTimesTheDistanceFromTheBackgroundMean()
    {
        double[] w = [2, -1, 0.5, 3, 0, -4];
        var background = TestModels.Uniform(6, 25, seed: 1);
        var explained = TestModels.Uniform(6, 4, seed: 2);
        var explainer = new ShapExplainer(TestModels.Polynomial(7, w), Background.Of(background));

        var shap = await explainer.ExplainAsync(explained);

        Assert.Equal(ShapMethod.Exact, shap.Method);
        Assert.Equal(64, shap.Coalitions);
        var expectedBase = 7 + Enumerable.Range(0, 6).Sum(c => w[c] * TestModels.Mean(background, c));
        Assert.Equal(expectedBase, shap.BaseValue, 12);
        for (var r = 0; r < explained.Count; r++)
        {
            var row = shap.Rows[r];
            for (var c = 0; c < 6; c++)
            {
                Assert.Equal(w[c] * (explained.Number(c, r) - TestModels.Mean(background, c)), row.Values[c], 12);
            }

            Assert.Equal(expectedBase, row.BaseValue, 12);
            Assert.True(row.AdditivityError < 1e-12, $"additivity error {row.AdditivityError}");
        }

        Assert.Equal(0, shap.MeanAbsolute[4]);
        Assert.Equal(Enumerable.Range(0, 4).Average(r => Math.Abs(shap.Rows[r].Values[3])), shap.MeanAbsolute[3], 12);
    }

    [Fact]
    public async Task AKMeansBackgroundKeepsLinearShapAgainstTheWholeDatasMean()
    {
        double[] w = [1, -2, 3];
        var data = TestModels.Uniform(3, 500, seed: 9);
        var explained = TestModels.Uniform(3, 1, seed: 10);

        var shap = await new ShapExplainer(TestModels.Polynomial(0, w), Background.Summarize(data, k: 15)).ExplainAsync(explained);

        Assert.Equal(15, shap.BackgroundRows);
        for (var c = 0; c < 3; c++)
        {
            Assert.Equal(w[c] * (explained.Number(c, 0) - TestModels.Mean(data, c)), shap.Rows[0].Values[c], 9);
        }
    }

    [Fact]
    public async Task ExactShapOfAnInteractionSplitsItEquallyBetweenSymmetricColumnsAndAddsUp()
    {
        // f = x0 · x1 + x2; the background and the row are symmetric in x0 and x1.
        var background = Rows.FromColumns(TestModels.Names(3), [[0.0, 1.0, 2.0], [0.0, 1.0, 2.0], [5.0, 1.0, 0.0]]);
        var explained = Rows.FromColumns(TestModels.Names(3), [[3.0], [3.0], [1.0]]);
        var explainer = new ShapExplainer(TestModels.Polynomial(0, [0, 0, 1], (0, 1, 1)), Background.Of(background));

        var row = (await explainer.ExplainAsync(explained)).Rows[0];

        // v(∅) = mean(0, 1, 4) + mean(x2) = 5/3 + 2; v({0}) = 3 · 1 + 2; v({0,1}) = 9 + 2; φ0 = ½(3 − 5/3) + ½(9 − 3) = 11/3.
        Assert.Equal(5.0 / 3 + 2, row.BaseValue, 12);
        Assert.Equal(10, row.Prediction, 12);
        Assert.Equal(11.0 / 3, row.Values[0], 12);
        Assert.Equal(row.Values[0], row.Values[1], 12);
        Assert.Equal(1 - 2, row.Values[2], 12);
        Assert.True(row.AdditivityError < 1e-12);
    }

    [Fact]
    public async Task ExactShapTakesACategoricalColumnsAbsentValuesFromTheBackgroundRows()
    {
        // f = 10 · [colour = red] + x; a quarter of the background is red.
        var names = new[] { "colour", "x" };
        var background = Rows.FromColumns(names, [["red", "blue", "blue", "blue"], [0.0, 1.0, 2.0, 3.0]]);
        var explained = Rows.FromColumns(names, [["red"], [5.0]]);
        Scorer model = (rows, _) => Task.FromResult(Enumerable.Range(0, rows.Count)
            .Select(r => (Equals(rows.Value(0, r), "red") ? 10.0 : 0.0) + rows.Number(1, r)).ToArray());

        var row = (await new ShapExplainer(model, Background.Of(background)).ExplainAsync(explained)).Rows[0];

        Assert.Equal(2.5 + 1.5, row.BaseValue, 12);
        Assert.Equal(10 - 2.5, row.Values[0], 12);
        Assert.Equal(5 - 1.5, row.Values[1], 12);
    }

    [Fact]
    public async Task KernelShapWithEveryCoalitionEqualsExactShap()
    {
        var background = TestModels.Uniform(7, 8, seed: 3);
        var explained = TestModels.Uniform(7, 3, seed: 4);
        var model = TestModels.Polynomial(1, [1, -2, 0.5, 0, 3, 1, -1], (0, 1, 2), (2, 3, -3), (4, 5, 1.5), (0, 6, 4));

        var exact = await new ShapExplainer(model, Background.Of(background), new() { Method = ShapMethod.Exact }).ExplainAsync(explained);
        var kernel = await new ShapExplainer(model, Background.Of(background), new() { Method = ShapMethod.Kernel, Samples = 1 << 7 })
            .ExplainAsync(explained);

        Assert.Equal(ShapMethod.Kernel, kernel.Method);
        Assert.Equal((1 << 7) - 2, kernel.Coalitions);
        for (var r = 0; r < explained.Count; r++)
        {
            for (var c = 0; c < 7; c++)
            {
                Assert.Equal(exact.Rows[r].Values[c], kernel.Rows[r].Values[c], 1e-6);
            }

            Assert.True(kernel.Rows[r].AdditivityError < 1e-9);
        }
    }

    [Fact]
    public async Task KernelShapWithDefaultSamplingOnTwentyColumnsIsCloseToTheTruth()
    {
        const int m = 20;
        var w = Enumerable.Range(0, m).Select(c => (c % 5) - 2.0 + 0.3 * c).ToArray();
        var background = TestModels.Uniform(m, 10, seed: 5);
        var explained = TestModels.Uniform(m, 3, seed: 6);
        var model = TestModels.Polynomial(0.5, w, (0, 1, 3), (7, 12, -2));

        var shap = await new ShapExplainer(model, Background.Of(background)).ExplainAsync(explained);

        Assert.Equal(ShapMethod.Kernel, shap.Method);
        Assert.Equal(2 * m + 2048, shap.Coalitions);
        var worst = 0.0;
        for (var r = 0; r < explained.Count; r++)
        {
            var truth = Truth(w, [(0, 1, 3), (7, 12, -2)], background, explained, r);
            for (var c = 0; c < m; c++)
            {
                worst = Math.Max(worst, Math.Abs(truth[c] - shap.Rows[r].Values[c]));
            }

            Assert.True(shap.Rows[r].AdditivityError < 1e-9, $"additivity error {shap.Rows[r].AdditivityError}");
        }

        // The columns' φ are of the order of 0.1 to 2; sampling error stays two orders of magnitude below.
        Assert.True(worst < 0.01, $"largest error {worst}");
    }

    [Fact]
    public async Task KernelShapOfALinearModelIsExactWhateverItSamples()
    {
        const int m = 16;
        var w = Enumerable.Range(0, m).Select(c => c - 7.5).ToArray();
        var background = TestModels.Uniform(m, 6, seed: 7);
        var explained = TestModels.Uniform(m, 2, seed: 8);

        var shap = await new ShapExplainer(TestModels.Polynomial(0, w), Background.Of(background), new() { Samples = 300 }).ExplainAsync(explained);

        for (var c = 0; c < m; c++)
        {
            Assert.Equal(w[c] * (explained.Number(c, 1) - TestModels.Mean(background, c)), shap.Rows[1].Values[c], 1e-8);
        }
    }

    [Fact]
    public async Task AColumnThatEqualsEveryBackgroundValueGetsNothing()
    {
        var names = new[] { "colour", "x" };
        var background = Rows.FromColumns(names, [["red", "red"], [1.0, 3.0]]);
        var explained = Rows.FromColumns(names, [["red"], [4.0]]);
        Scorer model = (rows, _) => Task.FromResult(Enumerable.Range(0, rows.Count)
            .Select(r => (Equals(rows.Value(0, r), "red") ? 10.0 : 0.0) + rows.Number(1, r)).ToArray());

        var shap = await new ShapExplainer(model, Background.Of(background), new() { Method = ShapMethod.Kernel }).ExplainAsync(explained);

        Assert.Equal(0, shap.Rows[0].Values[0]);
        Assert.Equal(4 - 2, shap.Rows[0].Values[1], 12);
    }

    [Fact]
    public async Task ExplainingStopsWhenCancelled()
    {
        using var cancel = new CancellationTokenSource();
        var calls = 0;
        var linear = TestModels.Polynomial(0, [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
        Scorer model = (rows, token) =>
        {
            if (++calls == 2)
            {
                cancel.Cancel();
            }

            return linear(rows, token);
        };
        var explainer = new ShapExplainer(model, Background.Of(TestModels.Uniform(10, 20, 1)), new() { BatchRows = 1000 });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => explainer.ExplainAsync(TestModels.Uniform(10, 2, 2), cancel.Token));
        Assert.Equal(2, calls);
    }

    /// <summary>Interventional Shapley values of a linear model plus products: w_c(x_c − E x_c) plus each product's two-player split.</summary>
    private static double[] Truth(double[] w, (int I, int J, double A)[] products, Rows background, Rows explained, int row)
    {
        var phi = w.Select((wc, c) => wc * (explained.Number(c, row) - TestModels.Mean(background, c))).ToArray();
        foreach (var (i, j, a) in products)
        {
            var (xi, xj) = (explained.Number(i, row), explained.Number(j, row));
            var (mi, mj) = (TestModels.Mean(background, i), TestModels.Mean(background, j));
            var both = Enumerable.Range(0, background.Count).Average(b => background.Number(i, b) * background.Number(j, b));
            // g(∅) = a E[bi bj], g(i) = a xi E bj, g(j) = a xj E bi, g(ij) = a xi xj.
            phi[i] += a * 0.5 * ((xi * mj - both) + (xi * xj - xj * mi));
            phi[j] += a * 0.5 * ((xj * mi - both) + (xi * xj - xi * mj));
        }

        return phi;
    }
}
