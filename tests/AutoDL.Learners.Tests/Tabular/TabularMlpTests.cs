using AutoDL.Core.Search;
using AutoDL.Learners.Ensembles;
using AutoDL.Learners.Neural;
using AutoDL.Learners.Tabular;
using Xunit.Abstractions;

namespace AutoDL.Learners.Tests.Tabular;

public sealed class TabularMlpTests(TabularMlpTests.Tables tables, ITestOutputHelper output) : IClassFixture<TabularMlpTests.Tables>
{
    /// <summary>Iris and the diabetes sample with the MLP as their only learner, loaded once for the class.</summary>
    public sealed class Tables
    {
        public Tables()
        {
            Iris = Load(TabularTestData.Iris, "species");
            var path = Path.Combine(AppContext.BaseDirectory, "Data", "diabetes.csv");
            var header = File.ReadLines(path).First().Split(',');
            Diabetes = Load(new TabularData(path, ',', HasHeader: true, [.. header.Select(c => new TabularColumn(c, TabularColumnKind.Numeric))]), "progression");
        }

        public TabularExperiment Iris { get; }

        public TabularExperiment Diabetes { get; }

        private static TabularExperiment Load(TabularData data, string target) =>
            TabularExperiment.LoadAsync(data, new TabularExperimentOptions(target) { Seed = 3, Learners = [TabularLearners.Mlp] }, CancellationToken.None)
                .GetAwaiter().GetResult();
    }

    private static IReadOnlyDictionary<string, object> Defaults(TabularExperiment experiment) =>
        TabularSearchSpace.Defaults(experiment.Space, TabularLearners.Mlp);

