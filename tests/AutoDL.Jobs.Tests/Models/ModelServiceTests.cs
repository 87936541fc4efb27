using System.Text.Json;
using AutoDL.Jobs.Hosting;
using AutoDL.Jobs.Models;
using AutoDL.Jobs.Searches;
using AutoDL.Jobs.Tests.Searches;
using AutoDL.Learners.Tabular;
using Microsoft.EntityFrameworkCore;

namespace AutoDL.Jobs.Tests.Models;

public sealed class ModelServiceTests
{
    private static string Sample(string name) => File.ReadAllText(Path.Combine(AutoDLPaths.LocateContentRoot(), "samples", name));

    [Fact]
    public async Task ARefittedBinaryModelsStoredTestMetricsCarryItsRocAndPrecisionRecallCurvesWhichTheLeaderboardLeavesOut()
    {
        await using var harness = await SearchHarness.CreateAsync();
        var dataset = await harness.AddDatasetAsync("breast_cancer", Sample("breast_cancer.csv"));

        var model = await harness.WinnerAsync(SearchHarness.Quick(dataset.Id, "diagnosis"));

        var classification = model.Metrics.Test!.Value.GetProperty("classification");
        var curve = Assert.Single(classification.GetProperty("curves").EnumerateArray().ToList());
        Assert.Equal(classification.GetProperty("auc").GetDouble(), curve.GetProperty("auc").GetDouble(), 12);
        var roc = curve.GetProperty("roc").EnumerateArray().ToList();
        Assert.InRange(roc.Count, 3, TabularCurves.MaxPoints);
        Assert.Equal(0, roc[0].GetProperty("falsePositiveRate").GetDouble());
        Assert.Equal(1, roc[^1].GetProperty("truePositiveRate").GetDouble());
        Assert.True(curve.GetProperty("precisionRecall").GetArrayLength() >= 3);
        Assert.InRange(curve.GetProperty("averagePrecision").GetDouble(), 0.5, 1);

        var stored = model.Metrics.Test.Value.Deserialize<TabularEvaluation>(ModelJson.Options)!;
        Assert.Equal(stored.Classification!.Auc!.Value, TabularCurves.Area(stored.Classification.Curves![0].Roc), 12);

        // The leaderboard's rows (this model and the search's ensemble) leave the curves out, and keep the rest.
        var rows = await harness.WithAsync<ModelService, IReadOnlyList<ModelDetails>>(m => m.ListAsync(model.SearchId, CancellationToken.None));
        Assert.All(rows, r => Assert.False(r.Metrics.Test!.Value.GetProperty("classification").TryGetProperty("curves", out _)));
        var listed = Assert.Single(rows, r => r.Id == model.Id).Metrics.Test!.Value.GetProperty("classification");
        Assert.Equal(classification.GetProperty("auc").GetDouble(), listed.GetProperty("auc").GetDouble());
    }

    [Fact]
    public async Task ARefittedRegressionModelsStoredTestMetricsCarryItsResiduals()
    {
        await using var harness = await SearchHarness.CreateAsync();
        var dataset = await harness.AddDatasetAsync("diabetes", Sample("diabetes.csv"));

        var model = await harness.WinnerAsync(SearchHarness.Quick(dataset.Id, "progression"));

        var test = model.Metrics.Test!.Value;
        var residuals = test.GetProperty("regression").GetProperty("residuals");
        Assert.Equal(test.GetProperty("rows").GetInt32(), residuals.GetProperty("points").GetArrayLength());
        Assert.Equal(test.GetProperty("rows").GetInt32(), residuals.GetProperty("histogram").EnumerateArray().Sum(b => b.GetProperty("count").GetInt32()));
        var first = residuals.GetProperty("points")[0];
        Assert.True(first.TryGetProperty("actual", out _) && first.TryGetProperty("predicted", out _), first.ToString());
        Assert.True(residuals.GetProperty("quantiles").GetProperty("median").ValueKind == JsonValueKind.Number);

        var rows = await harness.WithAsync<ModelService, IReadOnlyList<ModelDetails>>(m => m.ListAsync(model.SearchId, CancellationToken.None));
        Assert.All(rows, r => Assert.False(r.Metrics.Test!.Value.GetProperty("regression").TryGetProperty("residuals", out _)));
    }

    [Fact]
    public async Task TestMetricsStoredBeforeCurvesAndResidualsStillLoad()
    {
        await using var harness = await SearchHarness.CreateAsync();
        var iris = await harness.AddIrisAsync();
        var model = await harness.WinnerAsync(SearchHarness.Quick(iris.Id, "species"));
        // What a refit stored before the curves existed (and a regression model's, with "NaN" as such rows have it).
        const string classification = """
            {"task":"multiclass","rows":30,"classification":{"classes":["setosa","versicolor","virginica"],"accuracy":0.9,
            "balancedAccuracy":0.9,"macroF1":0.9,"auc":null,"logLoss":0.3,"perClass":[{"class":"setosa","precision":1,"recall":1,"f1":1,"support":10},
            {"class":"versicolor","precision":0.8,"recall":0.9,"f1":0.85,"support":10},{"class":"virginica","precision":0.9,"recall":0.8,"f1":0.85,"support":10}],
            "confusionMatrix":[[10,0,0],[0,9,1],[0,2,8]]},"regression":null}
            """;
        const string regression = """{"task":"regression","rows":3,"classification":null,"regression":{"rmse":1.5,"mae":1.2,"rSquared":"NaN"}}""";

        foreach (var old in new[] { classification, regression })
        {
            await harness.WithDbAsync(db => db.Models.Where(m => m.Id == model.Id).ExecuteUpdateAsync(s => s.SetProperty(m => m.TestMetricsJson, old)));

            var loaded = await harness.WithAsync<ModelService, ModelDetails?>(m => m.GetAsync(model.Id, CancellationToken.None));
            var listed = await harness.WithAsync<ModelService, IReadOnlyList<ModelDetails>>(m => m.ListAsync(model.SearchId, CancellationToken.None));

            var evaluation = loaded!.Metrics.Test!.Value.Deserialize<TabularEvaluation>(ModelJson.Options)!;
            Assert.Null(evaluation.Classification?.Curves);
            Assert.Null(evaluation.Regression?.Residuals);
            Assert.Equal(JsonSerializer.Serialize(loaded.Metrics.Test), JsonSerializer.Serialize(Assert.Single(listed, m => m.Id == model.Id).Metrics.Test));
        }
    }
}
