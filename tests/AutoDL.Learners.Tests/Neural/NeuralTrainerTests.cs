using AutoDL.Core.Search;
using AutoDL.Learners.Neural;
using AutoDL.Learners.Tabular;
using static TorchSharp.torch;

namespace AutoDL.Learners.Tests.Neural;

public sealed class NeuralTrainerTests
{
    /// <summary><paramref name="count"/> bar images (<see cref="ImageExperimentTests.Bars"/>) as samples.</summary>
    internal static NeuralSamples Bars(int count, int seed)
    {
        var pixels = ImageExperimentTests.Bars((count + 1) / 2, seed);
        return NeuralSamples.FromImages(pixels.Pixels[..(count * 64)], count, [1, 8, 8], [.. pixels.Labels.Take(count).Select(l => (long)l)]);
    }

    internal static NetworkSpec SmallCnn(string block = "residual", double dropout = 0.2)
    {
        var space = NeuralSearchSpace.ForImages();
        var parameters = new Dictionary<string, object>(space.ToExternal(NeuralSearchSpace.DefaultCnn(space)))
        {
            [NeuralParameters.CnnStages] = 2L,
            [NeuralParameters.StageChannels(0)] = 8L,
            [NeuralParameters.StageChannels(1)] = 16L,
            [NeuralParameters.StageBlock(0)] = block,
            [NeuralParameters.CnnDropout] = dropout,
        };
        parameters.Remove(NeuralParameters.StageBlocks(2));
        parameters.Remove(NeuralParameters.StageChannels(2));
        parameters.Remove(NeuralParameters.StageBlock(2));
        return Architectures.Cnn(parameters, [1, 8, 8], 2, [0.2f], [0.3f]);
    }

    private static readonly NeuralTarget Target = new(["top", "bottom"], TabularMetric.Accuracy);

    private static TrainingSettings Settings(int epochs = 6) => new("adamw", 5e-3, 1e-4, 16, epochs, "onecycle", 0.1, Flip: true, Shift: 1);

    [Fact]
    public async Task ASmallCnnLearnsToTellTheBarsApart()
    {
        using var train = Bars(160, 1);
        using var validation = Bars(60, 2);
        var reported = new List<(int, double)>();
        var result = await NeuralTrainer.RunAsync(SmallCnn(), Settings(), train, validation, Target, seed: 3, CPU,
            (epoch, value, _) => { reported.Add((epoch, value)); return Task.CompletedTask; }, keepNetwork: false, CancellationToken.None);

        Assert.True(result.BestValue >= 0.9, $"Validation accuracy {result.BestValue}.");
        Assert.Equal(result.Epochs.Select(e => (e.Epoch, e.ValidationValue)), reported);
        Assert.Null(result.Network);
    }

    [Fact]
    public async Task TheSameSeedTrainsTheSameWeights()
    {
        using var train = Bars(64, 1);
        using var validation = Bars(20, 2);
        var first = await NeuralTrainer.RunAsync(SmallCnn(), Settings(2), train, validation, Target, seed: 11, CPU, null, keepNetwork: true, CancellationToken.None);
        var second = await NeuralTrainer.RunAsync(SmallCnn(), Settings(2), train, validation, Target, seed: 11, CPU, null, keepNetwork: true, CancellationToken.None);
        var third = await NeuralTrainer.RunAsync(SmallCnn(), Settings(2), train, validation, Target, seed: 12, CPU, null, keepNetwork: true, CancellationToken.None);
        using (first.Network)
        using (second.Network)
        using (third.Network)
        {
            var a = first.Network!.state_dict();
            var b = second.Network!.state_dict();
            var c = third.Network!.state_dict();
            Assert.All(a, kv => Assert.True(kv.Value.eq(b[kv.Key]).all().item<bool>(), $"{kv.Key} differs between two runs with the same seed."));
            Assert.Contains(a, kv => kv.Value.dtype == ScalarType.Float32 && !kv.Value.eq(c[kv.Key]).all().item<bool>());
        }
    }

