using AutoDL.Core.Explanations;

namespace AutoDL.Core.Tests.Explanations;

public sealed class PermutationImportanceTests
{
    private static readonly Metric NegativeMse = (targets, scores) => -targets.Zip(scores, (t, s) => (t - s) * (t - s)).Average();

    private static readonly Metric Mse = (targets, scores) => targets.Zip(scores, (t, s) => (t - s) * (t - s)).Average();

    [Fact]
    public async Task AColumnTheModelIgnoresHasNoImportanceAndAUsedColumnAPositiveInterval()
    {
        var rows = TestModels.Uniform(3, 200, seed: 11);
        var model = TestModels.Polynomial(0, [3, 0, 0.5]);
        var targets = (await model(rows, default)).ToArray();

        var importance = await PermutationImportance.ComputeAsync(model, rows, targets, NegativeMse);

        Assert.Equal(0, importance.Baseline);
        Assert.Equal(5, importance.Repeats);
        var (used, ignored, weak) = (importance.Columns[0], importance.Columns[1], importance.Columns[2]);
        Assert.Equal("x1", ignored.Column);
        Assert.Equal(0, ignored.Mean, 12);
        Assert.True(ignored.Lower <= 0 && ignored.Upper >= 0);
        Assert.True(used.Lower > 0, $"used column's interval [{used.Lower}, {used.Upper}]");
        Assert.True(weak.Lower > 0);
        Assert.True(used.Mean > 10 * weak.Mean);
        // Shuffling x0 (variance 1/12) adds 2 · 9 · Var(x0) = 1.5 to the MSE in expectation.
        Assert.InRange(used.Mean, 1.2, 1.8);
    }

    [Fact]
    public async Task TheIntervalIsTheMeanDropPlusOrMinusStudentsQuantileTimesTheStandardError()
    {
        var rows = TestModels.Uniform(2, 50, seed: 12);
        var model = TestModels.Polynomial(0, [1, 1]);
        var targets = await model(rows, default);

        var importance = await PermutationImportance.ComputeAsync(model, rows, targets, Mse, new() { HigherIsBetter = false, Seed = 3 });

        var x0 = importance.Columns[0];
        var mean = x0.Drops.Average();
        var sd = Math.Sqrt(x0.Drops.Sum(d => (d - mean) * (d - mean)) / 4);
        Assert.Equal(mean, x0.Mean, 12);
        Assert.True(mean > 0, "a worse (larger) MSE is a positive drop when lower is better");
        Assert.Equal(sd, x0.StandardDeviation, 12);
        // t(0.975, 4 degrees of freedom) = 2.7764451051977987 (scipy.stats.t.ppf).
        Assert.Equal(mean - 2.7764451051977987 * sd / Math.Sqrt(5), x0.Lower, 9);
        Assert.Equal(mean + 2.7764451051977987 * sd / Math.Sqrt(5), x0.Upper, 9);
    }

    [Fact]
    public async Task TheSameSeedShufflesTheSameWay()
    {
        var rows = TestModels.Uniform(2, 40, seed: 13);
        var model = TestModels.Polynomial(0, [1, 2]);
        var targets = await model(rows, default);

        var first = await PermutationImportance.ComputeAsync(model, rows, targets, NegativeMse, new() { Seed = 9 });
        var second = await PermutationImportance.ComputeAsync(model, rows, targets, NegativeMse, new() { Seed = 9 });
        var other = await PermutationImportance.ComputeAsync(model, rows, targets, NegativeMse, new() { Seed = 10 });

        Assert.Equal(first.Columns[1].Drops, second.Columns[1].Drops);
        Assert.NotEqual(first.Columns[1].Drops, other.Columns[1].Drops);
        Assert.Equal(rows.Column(0), TestModels.Uniform(2, 40, seed: 13).Column(0));
    }

    [Fact]
    public async Task ComputingStopsWhenCancelled()
    {
        using var cancel = new CancellationTokenSource();
        var rows = TestModels.Uniform(2, 10, seed: 14);
        var linear = TestModels.Polynomial(0, [1, 1]);
        var targets = await linear(rows, default);
        var calls = 0;
        Scorer model = (r, token) =>
        {
            if (++calls == 3)
            {
                cancel.Cancel();
            }

            return linear(r, token);
        };

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => PermutationImportance.ComputeAsync(model, rows, targets, NegativeMse, cancellationToken: cancel.Token));
        Assert.Equal(3, calls);
    }
}
