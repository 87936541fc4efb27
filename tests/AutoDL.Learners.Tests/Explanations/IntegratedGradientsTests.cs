using AutoDL.Learners.Explanations;
using AutoDL.Learners.Neural;
using AutoDL.Learners.Tabular;
using TorchSharp;
using static TorchSharp.torch;

namespace AutoDL.Learners.Tests.Explanations;

public sealed class IntegratedGradientsTests
{
    /// <summary>conv(1→4, 3×3) + relu + flatten + linear(4·H·W → 3): a small image classifier with fixed weights.</summary>
    private static nn.Module<Tensor, Tensor> ConvNet(int channels, int height, int width, int seed = 1)
    {
        random.manual_seed(seed);
        return nn.Sequential(
            nn.Conv2d(channels, 4, 3, padding: 1),
            nn.ReLU(),
            nn.Flatten(),
            nn.Linear(4 * height * width, 3));
    }

    private static byte[] RandomImage(int channels, int height, int width, int seed)
    {
        var random = new Random(seed);
        var pixels = new byte[channels * height * width];
        random.NextBytes(pixels);
        return pixels;
    }

    [Fact]
    public void OnALinearModelIntegratedGradientsAreTheInputMinusTheBaselineTimesTheWeights()
    {
        using var linear = nn.Linear(4, 3);
        using (no_grad())
        {
            linear.weight!.copy_(tensor(new float[] { 1, -2, 0.5f, 3, 0, 1, 1, 1, -1, 4, 2, -3 }).view(3, 4));
            linear.bias!.copy_(tensor(new float[] { 0.1f, -0.2f, 0.3f }));
        }

        using var x = tensor(new float[] { 0.5f, -1, 2, 0.25f });
        using var baseline = tensor(new float[] { 0.1f, 0.2f, -0.3f, 0 });
        var result = IntegratedGradients.Explain(linear, x, baseline, output: 1);

        float[] w = [0, 1, 1, 1];
        float[] xs = [0.5f, -1, 2, 0.25f];
        float[] bs = [0.1f, 0.2f, -0.3f, 0];
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal((xs[i] - bs[i]) * w[i], result.Attributions[i], 1e-5);
        }

