using AutoDL.Learners.Explanations;
using AutoDL.Learners.Tabular;
using AutoDL.Learners.Tests.Tabular;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace AutoDL.Learners.Tests.Explanations;

public sealed class TreeShapExplainerTests
{
    private const double ShapTolerance = 1e-6;

    /// <summary>
    /// A tiny table: three numbers (x2 with a few missing) and a three-valued colour, so the featurized vector is
    /// 3 numbers + 3 missing indicators + 3 one-hot slots; a yes/no label (binary) or a number (regression) from them.
    /// </summary>
    internal static TabularExperiment Table(TabularTask task, int rows = 160, int seed = 5)
    {
        var random = new Random(seed);
        var x = Enumerable.Range(0, 3).Select(_ => new float[rows]).ToArray();
        var colours = new ReadOnlyMemory<char>[rows];
        var targets = new ReadOnlyMemory<char>[rows];
        string[] names = ["red", "green", "blue"];
        double[] effect = [1.5, 0, -1];
        for (var r = 0; r < rows; r++)
        {
            for (var i = 0; i < 3; i++)
            {
                x[i][r] = (float)(random.NextDouble() * 2 - 1);
            }

            var colour = random.Next(3);
            colours[r] = names[colour].AsMemory();
            var value = 2 * x[0][r] - x[1][r] + x[0][r] * x[2][r] + effect[colour] + (random.NextDouble() - 0.5);
            if (r % 17 == 3)
            {
                x[2][r] = float.NaN;
            }

            targets[r] = (task == TabularTask.Regression
                ? value.ToString("R", System.Globalization.CultureInfo.InvariantCulture)
                : value > 0 ? "yes" : "no").AsMemory();
        }

        TabularColumn[] columns =
        [
            new("x0", TabularColumnKind.Numeric), new("x1", TabularColumnKind.Numeric), new("x2", TabularColumnKind.Numeric),
            new("colour", TabularColumnKind.Categorical), new("target", task == TabularTask.Regression ? TabularColumnKind.Numeric : TabularColumnKind.Categorical),
        ];
        var description = new TabularData("tiny-in-memory.csv", ',', HasHeader: true, columns);
        var table = new TabularTable(
            [.. x.Select((v, i) => (TableColumn)new SingleTableColumn($"x{i}", v)), new TextTableColumn("colour", colours), new TextTableColumn("target", targets)], rows);
        var loaded = new LoadedTable(table, columns[..4], columns[4], RowsWithoutTarget: 0);
        return TabularExperiment.FromTable(
            description, new TabularExperimentOptions("target") { Seed = seed, Task = task, Learners = TabularLearners.Supported(task) }, loaded);
    }

    /// <summary>A few shallow trees: 4 leaves (depth at most 3) each.</summary>
    private static Dictionary<string, object> Small(TabularExperiment experiment, string learner)
    {
        var parameters = new Dictionary<string, object>(TabularSearchSpace.Defaults(experiment.Space, learner), StringComparer.Ordinal)
        {
            [TabularParameters.MissingIndicator] = "true",
        };
        switch (learner)
        {
            case TabularLearners.LightGbm:
                (parameters[TabularParameters.LightGbmNumIterations], parameters[TabularParameters.LightGbmNumLeaves], parameters[TabularParameters.LightGbmMinDataPerLeaf]) = (4L, 4L, 5L);
                break;
            case TabularLearners.FastTree:
                (parameters[TabularParameters.FastTreeNumTrees], parameters[TabularParameters.FastTreeNumLeaves], parameters[TabularParameters.FastTreeMinExamplesPerLeaf]) = (4L, 4L, 5L);
                break;
            default:
                (parameters[TabularParameters.FastForestNumTrees], parameters[TabularParameters.FastForestNumLeaves], parameters[TabularParameters.FastForestMinExamplesPerLeaf]) = (4L, 4L, 5L);
                break;
        }

        return parameters;
    }

