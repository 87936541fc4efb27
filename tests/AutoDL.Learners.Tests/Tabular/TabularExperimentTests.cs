using AutoDL.Core.Search;
using AutoDL.Learners.Tabular;

namespace AutoDL.Learners.Tests.Tabular;

public sealed class TabularExperimentTests
{
    private static Task<TabularExperiment> IrisAsync(int seed = 5, double testFraction = 0.2) =>
        TabularExperiment.LoadAsync(
            TabularTestData.Iris, new TabularExperimentOptions("species") { Seed = seed, TestFraction = testFraction }, CancellationToken.None);

    [Fact]
    public async Task IrisIsAMulticlassTaskScoredByAccuracy()
    {
        var iris = await IrisAsync();

        Assert.Equal(150, iris.RowCount);
        Assert.Equal(TabularTask.Multiclass, iris.Task);
        Assert.Equal(TabularMetric.Accuracy, iris.Metric);
        Assert.Equal(Direction.Maximize, iris.Direction);
        Assert.Equal(["setosa", "versicolor", "virginica"], iris.Classes);
        Assert.Equal(["sepal_length", "sepal_width", "petal_length", "petal_width"], iris.InputColumns.Select(c => c.Name));
    }

    [Fact]
    public async Task TheTestSplitIsStratifiedByClass()
    {
        var iris = await IrisAsync();

        Assert.Equal(30, iris.Split.TestRows.Count);
        Assert.All(iris.Split.TestRows.GroupBy(r => iris.Strata[r]), g => Assert.Equal(10, g.Count()));
        Assert.All(iris.Split.Folds, fold =>
        {
            Assert.Equal(24, fold.ValidationRows.Count);
            Assert.All(fold.ValidationRows.GroupBy(r => iris.Strata[r]), g => Assert.Equal(8, g.Count()));
        });
    }

    [Fact]
    public async Task TheSameSeedGivesTheSameSplitAndAnotherSeedAnother()
    {
        var first = await IrisAsync(seed: 5);
        var again = await IrisAsync(seed: 5);
        var other = await IrisAsync(seed: 6);

        Assert.Equal(first.Split.TestRows, again.Split.TestRows);
        Assert.Equal(first.Split.Folds.Select(f => f.ValidationRows), again.Split.Folds.Select(f => f.ValidationRows));
        Assert.NotEqual(first.Split.TestRows, other.Split.TestRows);
    }

    [Fact]
    public async Task NoCrossValidationRowIsATestRowAndTheFoldsPartitionTheRest()
    {
        var iris = await IrisAsync();
        var test = iris.Split.TestRows.ToHashSet();

        Assert.Equal(Enumerable.Range(0, 150), iris.Split.TestRows.Concat(iris.Split.TrainingRows).Order());
        Assert.Equal(iris.Split.TrainingRows, iris.Split.Folds.SelectMany(f => f.ValidationRows).Order());
        Assert.All(iris.Split.Folds, fold =>
        {
            Assert.DoesNotContain(fold.TrainRows, test.Contains);
            Assert.DoesNotContain(fold.ValidationRows, test.Contains);
            Assert.Empty(fold.TrainRows.Intersect(fold.ValidationRows));
            Assert.Equal(iris.Split.TrainingRows, fold.TrainRows.Concat(fold.ValidationRows).Order());
        });
    }

    [Fact]
    public void LargeTablesGetOneStratifiedHoldOutInsteadOfFolds()
    {
        var strata = Enumerable.Range(0, 1000).Select(i => i % 4 == 0 ? 1 : 0).ToArray();

        var split = TabularSplit.Create(strata, testFraction: 0.2, folds: 5, seed: 1, holdoutAboveRows: 500);

        var fold = Assert.Single(split.Folds);
        Assert.Equal(160, fold.ValidationRows.Count);
        Assert.Equal(40, fold.ValidationRows.Count(r => strata[r] == 1));
        Assert.Equal(200, split.TestRows.Count);
    }

    [Fact]
    public async Task ARegressionTargetIsParsedAndStratifiedByQuantileBands()
    {
        using var folder = new TemporaryFolder();
        var data = TabularTestData.WriteRegression(folder.File("regression.csv"));

        var experiment = await TabularExperiment.LoadAsync(data, new TabularExperimentOptions("y"), CancellationToken.None);

        Assert.Equal(TabularTask.Regression, experiment.Task);
        Assert.Equal(TabularMetric.Rmse, experiment.Metric);
        Assert.Empty(experiment.Classes);
        Assert.DoesNotContain(experiment.InputColumns, c => c.Name is "id" or "y");
        Assert.Equal(60, experiment.Split.TestRows.Count);
        Assert.All(experiment.Split.TestRows.GroupBy(r => experiment.Strata[r]), g => Assert.Equal(6, g.Count()));
    }

    [Fact]
    public async Task ABinaryTargetsPositiveClassIsTheTrueOneOrTheRarerOne()
    {
        using var folder = new TemporaryFolder();
        var path = folder.File("binary.csv");
        await File.WriteAllLinesAsync(path, ["x,churned", .. Enumerable.Range(0, 40).Select(i => $"{i},{(i % 4 == 0 ? "yes" : "no")}")]);
        var data = new TabularData(path, ',', true,
            [new TabularColumn("x", TabularColumnKind.Integer), new TabularColumn("churned", TabularColumnKind.Boolean)]);

        var experiment = await TabularExperiment.LoadAsync(data, new TabularExperimentOptions("churned"), CancellationToken.None);

        Assert.Equal(TabularTask.Binary, experiment.Task);
        Assert.Equal(TabularMetric.Auc, experiment.Metric);
        Assert.Equal(["no", "yes"], experiment.Classes);
        Assert.Equal("yes", experiment.Classes[1]);
    }

    [Fact]
    public async Task ABooleanTargetSpelledSeveralWaysIsOneClassNamedByItsCommonestSpelling()
    {
        using var folder = new TemporaryFolder();
        var path = folder.File("mixed.csv");
        await File.WriteAllLinesAsync(path, ["x,paid", .. Enumerable.Range(0, 40).Select(i => $"{i},{(i % 2 == 0 ? (i % 10 == 0 ? "YES" : "Yes") : "No")}")]);
        var data = new TabularData(path, ',', true,
            [new TabularColumn("x", TabularColumnKind.Integer), new TabularColumn("paid", TabularColumnKind.Boolean)]);

        var experiment = await TabularExperiment.LoadAsync(data, new TabularExperimentOptions("paid"), CancellationToken.None);

        Assert.Equal(TabularTask.Binary, experiment.Task);
        Assert.Equal(["No", "Yes"], experiment.Classes);
    }

    [Fact]
    public async Task AMissingDescribedColumnIsNamed()
    {
        var data = TabularTestData.Iris with { Columns = [.. TabularTestData.Iris.Columns, new TabularColumn("petal_colour", TabularColumnKind.Categorical)] };

        var error = await Assert.ThrowsAsync<ArgumentException>(
            () => TabularExperiment.LoadAsync(data, new TabularExperimentOptions("species"), CancellationToken.None));

        Assert.Contains("'petal_colour'", error.Message, StringComparison.Ordinal);
    }
}
