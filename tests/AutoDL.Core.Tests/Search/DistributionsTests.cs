using AutoDL.Core.Search;

namespace AutoDL.Core.Tests.Search;

public sealed class DistributionsTests
{
    [Theory]
    [InlineData(0, 1, null, false)]
    [InlineData(0.5, 0.5, null, true)]
    [InlineData(0, 0.5, 0.25, false)]
    [InlineData(0.5, 0.9, 1.0, true)]
    public void CallsAFloatSingleWhenItsGridHoldsOneValue(double low, double high, double? step, bool single)
    {
        Assert.Equal(single, new FloatDistribution(low, high, Step: step).IsSingle);
    }

    [Theory]
    [InlineData(1, 8, 1, false)]
    [InlineData(3, 3, 1, true)]
    [InlineData(10, 19, 10, true)]
    [InlineData(10, 20, 10, false)]
    public void CallsAnIntSingleWhenItsGridHoldsOneValue(long low, long high, long step, bool single)
    {
        Assert.Equal(single, new IntDistribution(low, high, Step: step).IsSingle);
    }
}
