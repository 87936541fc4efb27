using AutoDL.Learners;
using AutoDL.Learners.Tabular;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace AutoDL.Learners.Tests.Tabular;

public sealed class TabularOnnxTests : IDisposable
{
    private readonly TemporaryFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private static TabularData Sample(string file, string target, TabularColumnKind targetKind)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Data", file);
        var header = File.ReadLines(path).First().Split(',');
        return new TabularData(path, ',', HasHeader: true,
            [.. header.Select(c => new TabularColumn(c, c == target ? targetKind : TabularColumnKind.Numeric))]);
    }

    /// <summary>The learner's defaults with few trees: the check is about the conversion, not the model's quality.</summary>
    private static Dictionary<string, object> Small(TabularExperiment experiment, string learner, IReadOnlyDictionary<string, object>? overrides = null)
    {
        var parameters = new Dictionary<string, object>(TabularSearchSpace.Defaults(experiment.Space, learner), StringComparer.Ordinal);
        foreach (var name in new[] { TabularParameters.LightGbmNumIterations, TabularParameters.FastTreeNumTrees, TabularParameters.FastForestNumTrees })
        {
            if (parameters.ContainsKey(name))
            {
                parameters[name] = 20L;
            }
        }

        foreach (var (name, value) in overrides ?? new Dictionary<string, object>())
        {
            parameters[name] = value;
        }

        return parameters;
    }

    private static async Task<TabularExperiment> LoadAsync(TabularData data, string target, IReadOnlyCollection<string> learners) =>
        await TabularExperiment.LoadAsync(data, new TabularExperimentOptions(target) { Seed = 5, Folds = 2, Learners = learners }, CancellationToken.None);

    [Theory]
    [InlineData("breast_cancer.csv", "diagnosis", TabularLearners.LightGbm)]
    [InlineData("breast_cancer.csv", "diagnosis", TabularLearners.FastForest)]
    [InlineData("breast_cancer.csv", "diagnosis", TabularLearners.Sdca)]
    [InlineData("iris.csv", "species", TabularLearners.LightGbm)]
    [InlineData("iris.csv", "species", TabularLearners.FastTree)]
    [InlineData("iris.csv", "species", TabularLearners.Lbfgs)]
    [InlineData("diabetes.csv", "progression", TabularLearners.FastTree)]
    [InlineData("diabetes.csv", "progression", TabularLearners.FastForest)]
    [InlineData("diabetes.csv", "progression", TabularLearners.Sdca)]
    [InlineData("diabetes.csv", "progression", TabularLearners.Lbfgs)]
    public async Task AnExportedModelRunsInOnnxRuntimeAndPredictsTheTestRowsAsMlNetDoesWithinOneTenThousandth(string file, string target, string learner)
    {
        var data = Sample(file, target, target == "progression" ? TabularColumnKind.Numeric : TabularColumnKind.Categorical);
        var experiment = await LoadAsync(data, target, [learner]);
        var model = await TabularModelBuilder.FitAsync(experiment, Small(experiment, learner), CancellationToken.None);
        var path = _folder.File($"{learner}.onnx");

        var check = await TabularOnnx.ExportAsync(model, experiment, path, CancellationToken.None);

        Assert.True(check.Available, check.Reason);
        Assert.Null(check.Reason);
        Assert.Equal(experiment.Split.TestRows.Count, check.Rows);
        // Regression values (here up to about 300) are held to 1e-4 relative to their size.
        Assert.InRange(check.MaxAbsDifference!.Value, 0, experiment.Task == TabularTask.Regression ? 300 * TabularOnnx.Tolerance : TabularOnnx.Tolerance);

        // Independently of the export's own check: the file on disk, fed the test rows as the CSV has them.
        var rows = TabularTestData.Rows(data.CsvPath);
        var testRows = experiment.Split.TestRows.Select(r => rows[r]).ToList();
        var expected = model.Predictor.Predict(testRows);
        using var session = new InferenceSession(path);
        var inputs = session.InputMetadata.ToDictionary(
            i => i.Key,
            i => OrtValue.CreateTensorValueFromMemory(testRows.Select(r => float.Parse((string)r[i.Key]!, System.Globalization.CultureInfo.InvariantCulture)).ToArray(), [testRows.Count, 1]));
        Assert.Equal(model.Predictor.InputColumns.Select(c => c.Name).Order(), inputs.Keys.Order());
        Assert.All(session.InputMetadata.Values, m => Assert.Equal([-1, 1], m.Dimensions));
        var outputs = session.OutputNames.ToList();
        Assert.Equal(
            experiment.Task switch
            {
                TabularTask.Regression => ["Score.output"],
                TabularTask.Binary => ["PredictedLabel.output", "Probability.output", "Score.output"],
                _ => ["PredictedLabel.output", "Score.output"],
            },
            outputs.Where(n => n.EndsWith(".output", StringComparison.Ordinal)).Order());
        using var results = session.Run(new RunOptions(), inputs, outputs);
        var byName = outputs.Zip(results).ToDictionary(x => x.First.Split('.')[0], x => x.Second);
        foreach (var input in inputs.Values)
        {
            input.Dispose();
        }

        switch (experiment.Task)
        {
            case TabularTask.Regression:
            {
                var values = byName["Score"].GetTensorDataAsSpan<float>().ToArray();
                Assert.All(expected.Zip(values), x => Assert.InRange(
                    Math.Abs(x.First.Value!.Value - x.Second), 0, TabularOnnx.Tolerance * Math.Max(1, Math.Abs(x.First.Value!.Value))));
                break;
            }

            case TabularTask.Binary:
            {
                var probability = byName["Probability"].GetTensorDataAsSpan<float>().ToArray();
                var label = byName["PredictedLabel"].GetTensorDataAsSpan<bool>().ToArray();
                var positive = experiment.Classes[1];
                Assert.All(expected.Zip(probability), x => Assert.InRange(Math.Abs(x.First.Probabilities![positive] - x.Second), 0, TabularOnnx.Tolerance));
                Assert.Equal(expected.Select(p => p.Class), label.Select(l => experiment.Classes[l ? 1 : 0]));
                break;
            }

            default:
            {
                var scores = byName["Score"].GetTensorDataAsSpan<float>().ToArray();
                var label = byName["PredictedLabel"].GetTensorDataAsSpan<uint>().ToArray();
                var classes = experiment.Classes;
                Assert.Equal(testRows.Count * classes.Count, scores.Length);
                for (var i = 0; i < expected.Count; i++)
                {
                    for (var k = 0; k < classes.Count; k++)
                    {
                        Assert.InRange(Math.Abs(expected[i].Probabilities![classes[k]] - scores[i * classes.Count + k]), 0, TabularOnnx.Tolerance);
                    }
                }

                Assert.Equal(expected.Select(p => p.Class), label.Select(k => classes[(int)k - 1]));
                break;
            }
        }
    }

    [Theory]
    [InlineData(TabularLearners.Sdca, "meanvariance")]
    [InlineData(TabularLearners.LightGbm, "minmax")]
    public async Task ImputationMissingIndicatorsOneHotHashingBooleansAndNormalisationConvert(string learner, string normalization)
    {
        var full = TabularTestData.WriteRegression(_folder.File("regression.csv"));
        string[] kept = ["x1", "x2", "x3", "colour", "holiday", "shop", "y"];
        var data = full with { Columns = [.. full.Columns.Where(c => kept.Contains(c.Name))] };
        var experiment = await LoadAsync(data, "y", [learner]);
        var parameters = Small(experiment, learner, new Dictionary<string, object>
        {
            [TabularParameters.Impute] = "minimum",
            [TabularParameters.MissingIndicator] = "true",
            [TabularParameters.Normalization] = normalization,
        });
        var model = await TabularModelBuilder.FitAsync(experiment, parameters, CancellationToken.None);

        var check = await TabularOnnx.ExportAsync(model, experiment, _folder.File("featurized.onnx"), CancellationToken.None);

        Assert.True(check.Available, check.Reason);
        Assert.InRange(check.MaxAbsDifference!.Value, 0, TabularOnnx.Tolerance);
        Assert.True(File.Exists(_folder.File("featurized.onnx")));
    }

    [Fact]
    public async Task AModelRefittedOnAllRowsExportsAndItsOnnxFormMatchesIt()
    {
        var data = Sample("breast_cancer.csv", "diagnosis", TabularColumnKind.Categorical);
        var experiment = await LoadAsync(data, "diagnosis", [TabularLearners.LightGbm]);
        var model = await TabularModelBuilder.FitAsync(experiment, Small(experiment, TabularLearners.LightGbm), CancellationToken.None, FittedOn.AllRows);
        var path = _folder.File("all-rows.onnx");

        var check = await TabularOnnx.ExportAsync(model, experiment, path, CancellationToken.None);

        Assert.Equal(FittedOn.AllRows, model.Fit.FittedOn);
        Assert.True(check.Available, check.Reason);
        Assert.InRange(check.MaxAbsDifference!.Value, 0, TabularOnnx.Tolerance);
        Assert.True(File.Exists(path));
    }

    [Theory]
    [InlineData("day", "the date parts of 'day'")]
    [InlineData("note", "the text features of 'note'")]
    public async Task APipelineThatDoesNotConvertHasNoOnnxFormSaysWhyAndLeavesNoFile(string column, string culprit)
    {
        var full = TabularTestData.WriteRegression(_folder.File("regression.csv"));
        var data = full with { Columns = [.. full.Columns.Where(c => c.Name is "x1" or "y" || c.Name == column)] };
        var experiment = await LoadAsync(data, "y", [TabularLearners.Sdca]);
        var model = await TabularModelBuilder.FitAsync(experiment, Small(experiment, TabularLearners.Sdca), CancellationToken.None);
        var path = _folder.File("stale.onnx");
        await File.WriteAllTextAsync(path, "an older export");

        var check = await TabularOnnx.ExportAsync(model, experiment, path, CancellationToken.None);

        Assert.False(check.Available);
        Assert.Null(check.MaxAbsDifference);
        Assert.StartsWith("The pipeline does not convert to ONNX", check.Reason);
        Assert.Contains(culprit, check.Reason);
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void OutputsThatDifferByMoreThanTheToleranceOrPredictAnotherClassAreRefused()
    {
        var mlnet = new TabularOnnx.Outputs([[0.2f], [0.9f]], [0.2f, 0.9f], [0, 1]);
        var close = new TabularOnnx.Outputs([[0.20005f], [0.9f]], [0.2f, 0.9f], [0, 1]);
        var far = new TabularOnnx.Outputs([[0.2f], [0.9f]], [0.2003f, 0.9f], [0, 1]);
        var otherClass = new TabularOnnx.Outputs([[0.2f], [0.9f]], [0.2f, 0.9f], [1, 1]);

        var passed = TabularOnnx.Compare(mlnet, close, TabularTask.Binary, 2);
        var tooFar = TabularOnnx.Compare(mlnet, far, TabularTask.Binary, 2);
        var wrongClass = TabularOnnx.Compare(mlnet, otherClass, TabularTask.Binary, 2);

        Assert.True(passed.Available);
        Assert.InRange(passed.MaxAbsDifference!.Value, 4e-5, 6e-5);
        Assert.False(tooFar.Available);
        Assert.Contains("differ from ML.NET's by up to 0.0003", tooFar.Reason);
        Assert.False(wrongClass.Available);
        Assert.Contains("different class than ML.NET on 1 of the 2 check rows", wrongClass.Reason);
    }

    [Fact]
    public void LargeRegressionValuesAreHeldToTheToleranceRelativeToTheirSize()
    {
        var mlnet = new TabularOnnx.Outputs([[150f], [2.5f]], null, null);
        var rounded = new TabularOnnx.Outputs([[150.012f], [2.5001f]], null, null);
        var off = new TabularOnnx.Outputs([[150.03f], [2.5f]], null, null);

        var passed = TabularOnnx.Compare(mlnet, rounded, TabularTask.Regression, 2);
        var refused = TabularOnnx.Compare(mlnet, off, TabularTask.Regression, 2);

        Assert.True(passed.Available, passed.Reason);
        Assert.InRange(passed.MaxAbsDifference!.Value, 0.011, 0.013);
        Assert.False(refused.Available);
        Assert.Contains("relative to the values", refused.Reason);
    }

    [Fact]
    public async Task TheCheckIsWrittenAndReadBackAsJson()
    {
        var path = _folder.File("model.onnx.json");
        var check = new OnnxCheck(true, 3.05e-5, 88, null);

        await OnnxCheck.WriteAsync(check, path, CancellationToken.None);

        Assert.Equal(check, await OnnxCheck.ReadAsync(path, CancellationToken.None));
        Assert.Contains("\"maxAbsDifference\":3.05E-05", await File.ReadAllTextAsync(path));
        Assert.Null(await OnnxCheck.ReadAsync(_folder.File("absent.json"), CancellationToken.None));
    }
}
