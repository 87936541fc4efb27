using AutoDL.Learners.Tabular;

namespace AutoDL.Learners.Tests.Tabular;

public sealed class TabularPredictorTests : IDisposable
{
    private readonly TemporaryFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private static async Task<(TabularExperiment Iris, TabularModel Model)> IrisModelAsync(string learner = TabularLearners.LightGbm)
    {
        var iris = await TabularExperiment.LoadAsync(TabularTestData.Iris, new TabularExperimentOptions("species") { Seed = 8 }, CancellationToken.None);
        var model = await TabularModelBuilder.FitAsync(iris, TabularSearchSpace.Defaults(iris.Space, learner), CancellationToken.None);
        return (iris, model);
    }

    [Fact]
    public async Task TheRefitModelIsTestedOnceOnTheHeldOutRows()
    {
        var (iris, model) = await IrisModelAsync();

        var test = model.TestEvaluation!;
        var metrics = test.Classification!;
        Assert.Equal(iris.Split.TestRows.Count, test.Rows);
        Assert.True(metrics.Accuracy > 0.85, $"Test accuracy {metrics.Accuracy:0.###}.");
        Assert.InRange(metrics.BalancedAccuracy, 0.85, 1);
        Assert.InRange(metrics.MacroF1, 0.85, 1);
        Assert.InRange(metrics.LogLoss, 0, 1);
        Assert.Null(metrics.Auc);
        Assert.Equal(iris.Classes, metrics.PerClass.Select(c => c.Class));
        Assert.All(metrics.PerClass, c => Assert.Equal(10, c.Support));
        Assert.Equal(30, metrics.ConfusionMatrix.Sum(r => r.Sum()));
        Assert.Null(test.Regression);
    }

    [Theory]
    [InlineData("yes", "no", TabularColumnKind.Boolean)]
    [InlineData("Y", "N", TabularColumnKind.Boolean)]
    [InlineData("True", "False", TabularColumnKind.Boolean)]
    [InlineData("1", "0", TabularColumnKind.Boolean)]
    [InlineData("1", "0", TabularColumnKind.Integer)]
    [InlineData("pos", "neg", TabularColumnKind.Categorical)]
    public async Task EveryClassIsSpelledAsInTheUploadedFile(string positive, string negative, TabularColumnKind kind)
    {
        var path = _folder.File($"spelled-{positive}-{kind}.csv");
        var random = new Random(3);
        var lines = new List<string> { "x,y,label" };
        for (var i = 0; i < 120; i++)
        {
            var x = random.NextDouble();
            lines.Add(FormattableString.Invariant($"{x:0.###},{random.NextDouble():0.###},{(x > 0.6 ? positive : negative)}"));
        }

        await File.WriteAllLinesAsync(path, lines);
        var data = new TabularData(path, ',', true,
            [new TabularColumn("x", TabularColumnKind.Numeric), new TabularColumn("y", TabularColumnKind.Numeric), new TabularColumn("label", kind)]);
        var experiment = await TabularExperiment.LoadAsync(data, new TabularExperimentOptions("label") { Seed = 2 }, CancellationToken.None);
        var model = await TabularModelBuilder.FitAsync(experiment, TabularSearchSpace.Defaults(experiment.Space, TabularLearners.LightGbm), CancellationToken.None);
        var saved = _folder.File($"spelled-{positive}-{kind}.zip");
        await model.SaveAsync(saved, CancellationToken.None);
        var loaded = await TabularPredictor.LoadAsync(saved, CancellationToken.None);

        string[] spelled = [negative, positive];
        Assert.Equal(TabularTask.Binary, experiment.Task);
        Assert.Equal(positive, experiment.Classes[1]);
        Assert.Equal(spelled.Order(StringComparer.Ordinal), experiment.Classes.Order(StringComparer.Ordinal));
        Assert.Equal(experiment.Classes, loaded.Classes);
        Assert.Equal(experiment.Classes, model.TestEvaluation!.Classification!.PerClass.Select(c => c.Class));
        var predictions = loaded.Predict([
            new Dictionary<string, object?> { ["x"] = 0.95, ["y"] = 0.5 },
            new Dictionary<string, object?> { ["x"] = 0.05, ["y"] = 0.5 },
        ]);
        Assert.Equal([positive, negative], predictions.Select(p => p.Class));
        Assert.All(predictions, p => Assert.Equal(spelled.Order(StringComparer.Ordinal), p.Probabilities!.Keys.Order(StringComparer.Ordinal)));
    }

    [Fact]
    public async Task ASavedModelLoadsBackAndPredictsTheSame()
    {
        var (iris, model) = await IrisModelAsync();
        var path = _folder.File("iris.zip");
        var rows = TabularTestData.Rows(TabularTestData.Iris.CsvPath);
        var testRows = iris.Split.TestRows.Select(r => rows[r]).ToList();

        await model.SaveAsync(path, CancellationToken.None);
        var loaded = await TabularPredictor.LoadAsync(path, CancellationToken.None);
        var before = model.Predictor.Predict(testRows);
        var after = loaded.Predict(testRows);

        Assert.Equal(TabularTask.Multiclass, loaded.Task);
        Assert.Equal(iris.Classes, loaded.Classes);
        Assert.Equal(before.Select(p => p.Class), after.Select(p => p.Class));
        Assert.Equal(before.Select(p => p.Probabilities!["virginica"]), after.Select(p => p.Probabilities!["virginica"]));
        var correct = after.Zip(testRows).Count(x => x.First.Class == (string)x.Second["species"]!);
        Assert.True(correct >= 26, $"{correct} of 30 test rows predicted right.");
        Assert.All(after, p => Assert.Equal(1.0, p.Probabilities!.Values.Sum(), 6));
    }

