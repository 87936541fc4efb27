using AutoDL.Core.Search;

namespace AutoDL.Core.Tests.Search;

/// <summary>After its given points the warm start is the sampler it wraps: the whole contract holds.</summary>
public sealed class WarmStartSamplerContractTests : SamplerContract
{
    protected override ISampler CreateSampler() => new WarmStartSampler([], new RandomSampler());
}

public sealed class WarmStartSamplerTests
{
    private static readonly SearchSpace Space = SearchSpace.Create(
        new ParameterSpec("x", new FloatDistribution(0, 10)),
        new ParameterSpec("kind", new CategoricalDistribution(["a", "b"])));

    private static SamplingContext Context(int number) => new(Space, [Direction.Minimize], [], number, SamplerRandom.For(7, number));

    [Fact]
    public void TheGivenPointsComeFirstInOrderThenTheWrappedSamplerProposes()
    {
        Dictionary<string, double> first = new() { ["x"] = 1, ["kind"] = 0 };
        Dictionary<string, double> second = new() { ["x"] = 2, ["kind"] = 1 };
        var sampler = new WarmStartSampler([first, second], new RandomSampler());

        Assert.Equal(first, sampler.Sample(Context(0)));
        Assert.Equal(second, sampler.Sample(Context(1)));
        Assert.Equal(new RandomSampler().Sample(Context(2)), sampler.Sample(Context(2)));
    }

    [Fact]
    public void APointTheSpaceRefusesIsLeftToTheWrappedSampler()
    {
        Dictionary<string, double> outside = new() { ["x"] = 99, ["kind"] = 0 };
        var sampler = new WarmStartSampler([outside], new RandomSampler());

        var proposed = sampler.Sample(Context(0));

        Assert.Null(Space.Check(proposed));
        Assert.Equal(new RandomSampler().Sample(Context(0)), proposed);
    }
}
