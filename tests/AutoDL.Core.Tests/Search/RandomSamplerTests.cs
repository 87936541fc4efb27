using AutoDL.Core.Search;

namespace AutoDL.Core.Tests.Search;

public sealed class RandomSamplerContractTests : SamplerContract
{
    protected override ISampler CreateSampler() => new RandomSampler();
}