    internal static List<IReadOnlyDictionary<string, object?>> Rows(TabularExperiment experiment, IEnumerable<int> rows) =>
        [.. rows.Select(r => (IReadOnlyDictionary<string, object?>)new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["x0"] = ((SingleTableColumn)experiment.Table["x0"]).Values[r],
            ["x1"] = ((SingleTableColumn)experiment.Table["x1"]).Values[r],
            ["x2"] = ((SingleTableColumn)experiment.Table["x2"]).Values[r] is var v && float.IsNaN(v) ? null : v,
            ["colour"] = ((TextTableColumn)experiment.Table["colour"]).Values[r].ToString(),
        })];

    [Theory]
    [InlineData(TabularTask.Binary, TabularLearners.LightGbm)]
    [InlineData(TabularTask.Regression, TabularLearners.FastTree)]
    [InlineData(TabularTask.Binary, TabularLearners.FastForest)]
    [InlineData(TabularTask.Regression, TabularLearners.FastForest)]
    public async Task TreeShapOfATrainedModelEqualsBruteForceShapleyValuesAndAddsUpToItsMargin(TabularTask task, string learner)
    {
        var experiment = Table(task);
        var model = await TabularModelBuilder.FitAsync(experiment, Small(experiment, learner), CancellationToken.None);
        var explainer = TreeShapExplainer.Create(model.Predictor, experiment);
        Assert.True(TreeShapExplainer.CanExplain(model.Predictor, out var reason), reason);
        Assert.Equal(9, explainer.Slots.Count);
        // A number and its missing indicator, the colour's three one-hot slots.
        Assert.Equal(
            new Dictionary<string, int> { ["x0"] = 2, ["x1"] = 2, ["x2"] = 2, ["colour"] = 3 },
            explainer.Slots.GroupBy(s => s.Column).ToDictionary(g => g.Key, g => g.Count()));

        var rows = experiment.Split.TestRows.Take(12).ToList();
        var view = model.Predictor.Transformer.Transform(experiment.Labelled(rows));
        var scores = view.GetColumn<float>("Score").ToList();
        var margins = explainer.Margins(view);
        var features = view.GetColumn<float[]>(TabularPipeline.FeaturesColumn).ToList();
        var explanations = explainer.Explain(Rows(experiment, rows));
        var ensemble = Assert.Single(explainer.Trees);
        Assert.All(ensemble.Trees, t => Assert.True(t.MaxDepth <= 3, $"a tree of depth {t.MaxDepth}"));
        for (var i = 0; i < rows.Count; i++)
        {
            // The trees read as ML.NET scores them: the raw margin (a forest's mean of trees).
            Assert.Equal(scores[i], margins[i][0], 1e-4 * Math.Max(1, Math.Abs(scores[i])));
            var explanation = Assert.Single(explanations[i]);
            Assert.Equal(margins[i][0], explanation.Margin, 1e-9);
            Assert.True(explanation.AdditivityError < 1e-9, $"row {i}: additivity error {explanation.AdditivityError}");

            var exact = ShapBruteForce.Shap(ensemble, features[i]);
            var shap = ensemble.Shap(features[i]);
            for (var s = 0; s < exact.Length; s++)
            {
                Assert.Equal(exact[s], shap[s], ShapTolerance);
            }

            // Each column's value is the sum of its slots' (a number and its missing indicator; the colour's one-hot slots).
            foreach (var column in explanation.Columns)
            {
                var slots = explanation.Slots.Where(s => s.Column == column.Column).Sum(s => s.Value);
                Assert.Equal(slots, column.Value, 1e-12);
                var fromSlots = explainer.Slots.Where(s => s.Column == column.Column).Sum(s => shap[s.Index]);
                Assert.Equal(fromSlots, column.Value, 1e-12);
            }
        }

        // The expected margin is the training rows' mean margin (the covers count those rows).
        var training = explainer.Margins(model.Predictor.Transformer.Transform(experiment.Labelled(experiment.Split.TrainingRows)));
        Assert.Equal(training.Average(m => m[0]), explainer.ExpectedValues[0], 1e-9);
        Assert.Equal(task == TabularTask.Binary ? "yes" : "target", explainer.Outputs[0]);
    }

    [Fact]
    public void TreeShapOfRandomSmallTreesEqualsBruteForceShapleyValues()
    {
        var random = new Random(17);
        for (var trial = 0; trial < 40; trial++)
        {
            const int features = 5;
            var trees = Enumerable.Range(0, 1 + random.Next(3)).Select(_ => RandomTree(random, features, depth: 1 + random.Next(3))).ToList();
            var ensemble = new ShapEnsemble(trees);
            // Covers from a few rows, so that some nodes see none and some see all.
            var background = Enumerable.Range(0, 3 + random.Next(30)).Select(_ => RandomRow(random, features)).ToList();
            foreach (var row in background)
            {
                ensemble.AddCover(row);
            }

            for (var r = 0; r < 5; r++)
            {
                var x = RandomRow(random, features);
                var shap = ensemble.Shap(x);
                var exact = ShapBruteForce.Shap(ensemble, x);
                for (var s = 0; s < features; s++)
                {
                    Assert.Equal(exact[s], shap[s], ShapTolerance);
                }

                Assert.Equal(ensemble.Predict(x) - ensemble.Expected(), shap.Sum(), 1e-9);
                Assert.Equal(ShapBruteForce.Value(ensemble, x, [0, 1, 2, 3, 4], 0), ensemble.Expected(), 1e-9);
            }
        }
    }

    [Fact]
    public async Task AMulticlassLightGbmModelIsExplainedPerClassAndEachClassAddsUp()
    {
        var iris = await TabularExperiment.LoadAsync(TabularTestData.Iris, new TabularExperimentOptions("species") { Seed = 2 }, CancellationToken.None);
        var parameters = new Dictionary<string, object>(TabularSearchSpace.Defaults(iris.Space, TabularLearners.LightGbm), StringComparer.Ordinal)
        {
            [TabularParameters.LightGbmNumIterations] = 5L,
            [TabularParameters.LightGbmNumLeaves] = 4L,
        };
        var model = await TabularModelBuilder.FitAsync(iris, parameters, CancellationToken.None);
        var explainer = TreeShapExplainer.Create(model.Predictor, iris);
        Assert.Equal(iris.Classes, explainer.Outputs);

        var view = model.Predictor.Transformer.Transform(iris.Labelled(iris.Split.TestRows));
        var explanations = explainer.Explain(view);
        Assert.All(explanations, row =>
        {
            Assert.Equal(3, row.Count);
            Assert.All(row, e => Assert.True(e.AdditivityError < 1e-9, $"{e.Output}: additivity error {e.AdditivityError}"));
        });
        // Softmax of the class margins is the model's probabilities (LightGbm's multiclass is one tree set per class).
        var scores = view.GetColumn<float[]>("Score").ToList();
        var predicted = view.GetColumn<uint>("PredictedLabel").ToList();
        for (var i = 0; i < scores.Count; i++)
        {
            var margins = explanations[i].Select(e => e.Margin).ToArray();
            Assert.Equal((int)predicted[i] - 1, Array.IndexOf(margins, margins.Max()));
        }
    }

    [Theory]
    [InlineData(TabularTask.Binary, TabularLearners.FastForest)]
    [InlineData(TabularTask.Regression, TabularLearners.LightGbm)]
    public async Task ASavedAndLoadedModelIsExplainedAsTheModelItWas(TabularTask task, string learner)
    {
        var experiment = Table(task);
        var model = await TabularModelBuilder.FitAsync(experiment, Small(experiment, learner), CancellationToken.None);
        using var folder = new TemporaryFolder();
        await model.SaveAsync(folder.File("model.zip"), CancellationToken.None);
        var loaded = await TabularPredictor.LoadAsync(folder.File("model.zip"), CancellationToken.None);

        var rows = Rows(experiment, experiment.Split.TestRows.Take(6));
        var background = Rows(experiment, experiment.Split.TrainingRows);
        var before = TreeShapExplainer.Create(model.Predictor, background).Explain(rows);
        var after = TreeShapExplainer.Create(loaded, background).Explain(rows);
        for (var i = 0; i < rows.Count; i++)
        {
            Assert.Equal(before[i][0].Margin, after[i][0].Margin, 1e-9);
            Assert.Equal(before[i][0].ExpectedValue, after[i][0].ExpectedValue, 1e-9);
            Assert.Equal(before[i][0].Columns.Select(c => c.Value), after[i][0].Columns.Select(c => c.Value), new Tolerance(1e-9));
        }
    }

    private sealed class Tolerance(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance;

        public int GetHashCode(double value) => 0;
    }

    [Fact]
    public async Task EverySlotOfDatesTextsHashedAndOneHotCategoriesIsSummedIntoItsOwnColumn()
    {
        using var folder = new TemporaryFolder();
        var data = TabularTestData.WriteRegression(folder.File("regression.csv"), rows: 200);
        var experiment = await TabularExperiment.LoadAsync(
            data, new TabularExperimentOptions("y") { Seed = 4, Learners = TabularLearners.Supported(TabularTask.Regression) }, CancellationToken.None);
        var parameters = new Dictionary<string, object>(TabularSearchSpace.Defaults(experiment.Space, TabularLearners.LightGbm), StringComparer.Ordinal)
        {
            [TabularParameters.MissingIndicator] = "true",
            [TabularParameters.LightGbmNumIterations] = 20L,
        };
        var model = await TabularModelBuilder.FitAsync(experiment, parameters, CancellationToken.None);
        var explainer = TreeShapExplainer.Create(model.Predictor, experiment);

        // Every slot belongs to one of the model's input columns, and every input column has slots.
        var inputs = model.Predictor.InputColumns.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        Assert.All(explainer.Slots, s => Assert.Contains(s.Column, inputs));
        Assert.Equal(inputs.Order(StringComparer.Ordinal), explainer.Slots.Select(s => s.Column).Distinct().Order(StringComparer.Ordinal));
        Assert.Contains(explainer.Slots, s => s.Column == "note" && s.Name.Length > 0);

        var rows = TabularTestData.Rows(data.CsvPath).Take(10).ToList();
        var scores = model.Predictor.Predict(rows);
        var explanations = explainer.Explain(rows);
        for (var i = 0; i < rows.Count; i++)
        {
            var e = Assert.Single(explanations[i]);
            Assert.Equal(scores[i].Value!.Value, e.Margin, 1e-4 * Math.Abs(e.Margin));
            Assert.True(e.AdditivityError < 1e-8, $"row {i}: additivity error {e.AdditivityError}");
            Assert.Equal(e.Slots.Sum(s => s.Value), e.Columns.Sum(c => c.Value), 1e-9);
        }
    }

    [Fact]
    public async Task AModelOfAnotherLearnerIsNotExplainedAndTheReasonSaysSo()
    {
        var experiment = Table(TabularTask.Binary);
        var model = await TabularModelBuilder.FitAsync(experiment, TabularSearchSpace.Defaults(experiment.Space, TabularLearners.Sdca), CancellationToken.None);
        Assert.False(TreeShapExplainer.CanExplain(model.Predictor, out var reason));
        Assert.Contains("LightGbm, FastTree and FastForest", reason, StringComparison.Ordinal);
        Assert.Throws<NotSupportedException>(() => TreeShapExplainer.Create(model.Predictor, experiment));
    }

    private static float[] RandomRow(Random random, int features) =>
        [.. Enumerable.Range(0, features).Select(_ => (float)Math.Round(random.NextDouble() * 4, 1))];

    /// <summary>A full tree of the depth given, splitting on random features (repeats included) at random thresholds.</summary>
    private static ShapTree RandomTree(Random random, int features, int depth)
    {
        var nodes = (1 << depth) - 1;
        var left = new int[nodes];
        var right = new int[nodes];
        var feature = new int[nodes];
        var threshold = new float[nodes];
        for (var n = 0; n < nodes; n++)
        {
            // Heap order: node n's children are 2n+1 and 2n+2, leaves below the last level.
            left[n] = 2 * n + 1 < nodes ? 2 * n + 1 : ~(2 * n + 1 - nodes);
            right[n] = 2 * n + 2 < nodes ? 2 * n + 2 : ~(2 * n + 2 - nodes);
            feature[n] = random.Next(features);
            threshold[n] = (float)Math.Round(random.NextDouble() * 4, 1);
        }

        return new ShapTree(left, right, feature, threshold, [.. Enumerable.Range(0, nodes + 1).Select(_ => random.NextDouble() * 10 - 5)]);
    }
}
