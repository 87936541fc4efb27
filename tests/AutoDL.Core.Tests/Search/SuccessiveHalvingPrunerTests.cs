using AutoDL.Core.Search;

namespace AutoDL.Core.Tests.Search;

public sealed class SuccessiveHalvingPrunerContractTests : PrunerContract
{
    protected override IPruner CreatePruner() => new SuccessiveHalvingPruner();
}

public sealed class ExplicitSuccessiveHalvingPrunerContractTests : PrunerContract
{
    protected override IPruner CreatePruner() => new SuccessiveHalvingPruner(new SuccessiveHalvingOptions(MinResource: 1, ReductionFactor: 2, MinEarlyStoppingRate: 1));
}

public sealed class SuccessiveHalvingPrunerTests
{
    private static readonly SuccessiveHalvingPruner QuarterFromStepOne = new(new SuccessiveHalvingOptions(MinResource: 1));

    [Fact]
    public void HasOptunasDefaults()
    {
        Assert.Equal(new SuccessiveHalvingOptions(MinResource: null, ReductionFactor: 4, MinEarlyStoppingRate: 0, BootstrapCount: 0), new SuccessiveHalvingPruner().Options);
    }

    [Theory]
    [InlineData(3.5, false)]
    [InlineData(4, false)]
    [InlineData(4.5, true)]
    public void PromotesTheBestQuarterAtTheFirstRung(double value, bool pruned)
    {
        // Fifteen trials reached the rung at step 1 with 1 to 15; a 16th ranking 4th is promoted, 5th is pruned.
        var others = Reached(15, steps: 5);

        Assert.Equal(pruned, Judge(QuarterFromStepOne, others, 9, value));
    }

    [Theory]
    [InlineData(3.5, false)]
    [InlineData(4.5, true)]
    public void PromotesTheBestQuarterAtTheSecondRung(double value, bool pruned)
    {
        // The second rung is at step 1 × 4; the trial passed the first at step 1.
        var others = Reached(15, steps: 5);

        Assert.Equal(pruned, Judge(QuarterFromStepOne, others, 9, 0, 0, 0, value));
        Assert.False(Judge(QuarterFromStepOne, others, 9, 0, 0, 0));
    }

    [Theory]
    [InlineData(0.5, false)]
    [InlineData(1, false)]
    [InlineData(2, true)]
    public void PromotesOnlyTheBestWhileFewerThanTheReductionFactorReachedTheRung(double value, bool pruned)
    {
        var others = Reached(2, steps: 2);

        Assert.Equal(pruned, Judge(QuarterFromStepOne, others, 9, value));
    }

    [Fact]
    public void NeverPrunesBeforeTheFirstRung()
    {
        var others = Reached(15, steps: 20);
        var pruner = new SuccessiveHalvingPruner(new SuccessiveHalvingOptions(MinResource: 2, ReductionFactor: 3, MinEarlyStoppingRate: 1));

        Assert.False(Judge(pruner, others, 1e6, 1e6, 1e6, 1e6, 1e6, 1e6));
        Assert.True(Judge(pruner, others, 1e6, 1e6, 1e6, 1e6, 1e6, 1e6, 1e6));
    }

    [Fact]
    public void EstimatesTheMinimumResourceFromTheLongestCompleteTrial()
    {
        var running = Reached(10, steps: 400).Select(t => t with { State = TrialState.Running }).ToList();
        var complete = Reached(10, steps: 251);
        var pruner = new SuccessiveHalvingPruner();

        Assert.False(Judge(pruner, running, 1e6, 1e6, 1e6));
        // 250 / 100 = 2: rungs at steps 2, 8, 32...
        Assert.False(Judge(pruner, complete, 1e6, 1e6));
        Assert.True(Judge(pruner, complete, 1e6, 1e6, 1e6));
    }

    [Fact]
    public void PrunesUntilMoreTrialsThanTheBootstrapCountReachedTheRung()
    {
        var pruner = new SuccessiveHalvingPruner(new SuccessiveHalvingOptions(MinResource: 1, BootstrapCount: 2));

        Assert.True(Judge(pruner, Reached(1, steps: 2), 0, 0));
        Assert.False(Judge(pruner, Reached(2, steps: 2), 0, 0));
    }

    [Fact]
    public void PrunesNaNAtARungAndLeavesItOutOfTheRung()
    {
        var others = Reached(7, steps: 2);
        var failing = new Trial
        {
            Number = 7,
            State = TrialState.Pruned,
            Params = new Dictionary<string, double>(),
            Intermediate = [new(0, 0), new(1, double.NaN)],
        };

        Assert.False(Judge(QuarterFromStepOne, others, double.NaN));
        Assert.True(Judge(QuarterFromStepOne, others, 0, double.NaN));
        // The rung holds 1 to 7 and the new 2: eight values, the best two promoted. A ninth (the NaN) would promote one.
        Assert.False(Judge(QuarterFromStepOne, [.. others, failing], 0, 2));
        Assert.True(Judge(QuarterFromStepOne, [.. others, failing, .. Reached(1, steps: 2).Select(t => t with { Number = 8 })], 0, 2));
    }

    [Fact]
    public void RejectsSettingsThatCannotWork()
    {
        Assert.Throws<ArgumentException>(() => new SuccessiveHalvingPruner(new SuccessiveHalvingOptions(MinResource: 0)));
        Assert.Throws<ArgumentException>(() => new SuccessiveHalvingPruner(new SuccessiveHalvingOptions(ReductionFactor: 1)));
        Assert.Throws<ArgumentException>(() => new SuccessiveHalvingPruner(new SuccessiveHalvingOptions(BootstrapCount: 1)));
    }

    /// <summary>Complete trials 0..count-1, trial n reporting n + 1 at steps 0 to steps - 1.</summary>
    private static List<Trial> Reached(int count, int steps) =>
        Enumerable.Range(0, count).Select(n => new Trial
        {
            Number = n,
            State = TrialState.Complete,
            Params = new Dictionary<string, double>(),
            Values = [n + 1.0],
            Intermediate = [.. Enumerable.Range(0, steps).Select(s => new IntermediateValue(s, n + 1))],
        }).ToList();

    /// <summary>Whether a new trial that reported <paramref name="values"/> at steps 0, 1, ... is pruned at its last step.</summary>
    private static bool Judge(IPruner pruner, IReadOnlyList<Trial> others, params double[] values)
    {
        var trial = new Trial
        {
            Number = others.Count,
            State = TrialState.Running,
            Params = new Dictionary<string, double>(),
            Intermediate = [.. values.Select((v, s) => new IntermediateValue(s, v))],
        };
        return pruner.ShouldPrune(new PruningContext(trial, [.. others, trial], Direction.Minimize));
    }
}
