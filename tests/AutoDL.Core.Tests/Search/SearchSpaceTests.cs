using AutoDL.Core.Search;

namespace AutoDL.Core.Tests.Search;

public sealed class SearchSpaceTests
{
    private static readonly SearchSpace Nas = SearchSpace.Create(
        new ParameterSpec("learner", new CategoricalDistribution(["lightgbm", "sdca", "mlp"])),
        new ParameterSpec("lightgbm.num_leaves", new IntDistribution(4, 256, Log: true), new Condition("learner", In: ["lightgbm"])),
        new ParameterSpec("learning_rate", new FloatDistribution(1e-4, 1, Log: true)),
        new ParameterSpec("blocks", new IntDistribution(1, 4), new Condition("learner", In: ["mlp"])),
        new ParameterSpec("block3.kernel", new CategoricalDistribution(["3", "5", "7"]), new Condition("blocks", Min: 3)),
        new ParameterSpec("dropout", new FloatDistribution(0, 0.5, Step: 0.1)),
        new ParameterSpec("epochs", new FixedDistribution(Number: 10)));

    [Fact]
    public void AChildIsActiveOnlyWhenItsParentHasAGivenValue()
    {
        var lightgbm = Nas.Assign((spec, _) => spec.Name == "learner" ? 0 : Lowest(spec));
        var mlpWithThreeBlocks = Nas.Assign((spec, _) => spec.Name switch { "learner" => 2, "blocks" => 3, _ => Lowest(spec) });
        var mlpWithTwoBlocks = Nas.Assign((spec, _) => spec.Name switch { "learner" => 2, "blocks" => 2, _ => Lowest(spec) });

        Assert.Equal(["learner", "lightgbm.num_leaves", "learning_rate", "dropout", "epochs"], lightgbm.Keys);
        Assert.Contains("block3.kernel", mlpWithThreeBlocks.Keys);
        Assert.DoesNotContain("lightgbm.num_leaves", mlpWithThreeBlocks.Keys);
        Assert.DoesNotContain("block3.kernel", mlpWithTwoBlocks.Keys);
    }

    [Fact]
    public void CheckNamesAnInactiveParameterThatHasAValue()
    {
        var values = Nas.Assign((spec, _) => spec.Name == "learner" ? 1 : Lowest(spec));
        values["lightgbm.num_leaves"] = 31;

        Assert.Equal("'lightgbm.num_leaves' has a value but is inactive (its condition on 'learner' is not met)", Nas.Check(values));
    }

    [Fact]
    public void CheckNamesAnActiveParameterWithoutAValueAndAValueOutOfRange()
    {
        var values = Nas.Assign((spec, _) => spec.Name == "learner" ? 0 : Lowest(spec));
        values.Remove("lightgbm.num_leaves");
        Assert.Equal("'lightgbm.num_leaves' is active but has no value", Nas.Check(values));

        values["lightgbm.num_leaves"] = 300;
        Assert.Equal("'lightgbm.num_leaves' = 300 is outside its distribution", Nas.Check(values));

        values["lightgbm.num_leaves"] = 31;
        values["dropout"] = 0.25;
        Assert.Equal("'dropout' = 0.25 is outside its distribution", Nas.Check(values));
    }

    [Fact]
    public void ExternalValuesAreNumbersAndChoices()
    {
        var values = Nas.Assign((spec, _) => spec.Name switch { "learner" => 2, "blocks" => 3, "block3.kernel" => 1, _ => Lowest(spec) });

        var external = Nas.ToExternal(values);

        Assert.Equal("mlp", external["learner"]);
        Assert.Equal(3L, external["blocks"]);
        Assert.Equal("5", external["block3.kernel"]);
        Assert.Equal(1e-4, external["learning_rate"]);
        Assert.Equal(10.0, external["epochs"]);
    }

    [Fact]
    public void TheSpaceSurvivesAJsonRoundTrip()
    {
        var json = Nas.ToJson();
        var back = SearchSpace.FromJson(json);

        Assert.Equal(Nas.Parameters, back.Parameters);
        Assert.Contains("\"type\":\"categorical\"", json);
    }

    [Theory]
    [InlineData("[{\"name\":\"lr\",\"distribution\":{\"type\":\"float\",\"low\":0,\"high\":1,\"log\":true}}]", "'lr': a log scale needs low above 0, not 0")]
    [InlineData("[{\"name\":\"n\",\"distribution\":{\"type\":\"int\",\"low\":5,\"high\":1}}]", "'n': low (5) is above high (1)")]
    [InlineData("[{\"name\":\"a\",\"distribution\":{\"type\":\"categorical\",\"choices\":[]}}]", "'a': a categorical parameter needs at least one choice")]
    [InlineData("[{\"name\":\"k\",\"distribution\":{\"type\":\"int\",\"low\":1,\"high\":3},\"when\":{\"parent\":\"blocks\",\"min\":3}}]", "'k': its condition names 'blocks', which is not defined before it")]
    [InlineData("[{\"name\":\"x\",\"distribution\":{\"type\":\"fixed\",\"number\":1}},{\"name\":\"x\",\"distribution\":{\"type\":\"fixed\",\"number\":2}}]", "'x' is defined twice")]
    [InlineData("[{\"name\":\"l\",\"distribution\":{\"type\":\"categorical\",\"choices\":[\"a\"]}},{\"name\":\"d\",\"distribution\":{\"type\":\"int\",\"low\":1,\"high\":3},\"when\":{\"parent\":\"l\",\"in\":[\"b\"]}}]", "'d': its condition names 'b', which is not a choice of 'l'")]
    [InlineData("{\"not\":\"a list\"}", "not valid JSON")]
    public void AnInvalidSpaceIsRefusedNamingTheParameterAndTheProblem(string json, string expected)
    {
        var error = Assert.Throws<ArgumentException>(() => SearchSpace.FromJson(json));

        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void StepsAndLogScalesSnapToValidValues()
    {
        Assert.Equal(0.3, new FloatDistribution(0, 0.5, Step: 0.1).Snap(0.27), 12);
        Assert.Equal(0.5, new FloatDistribution(0, 0.55, Step: 0.1).Snap(0.9), 12);
        Assert.Equal(12, new IntDistribution(2, 20, Step: 5).Snap(13.9));
        Assert.Equal(17, new IntDistribution(2, 20, Step: 5).Snap(40));
    }

    private static double Lowest(ParameterSpec spec) => spec.Distribution switch
    {
        FloatDistribution f => f.Low,
        IntDistribution i => i.Low,
        _ => 0,
    };
}