        Assert.True(result.Gap < 1e-4, $"gap {result.Gap}");
        Assert.True(result.Converged);
        Assert.Equal(32, result.Steps);
        Assert.Equal([4L], result.Shape);
    }

    [Theory]
    [InlineData(ImageBaseline.Black, AttributionTarget.Logit)]
    [InlineData(ImageBaseline.Blur, AttributionTarget.Logit)]
    [InlineData(ImageBaseline.Blur, AttributionTarget.Probability)]
    public void OnASmallConvNetTheAttributionsAddUpToTheOutputsChangeWithinOnePercent(ImageBaseline baseline, AttributionTarget target)
    {
        const int channels = 3, height = 8, width = 12;
        using var network = ConvNet(channels, height, width);
        var pixels = RandomImage(channels, height, width, seed: 4);
        var map = ImageSaliency.Explain(network, pixels, channels, height, width, output: 2, baseline, options: new IntegratedGradientsOptions { Target = target });

        var result = map.Attribution;
        Assert.True(Math.Abs(result.Difference) > 1e-6, "the baseline should change the output");
        Assert.True(result.RelativeGap <= 0.01, $"gap {result.Gap} of {result.Difference} after {result.Steps} steps");
        Assert.True(result.Converged);
        Assert.Equal(Math.Abs(result.Attributions.Sum() - result.Difference), result.Gap, 1e-3);
        Assert.Equal(channels * height * width, result.Attributions.Length);
    }

    [Fact]
    public void TheSaliencyHeatmapIsAPngOfTheInputsSizeNormalisedToOne()
    {
        const int channels = 3, height = 8, width = 12;
        using var network = ConvNet(channels, height, width);
        var pixels = RandomImage(channels, height, width, seed: 9);
        var map = ImageSaliency.Explain(network, pixels, channels, height, width, output: 0, ImageBaseline.Black);

        using var png = SixLabors.ImageSharp.Image.Load(map.Png);
        Assert.Equal(width, png.Width);
        Assert.Equal(height, png.Height);
        Assert.Equal(height * width, map.Heat.Length);
        Assert.Equal(1f, map.Heat.Max(), 1e-6);
        Assert.All(map.Heat, h => Assert.InRange(h, 0f, 1f));

        // The heat is |attr| summed over channels.
        var plane = height * width;
        var sums = Enumerable.Range(0, plane).Select(p => Enumerable.Range(0, channels).Sum(c => Math.Abs(map.Attribution.Attributions[c * plane + p]))).ToArray();
        Assert.Equal(Array.IndexOf(sums, sums.Max()), Array.IndexOf(map.Heat, map.Heat.Max()));
    }

    [Fact]
    public void TheStepsDoubleUntilTheGapIsMetAndStopThere()
    {
        // A smooth, strongly curved function: the trapezoid rule needs more than 32 intervals for a tight tolerance.
        random.manual_seed(3);
        using var network = nn.Sequential(nn.Linear(6, 16), nn.Tanh(), nn.Linear(16, 2));
        using (no_grad())
        {
            foreach (var parameter in network.parameters())
            {
                parameter.mul_(6);
            }
        }

        using var x = tensor(new float[] { 1, -0.5f, 0.8f, 0.3f, -1, 0.6f });
        using var baseline = zeros(6);
        var loose = IntegratedGradients.Explain(network, x, baseline, 0, new IntegratedGradientsOptions { Tolerance = 0.05 });
        var tight = IntegratedGradients.Explain(network, x, baseline, 0, new IntegratedGradientsOptions { Tolerance = 1e-5, MaxSteps = 4096 });
        var capped = IntegratedGradients.Explain(network, x, baseline, 0, new IntegratedGradientsOptions { Tolerance = 1e-9, MaxSteps = 64 });

        Assert.True(loose.Converged && tight.Converged);
        Assert.True(tight.Steps > loose.Steps, $"tight {tight.Steps}, loose {loose.Steps}");
        Assert.True(tight.RelativeGap <= 1e-5);
        // Doubling from 32: a power of two times 32, and one doubling fewer would not have met the tolerance.
        Assert.Equal(0, tight.Steps % 32);
        Assert.True(System.Numerics.BitOperations.IsPow2(tight.Steps / 32));
        var fewer = IntegratedGradients.Explain(network, x, baseline, 0, new IntegratedGradientsOptions { Tolerance = 1e-5, StartSteps = tight.Steps / 2, MaxSteps = tight.Steps / 2 });
        Assert.False(fewer.Converged);
        Assert.Equal(64, capped.Steps);
        Assert.False(capped.Converged);
    }

    [Fact]
    public void ExplainingLeavesNoTensorAliveAndNoGradientOnTheNetwork()
    {
        const int channels = 1, height = 6, width = 6;
        using var network = ConvNet(channels, height, width);
        var pixels = RandomImage(channels, height, width, seed: 2);
        ImageSaliency.Explain(network, pixels, channels, height, width, output: 1, ImageBaseline.Blur);
        var before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        ImageSaliency.Explain(network, pixels, channels, height, width, output: 1, ImageBaseline.Blur);
        Assert.Equal(before, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
        Assert.All(network.parameters(), p => Assert.True(p.grad is null || p.grad.abs().sum().item<float>() == 0));
        Assert.False(network.training);
    }

    [Theory]
    [InlineData(ImageBaseline.Blur)]
    [InlineData(ImageBaseline.TrainingMean)]
    public void AnImageModelsSaliencyOfAClassAddsUpAndIsAPngOfItsImageSize(ImageBaseline baseline)
    {
        const int channels = 3, size = 8;
        var space = NeuralSearchSpace.ForImages();
        var spec = Architectures.Cnn(space.ToExternal(NeuralSearchSpace.DefaultCnn(space)), [channels, size, size], 3, [0.5f, 0.5f, 0.5f], [0.25f, 0.25f, 0.25f]);
        using var generator = new Generator(5, CPU);
        using var predictor = new NeuralPredictor(
            new SpecNetwork(spec, generator), new NeuralModelInfo(NeuralModelInfo.CurrentFormat, "cnn", TabularMetric.Accuracy, ["a", "b", "c"], channels, size, size));
        var pixels = RandomImage(channels, size, size, seed: 6);
        var mean = Enumerable.Repeat(0.5f, channels * size * size).ToArray();

        var map = ImageSaliency.Explain(predictor, pixels, classIndex: 2, baseline, mean);

        Assert.True(map.Attribution.RelativeGap <= 0.01 || map.Attribution.Gap < 1e-6, $"gap {map.Attribution.Gap} of {map.Attribution.Difference} after {map.Attribution.Steps} steps");
        Assert.Equal(2, map.Attribution.Output);
        using var png = SixLabors.ImageSharp.Image.Load(map.Png);
        Assert.Equal((size, size), (png.Width, png.Height));
        Assert.Throws<ArgumentOutOfRangeException>(() => ImageSaliency.Explain(predictor, pixels, classIndex: 3));
    }
}
