using AutoDL.Core.Search;
using AutoDL.Learners.Neural;
using static TorchSharp.torch;

namespace AutoDL.Learners.Tests.Neural;

public sealed class SpecNetworkTests
{
    private static NetworkSpec DefaultCnn(int channels = 1, int size = 8, int classes = 10)
    {
        var space = NeuralSearchSpace.ForImages();
        var parameters = space.ToExternal(NeuralSearchSpace.DefaultCnn(space));
        return Architectures.Cnn(parameters, [channels, size, size], classes, [.. Enumerable.Repeat(0.5f, channels)], [.. Enumerable.Repeat(0.25f, channels)]);
    }

    [Fact]
    public void TheDefaultCnnMapsABatchOfImagesToOneLogitPerClass()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(1, CPU);
        using var network = new SpecNetwork(DefaultCnn(), generator);
        var output = network.forward(rand(5, 1, 8, 8));
        Assert.Equal(new long[] { 5, 10 }, output.shape);
    }

    [Fact]
    public void WeightsAreNamedByTheLayersPlaceInTheSpec()
    {
        using var generator = new Generator(1, CPU);
        using var network = new SpecNetwork(DefaultCnn(), generator);
        var names = network.state_dict().Keys.ToList();
        foreach (var row in network.Summary.Layers.Where(l => l.Parameters > 0))
        {
            Assert.Contains($"layers.{row.Path}.weight", names);
        }

        Assert.Equal(network.Summary.Parameters, network.parameters().Sum(p => p.numel()));
    }

    [Fact]
    public void TheSameSeedBuildsTheSameWeights()
    {
        using var a = new Generator(7, CPU);
        using var b = new Generator(7, CPU);
        using var first = new SpecNetwork(DefaultCnn(), a);
        using var second = new SpecNetwork(DefaultCnn(), b);
        foreach (var (name, tensor) in first.state_dict())
        {
            Assert.True(tensor.eq(second.state_dict()[name]).all().item<bool>(), $"{name} differs.");
        }
    }

    [Fact]
    public void ArchitecturesRoundTripThroughJson()
    {
        var spec = DefaultCnn(3, 32, 4);
        Assert.Equal(spec, NetworkSpec.FromJson(spec.ToJson()));
    }

    [Fact]
    public void EveryPointOfTheImageSpaceBuildsANetworkThatFits()
    {
        var space = NeuralSearchSpace.ForImages();
        var sampler = new RandomSampler();
        for (var i = 0; i < 50; i++)
        {
            var point = sampler.Sample(new SamplingContext(space, [Direction.Maximize], [], i, SamplerRandom.For(3, i)));
            var size = 4 + i % 29;
            var spec = Architectures.Cnn(space.ToExternal(point), [3, size, size], 5, [0f, 0f, 0f], [1f, 1f, 1f]);
            var summary = NetworkSummary.Of(spec);
            Assert.Equal([5], summary.OutputShape);
        }
    }

    [Fact]
    public void EveryPointOfTheVectorSpaceBuildsAnMlpThatFits()
    {
        var space = NeuralSearchSpace.ForVectors();
        var sampler = new RandomSampler();
        for (var i = 0; i < 50; i++)
        {
            var point = sampler.Sample(new SamplingContext(space, [Direction.Maximize], [], i, SamplerRandom.For(3, i)));
            var spec = Architectures.Mlp(space.ToExternal(point), [13], 3);
            using var generator = new Generator((ulong)i, CPU);
            using var network = new SpecNetwork(spec, generator);
            using var _ = NewDisposeScope();
            network.eval();
            Assert.Equal(new long[] { 2, 3 }, network.forward(rand(2, 13)).shape);
        }
    }

    [Fact]
    public void ALayerThatDoesNotFitItsInputIsNamed()
    {
        var spec = new NetworkSpec([1, 8, 8], 2, [new ConvLayer(3, 4, 3), new GlobalAvgPoolLayer(), new LinearLayer(4, 2)]);
        var e = Assert.Throws<ArgumentException>(() => NetworkSummary.Of(spec));
        Assert.Contains("Layer 0", e.Message);
    }

    [Theory]
    [InlineData(8, 8)]
    [InlineData(16, 16)]
    [InlineData(28, 14)]
    [InlineData(64, 16)]
    public void ImagesAboveSixteenPixelsAreBroughtDownBeforeTheFirstStage(int side, int firstStageSide)
    {
        var summary = NetworkSummary.Of(DefaultCnn(1, side, 10));
        var firstResidual = summary.Layers.First(l => l.Description.StartsWith("residual", StringComparison.Ordinal));
        Assert.Equal([32, firstStageSide, firstStageSide], firstResidual.OutputShape);
        Assert.True(summary.MultiplyAdds < 13_000_000, $"{summary.MultiplyAdds:N0} multiply-adds an image.");
    }
}