    [Fact]
    public async Task AnMlpTrialCrossValidatesIrisToAtLeastNinetyPercentAccuracy()
    {
        var result = await new TabularTrainer(tables.Iris).CrossValidateAsync(Defaults(tables.Iris), null, CancellationToken.None);

        output.WriteLine($"iris mlp accuracy {result.Mean:0.###} ({string.Join(", ", result.FoldScores.Select(s => s.ToString("0.###")))})");
        Assert.Equal(TabularMetric.Accuracy, result.Metric);
        Assert.True(result.Mean >= 0.9, $"Cross-validated accuracy {result.Mean:0.###}.");
    }

    [Fact]
    public async Task AnMlpTrialCrossValidatesTheDiabetesSampleToASaneRSquared()
    {
        var result = await new TabularTrainer(tables.Diabetes).CrossValidateAsync(Defaults(tables.Diabetes), null, CancellationToken.None);
        var evaluation = (await new TabularTrainer(tables.Diabetes).CrossValidateOutOfFoldAsync(Defaults(tables.Diabetes), CancellationToken.None)).Predictions;
        var r2 = EnsembleScoring.Evaluate(tables.Diabetes, evaluation.Rows, evaluation.Values).Value(TabularMetric.RSquared);

        output.WriteLine($"diabetes mlp {result.Metric} {result.Mean:0.###}, out-of-fold R² {r2:0.###}");
        // Linear models reach about 0.5 on this table, the mean predicts 0.
        Assert.True(r2 is > 0.3 and < 0.7, $"Out-of-fold R² {r2:0.###}.");
    }

    [Fact]
    public async Task TheSameSeedGivesTheSameScoreAndTheSamePredictions()
    {
        var first = await new TabularTrainer(tables.Iris).CrossValidateOutOfFoldAsync(Defaults(tables.Iris), CancellationToken.None);
        var second = await new TabularTrainer(tables.Iris).CrossValidateOutOfFoldAsync(Defaults(tables.Iris), CancellationToken.None);

        Assert.Equal(first.Result.FoldScores, second.Result.FoldScores);
        Assert.Equal(first.Predictions.Values, second.Predictions.Values);
    }

    [Fact]
    public async Task ItsOutOfFoldPredictionsHaveTheEnsemblesShapeAndScoreAsItsTrialDoes()
    {
        var (result, predictions) = await new TabularTrainer(tables.Iris).CrossValidateOutOfFoldAsync(Defaults(tables.Iris), CancellationToken.None);

        Assert.Equal(OutOfFoldPredictions.RowsOf(tables.Iris.Split), predictions.Rows);
        Assert.Equal(3, predictions.Width);
        Assert.Equal(predictions.Rows.Count * 3, predictions.Values.Length);
        for (var row = 0; row < predictions.Rows.Count; row++)
        {
            Assert.Equal(1.0, predictions.Values.Skip(row * 3).Take(3).Sum(), 5);
        }

        var pooled = EnsembleScoring.Evaluate(tables.Iris, predictions.Rows, predictions.Values).Value(TabularMetric.Accuracy);
        // Equal folds: the pooled accuracy is the mean of the folds'.
        Assert.Equal(result.Mean, pooled, 2);
    }

    [Fact]
    public async Task ARegressionsOutOfFoldPredictionsAreOneValuePerRowInTheTargetsUnits()
    {
        var (_, predictions) = await new TabularTrainer(tables.Diabetes).CrossValidateOutOfFoldAsync(Defaults(tables.Diabetes), CancellationToken.None);

        Assert.Equal(1, predictions.Width);
        Assert.Equal(predictions.Rows.Count, predictions.Values.Length);
        // The target runs from 25 to 346: standardised outputs would sit near 0.
        Assert.InRange(predictions.Values.Average(), 100, 200);
    }

    [Fact]
    public async Task ARefittedMlpModelSavesLoadsAndPredictsTheSame()
    {
        using var folder = new TemporaryFolder();
        var model = await TabularModelBuilder.FitAsync(tables.Iris, Defaults(tables.Iris), CancellationToken.None);
        var rows = IrisRows(tables.Iris);
        var before = model.Predictor.Predict(rows);
        var path = folder.File("mlp.zip");
        await model.SaveAsync(path, CancellationToken.None);

        var loaded = await EnsemblePredictor.LoadAnyAsync(path, CancellationToken.None);
        var after = loaded.Predict(rows);

        Assert.NotNull(model.TestEvaluation);
        Assert.True(model.TestEvaluation!.Value(TabularMetric.Accuracy) >= 0.85, $"Test accuracy {model.TestEvaluation.Value(TabularMetric.Accuracy):0.###}.");
        Assert.NotNull(model.TestEvaluation.Classification!.Curves);
        Assert.IsType<TabularPredictor>(loaded);
        Assert.Equal(TabularLearners.Mlp, ((TabularPredictor)loaded).Learner);
        Assert.Equal(model.Predictor.InputColumns, loaded.InputColumns);
        Assert.Equal(before.Select(p => p.Class), after.Select(p => p.Class));
        for (var i = 0; i < before.Count; i++)
        {
            foreach (var c in tables.Iris.Classes)
            {
                Assert.Equal(before[i].Probabilities![c], after[i].Probabilities![c], 6);
            }
        }

        Assert.Contains("setosa", after.Select(p => p.Class));
    }

    [Fact]
    public async Task ARefittedRegressionMlpPredictsValuesInTheTargetsUnitsAfterLoading()
    {
        using var folder = new TemporaryFolder();
        var model = await TabularModelBuilder.FitAsync(tables.Diabetes, Defaults(tables.Diabetes), CancellationToken.None);
        var row = tables.Diabetes.InputColumns.ToDictionary(c => c.Name, object? (_) => 0.0);
        var path = folder.File("mlp.zip");
        await model.SaveAsync(path, CancellationToken.None);

        var loaded = await TabularPredictor.LoadAsync(path, CancellationToken.None);

        output.WriteLine($"diabetes mlp test R² {model.TestEvaluation!.Value(TabularMetric.RSquared):0.###}");
        Assert.NotNull(model.TestEvaluation.Regression!.Residuals);
        var value = Assert.Single(loaded.Predict([row])).Value!.Value;
        Assert.InRange(value, 25, 346);
        Assert.Equal(Assert.Single(model.Predictor.Predict([row])).Value!.Value, value, 4);
    }

    [Fact]
    public async Task ARowMissingAColumnIsRefusedNamingIt()
    {
        var model = await TabularModelBuilder.FitAsync(tables.Iris, Defaults(tables.Iris), CancellationToken.None);
        var rows = IrisRows(tables.Iris).Take(2).ToList();
        var partial = new Dictionary<string, object?>(rows[1]);
        partial.Remove("petal_width");

        var error = Assert.Throws<ArgumentException>(() => model.Predictor.Predict([rows[0], partial]));

        Assert.Contains("Row 1", error.Message);
        Assert.Contains("'petal_width'", error.Message);
    }

    [Fact]
    public async Task ItsOnnxExportIsUnavailableWithItsReasonRatherThanAFailure()
    {
        using var folder = new TemporaryFolder();
        var model = await TabularModelBuilder.FitAsync(tables.Iris, Defaults(tables.Iris), CancellationToken.None);

        var check = await TabularOnnx.ExportAsync(model, tables.Iris, folder.File("mlp.onnx"), CancellationToken.None);

        Assert.False(check.Available);
        Assert.Contains("the MLP's ONNX export is not available yet", check.Reason, StringComparison.OrdinalIgnoreCase);
        Assert.False(File.Exists(folder.File("mlp.onnx")));
    }

    [Theory]
    [InlineData(TabularTask.Binary)]
    [InlineData(TabularTask.Multiclass)]
    [InlineData(TabularTask.Regression)]
    public void TheSearchSpaceWithMlpAllowedValidatesAndStartsWithTheDefaultMlp(TabularTask task)
    {
        var data = new TabularData("unused.csv", ',', HasHeader: true,
        [
            new TabularColumn("x", TabularColumnKind.Numeric),
            new TabularColumn("colour", TabularColumnKind.Categorical),
            new TabularColumn("target", task == TabularTask.Regression ? TabularColumnKind.Numeric : TabularColumnKind.Categorical),
        ]);
        var space = TabularSearchSpace.For(task, data, "target", [TabularLearners.LightGbm, TabularLearners.Mlp]);
        var vectors = NeuralSearchSpace.ForVectors(TabularSearchSpace.MlpMaxEpochs);
        var defaultMlp = vectors.ToExternal(NeuralSearchSpace.DefaultMlp(vectors));

        var starts = TabularSearchSpace.StartingPoints(space);
        var mlp = Assert.Single(starts, p => space.ToExternal(p)[TabularParameters.Learner] is TabularLearners.Mlp);
        var external = space.ToExternal(mlp);

        Assert.Equal(2, starts.Count);
        Assert.All(starts, p => Assert.Null(space.Check(p)));
        foreach (var (name, value) in defaultMlp.Where(kv => kv.Key != NeuralParameters.Learner))
        {
            if (task == TabularTask.Regression && name == NeuralParameters.LabelSmoothing)
            {
                Assert.False(external.ContainsKey(TabularParameters.MlpParameter(name)));
                continue;
            }

            Assert.Equal(value, external[TabularParameters.MlpParameter(name)]);
        }

        Assert.Equal(30L, ((IntDistribution)space[TabularParameters.MlpParameter(NeuralParameters.Epochs)].Distribution).High);
        var when = space[NeuralParameters.MlpLayers].When!;
        Assert.Equal(TabularParameters.Learner, when.Parent);
        Assert.Equal([TabularLearners.Mlp], when.In!);
        Assert.DoesNotContain(external.Keys, k => k.StartsWith("lightgbm.", StringComparison.Ordinal));
        Assert.DoesNotContain(TabularLearners.Mlp, TabularLearners.Default(task));
        Assert.Contains(TabularLearners.Mlp, TabularLearners.Supported(task));
    }

    [Fact]
    public void TheEarlyStoppingSplitHoldsOutAboutFifteenPercentOfEachClass()
    {
        var rows = Enumerable.Range(0, 100).ToList();
        var strata = rows.Select(r => r < 80 ? 0 : 1).ToList();

        var (fit, stop) = TabularMlp.EarlyStoppingSplit(rows, strata, seed: 1);

        Assert.Equal(12, stop.Count(r => strata[r] == 0));
        Assert.Equal(3, stop.Count(r => strata[r] == 1));
        Assert.Empty(fit.Intersect(stop));
        Assert.Equal(rows, fit.Concat(stop).Order());
        Assert.Equal(stop, TabularMlp.EarlyStoppingSplit(rows, strata, seed: 1).Stop);
    }

    private static List<IReadOnlyDictionary<string, object?>> IrisRows(TabularExperiment experiment) =>
    [
        .. File.ReadLines(TabularTestData.Iris.CsvPath).Skip(1).Take(150).Where((_, i) => i % 10 == 0).Select(line =>
        {
            var cells = line.Split(',');
            return (IReadOnlyDictionary<string, object?>)experiment.InputColumns.Select((c, i) => (c.Name, Value: (object?)double.Parse(cells[i], System.Globalization.CultureInfo.InvariantCulture)))
                .ToDictionary(x => x.Name, x => x.Value);
        }),
    ];
}
