using AutoDL.Core.Search;
using AutoDL.Learners.Tabular;

namespace AutoDL.Learners.Tests.Tabular;

public sealed class TabularSearchSpaceTests
{
    private static readonly TabularData Mixed = new("unused.csv", ',', true,
    [
        new TabularColumn("id", TabularColumnKind.Identifier),
        new TabularColumn("age", TabularColumnKind.Integer),
        new TabularColumn("city", TabularColumnKind.Categorical),
        new TabularColumn("joined", TabularColumnKind.DateTime),
        new TabularColumn("target", TabularColumnKind.Numeric),
    ]);

    private static IReadOnlyList<string> Learners(SearchSpace space) =>
        ((CategoricalDistribution)space[TabularParameters.Learner].Distribution).Choices;

    [Theory]
    [InlineData(TabularTask.Binary)]
    [InlineData(TabularTask.Multiclass)]
    [InlineData(TabularTask.Regression)]
    public void EachTasksSpaceHoldsOnlyLearnersThatFitTheTask(TabularTask task)
    {
        var space = TabularSearchSpace.For(task, Mixed, "target");

        Assert.Equal(TabularLearners.Default(task), Learners(space));
        Assert.All(Learners(space), l => Assert.Contains(l, TabularLearners.Supported(task)));
        if (task == TabularTask.Regression)
        {
            Assert.DoesNotContain(TabularLearners.Lbfgs, Learners(space));
            Assert.False(space.Contains(TabularParameters.LbfgsL2));
        }
    }

    [Theory]
    [InlineData(TabularTask.Binary)]
    [InlineData(TabularTask.Multiclass)]
    [InlineData(TabularTask.Regression)]
    public void RandomTrialsOfTheSpaceAreValidAndSetOnlyTheChosenLearnersParameters(TabularTask task)
    {
        var space = TabularSearchSpace.For(task, Mixed, "target", TabularLearners.Supported(task));
        var sampler = new RandomSampler();

        for (var number = 0; number < 60; number++)
        {
            var values = sampler.Sample(new SamplingContext(space, [Direction.Maximize], [], number, SamplerRandom.For(3, number)));
            Assert.Null(space.Check(values));
            var external = space.ToExternal(values);
            var learner = (string)external[TabularParameters.Learner];
            Assert.All(
                external.Keys.Where(k => k.Contains('.', StringComparison.Ordinal)),
                name => Assert.StartsWith(learner + ".", name, StringComparison.Ordinal));
            Assert.Equal(TabularLearners.Linear.Contains(learner), external.ContainsKey(TabularParameters.Normalization));
        }
    }

    [Fact]
    public void FeaturisationParametersAppearOnlyForColumnsThatNeedThem()
    {
        var mixed = TabularSearchSpace.For(TabularTask.Regression, Mixed, "target");
        Assert.True(mixed.Contains(TabularParameters.Impute));
        Assert.True(mixed.Contains(TabularParameters.MissingIndicator));
        Assert.True(mixed.Contains(TabularParameters.OneHotMaxCardinality));

        var textOnly = new TabularData("unused.csv", ',', true,
            [new TabularColumn("review", TabularColumnKind.Text), new TabularColumn("stars", TabularColumnKind.Integer)]);
        var space = TabularSearchSpace.For(TabularTask.Multiclass, textOnly, "stars", [TabularLearners.LightGbm]);
        Assert.False(space.Contains(TabularParameters.Impute));
        Assert.False(space.Contains(TabularParameters.OneHotMaxCardinality));
        Assert.False(space.Contains(TabularParameters.Normalization));
    }

    [Fact]
    public void LightGbmParametersHaveTheDocumentedRanges()
    {
        var space = TabularSearchSpace.For(TabularTask.Binary, Mixed, "target");

        Assert.Equal(new IntDistribution(4, 512, Log: true), space[TabularParameters.LightGbmNumLeaves].Distribution);
        Assert.Equal(new FloatDistribution(1e-3, 0.3, Log: true), space[TabularParameters.LightGbmLearningRate].Distribution);
        Assert.Equal(new IntDistribution(20, 1000, Log: true), space[TabularParameters.LightGbmNumIterations].Distribution);
        Assert.Equal(new Condition(TabularParameters.Learner, In: [TabularLearners.LightGbm]), space[TabularParameters.LightGbmL2].When);
    }

    [Fact]
    public void DefaultsAreAValidTrialOfTheSpaceForEveryLearner()
    {
        var space = TabularSearchSpace.For(TabularTask.Regression, Mixed, "target", TabularLearners.Supported(TabularTask.Regression));

        foreach (var learner in Learners(space))
        {
            var defaults = TabularSearchSpace.Defaults(space, learner);
            Assert.Equal(learner, defaults[TabularParameters.Learner]);
            var internalValues = defaults.ToDictionary(
                kv => kv.Key,
                kv => space[kv.Key].Distribution is CategoricalDistribution c ? c.IndexOf((string)kv.Value) : Convert.ToDouble(kv.Value, System.Globalization.CultureInfo.InvariantCulture));
            Assert.Null(space.Check(internalValues));
        }
    }

    [Fact]
    public void ASearchStartsFromEachLearnersDefaultsStrongestFirst()
    {
        var space = TabularSearchSpace.For(TabularTask.Regression, Mixed, "target", TabularLearners.Supported(TabularTask.Regression));

        var points = TabularSearchSpace.StartingPoints(space);

        Assert.All(points, p => Assert.Null(space.Check(p)));
        Assert.Equal(
            [TabularLearners.LightGbm, TabularLearners.FastForest, TabularLearners.Lbfgs, TabularLearners.Sdca, TabularLearners.FastTree, TabularLearners.Mlp],
            points.Select(p => (string)space.ToExternal(p)[TabularParameters.Learner]));
        Assert.Equal(TabularSearchSpace.Defaults(space, TabularLearners.LightGbm), space.ToExternal(points[0]));
        Assert.Equal(100L, space.ToExternal(points[0])[TabularParameters.LightGbmNumIterations]);
    }

    [Fact]
    public void StartingPointsOnlyUseTheSearchesOwnLearners()
    {
        var space = TabularSearchSpace.For(TabularTask.Regression, Mixed, "target", [TabularLearners.Sdca, TabularLearners.LightGbm]);

        var learners = TabularSearchSpace.StartingPoints(space).Select(p => (string)space.ToExternal(p)[TabularParameters.Learner]);

        Assert.Equal([TabularLearners.LightGbm, TabularLearners.Sdca], learners);
    }

    [Fact]
    public void UnknownOrRepeatedLearnersAreRejectedByName()
    {
        var unknown = Assert.Throws<ArgumentException>(() => TabularSearchSpace.For(TabularTask.Binary, Mixed, "target", ["xgboost"]));
        Assert.Contains("'xgboost'", unknown.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => TabularSearchSpace.For(TabularTask.Binary, Mixed, "target", ["sdca", "sdca"]));
        Assert.Throws<ArgumentException>(() => TabularSearchSpace.For(TabularTask.Binary, Mixed, "target", []));
    }
}