    [Fact]
    public async Task ACancelledRunStopsWithinAStep()
    {
        using var train = Bars(64, 1);
        using var validation = Bars(20, 2);
        using var cancel = new CancellationTokenSource();
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            NeuralTrainer.RunAsync(SmallCnn(), Settings(), train, validation, Target, 1, CPU, null, false, cancel.Token));
    }

    [Fact]
    public async Task APrunedRunStopsAtTheEpochItWasPrunedAt()
    {
        using var train = Bars(32, 1);
        using var validation = Bars(10, 2);
        var epochs = 0;
        await Assert.ThrowsAsync<TrialPrunedException>(() => NeuralTrainer.RunAsync(SmallCnn(), Settings(), train, validation, Target, 1, CPU,
            (epoch, _, _) => ++epochs == 2 ? throw new TrialPrunedException(0, epoch) : Task.CompletedTask, false, CancellationToken.None));
        Assert.Equal(2, epochs);
    }

    [Fact]
    public async Task ADivergingRunSaysSo()
    {
        using var train = Bars(64, 1);
        using var validation = Bars(10, 2);
        var settings = new TrainingSettings("sgd", 1e12, 0, 16, 3, "constant", 0);
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            NeuralTrainer.RunAsync(SmallCnn("plain", 0), settings, train, validation, Target, 1, CPU, null, false, CancellationToken.None));
        Assert.Contains("diverged", e.Message);
    }

    [Theory]
    [InlineData("cosine", 0, 1.0)]
    [InlineData("cosine", 100, 0.0)]
    [InlineData("step", 50, 0.1)]
    [InlineData("step", 100, 0.01)]
    [InlineData("onecycle", 0, 0.04)]
    [InlineData("onecycle", 30, 1.0)]
    [InlineData("constant", 77, 1.0)]
    public void SchedulesSetTheLearningRateOfEachStep(string schedule, int step, double share)
    {
        var settings = new TrainingSettings("adam", 1.0, 0, 32, 10, schedule, 0);
        Assert.Equal(share, settings.LearningRateAt(step, 101), 3);
    }

    [Fact]
    public void AugmentedBatchesKeepTheirShapeAndTheirPixels()
    {
        using var samples = Bars(8, 1);
        using var scope = NewDisposeScope();
        var plain = samples.Batch([0, 1, 2]);
        var augmented = samples.Batch([0, 1, 2], new Random(1), flip: true, shift: 2);
        Assert.Equal(plain.shape, augmented.shape);
        Assert.InRange(plain.max().item<float>(), 0.78f, 1f);
        Assert.True(augmented.sum().item<float>() <= plain.sum().item<float>() + 1e-3f);
    }

    /// <summary>Vectors of 3 numbers with y = 2·x0 − x1 + 0.5·x2² and a little noise.</summary>
    private static NeuralSamples Numbers(int count, int seed)
    {
        var random = new Random(seed);
        var values = new float[count * 3];
        var targets = new float[count];
        for (var i = 0; i < count; i++)
        {
            for (var f = 0; f < 3; f++)
            {
                values[i * 3 + f] = (float)(random.NextDouble() * 2 - 1);
            }

            targets[i] = 2 * values[i * 3] - values[i * 3 + 1] + 0.5f * values[i * 3 + 2] * values[i * 3 + 2] + (float)(random.NextDouble() - 0.5) * 0.1f;
        }

        return NeuralSamples.FromVectors(values, count, 3, targets);
    }

    [Fact]
    public async Task ARegressionMlpLearnsByMeanSquaredErrorAndIsJudgedByItsMetric()
    {
        var space = NeuralSearchSpace.ForVectors();
        var parameters = space.ToExternal(NeuralSearchSpace.DefaultMlp(space));
        using var train = Numbers(400, 1);
        using var validation = Numbers(100, 2);
        var target = NeuralTarget.Regression(TabularMetric.RSquared);

        var result = await NeuralTrainer.RunAsync(Architectures.Mlp(parameters, [3], 1), new TrainingSettings("adamw", 3e-3, 1e-4, 32, 15, "cosine", 0),
            train, validation, target, seed: 3, CPU, null, keepNetwork: true, CancellationToken.None);
        using var network = result.Network!;
        var (values, loss) = NeuralTrainer.Predict(network, validation, CPU);

        Assert.Equal(TabularTask.Regression, target.Task);
        Assert.True(result.BestValue > 0.9, $"Validation R² {result.BestValue:0.###}.");
        Assert.All(values, v => Assert.Single(v));
        Assert.Equal(result.BestValue, NeuralTrainer.Evaluate(values, validation.Targets!).Value(TabularMetric.RSquared), 6);
        Assert.True(loss < 0.2, $"Validation MSE {loss:0.###}.");
    }

    [Fact]
    public async Task ARegressionTargetRefusesSamplesWithClassLabels()
    {
        using var train = Bars(16, 1);
        var error = await Assert.ThrowsAsync<ArgumentException>(() => NeuralTrainer.RunAsync(
            SmallCnn(), Settings(1), train, train, NeuralTarget.Regression(TabularMetric.Rmse), seed: 3, CPU, null, keepNetwork: false, CancellationToken.None));

        Assert.Contains("target values", error.Message);
    }
}
