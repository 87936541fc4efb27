using AutoDL.Core.Search;
using AutoDL.Core.Search.Tpe;

namespace AutoDL.Core.Tests.Search;

public sealed class TpeSamplerContractTests : SamplerContract
{
    protected override ISampler CreateSampler() => new TpeSampler();
}

public sealed class MultivariateGroupTpeSamplerContractTests : SamplerContract
{
    protected override ISampler CreateSampler() => new TpeSampler(new TpeOptions { Multivariate = true, Group = true, ConstantLiar = true });
}