    [Fact]
    public async Task ABinaryForestModelKeepsItsCalibratedProbabilitiesThroughSaving()
    {
        var data = TabularTestData.WriteBinaryIris(_folder.File("iris-binary.csv"));
        var experiment = await TabularExperiment.LoadAsync(data, new TabularExperimentOptions("species") { Seed = 4 }, CancellationToken.None);
        var model = await TabularModelBuilder.FitAsync(experiment, TabularSearchSpace.Defaults(experiment.Space, TabularLearners.FastForest), CancellationToken.None);
        var path = _folder.File("binary.zip");
        var rows = TabularTestData.Rows(data.CsvPath);

        await model.SaveAsync(path, CancellationToken.None);
        var loaded = await TabularPredictor.LoadAsync(path, CancellationToken.None);
        var before = model.Predictor.Predict(rows);
        var after = loaded.Predict(rows);

        var metrics = model.TestEvaluation!.Classification!;
        Assert.True(metrics.Auc > 0.9, $"Test AUC {metrics.Auc:0.###}.");
        Assert.InRange(metrics.LogLoss, 0, 0.69);
        Assert.Equal(["versicolor", "virginica"], loaded.Classes);
        Assert.Equal(before.Select(p => p.Class), after.Select(p => p.Class));
        Assert.Equal(before.Select(p => p.Probabilities!["virginica"]), after.Select(p => p.Probabilities!["virginica"]));
        Assert.All(after, p => Assert.Equal(1.0, p.Probabilities!["versicolor"] + p.Probabilities["virginica"], 6));
    }

    [Fact]
    public async Task ARegressionModelWithDatesCategoriesAndTextRoundTrips()
    {
        var data = TabularTestData.WriteRegression(_folder.File("regression.csv"), rows: 200);
        var experiment = await TabularExperiment.LoadAsync(data, new TabularExperimentOptions("y") { Seed = 2 }, CancellationToken.None);
        var parameters = new Dictionary<string, object>(TabularSearchSpace.Defaults(experiment.Space, TabularLearners.LightGbm))
        {
            [TabularParameters.MissingIndicator] = "true",
        };
        var model = await TabularModelBuilder.FitAsync(experiment, parameters, CancellationToken.None);
        var path = _folder.File("regression.zip");
        var rows = TabularTestData.Rows(data.CsvPath).Take(20).ToList();

        await model.SaveAsync(path, CancellationToken.None);
        var loaded = await TabularPredictor.LoadAsync(path, CancellationToken.None);

        var metrics = model.TestEvaluation!.Regression!;
        Assert.True(metrics.RSquared > 0.6, $"Test R² {metrics.RSquared:0.###}, RMSE {metrics.Rmse:0.###}, MAE {metrics.Mae:0.###}.");
        Assert.Equal(model.Predictor.Predict(rows).Select(p => p.Value), loaded.Predict(rows).Select(p => p.Value));
        Assert.All(loaded.Predict(rows), p => Assert.Null(p.Class));
        Assert.DoesNotContain(loaded.InputColumns, c => c.Name is "id" or "y");
    }

    [Fact]
    public async Task ARowWithoutARequiredColumnIsNamedByIndexAndColumn()
    {
        var (_, model) = await IrisModelAsync();
        var complete = new Dictionary<string, object?> { ["sepal_length"] = 5.1, ["sepal_width"] = 3.5, ["petal_length"] = 1.4, ["petal_width"] = 0.2 };
        var incomplete = new Dictionary<string, object?>(complete);
        incomplete.Remove("petal_width");

        var error = Assert.Throws<ArgumentException>(() => model.Predictor.Predict([complete, incomplete]));

        Assert.Contains("Row 1", error.Message, StringComparison.Ordinal);
        Assert.Contains("'petal_width'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AMistypedValueIsNamedByIndexAndColumnAndNullMeansMissing()
    {
        var (_, model) = await IrisModelAsync();
        var row = new Dictionary<string, object?> { ["sepal_length"] = 5.1, ["sepal_width"] = "3.5", ["petal_length"] = 1.4, ["petal_width"] = null };
        var mistyped = new Dictionary<string, object?>(row) { ["petal_length"] = "long" };

        var error = Assert.Throws<ArgumentException>(() => model.Predictor.Predict([row, row, mistyped]));
        var prediction = Assert.Single(model.Predictor.Predict([row]));

        Assert.Contains("Row 2", error.Message, StringComparison.Ordinal);
        Assert.Contains("'petal_length'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'long'", error.Message, StringComparison.Ordinal);
        Assert.Contains(prediction.Class, model.Predictor.Classes);
    }

    [Fact]
    public async Task AFileThatIsNotATabularModelIsRejected()
    {
        var path = _folder.File("not-a-model.zip");
        using (var zip = System.IO.Compression.ZipFile.Open(path, System.IO.Compression.ZipArchiveMode.Create))
        {
            zip.CreateEntry("readme.txt");
        }

        await Assert.ThrowsAsync<InvalidDataException>(() => TabularPredictor.LoadAsync(path, CancellationToken.None));
    }
}
