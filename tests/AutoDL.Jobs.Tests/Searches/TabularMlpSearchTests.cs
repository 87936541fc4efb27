using System.IO.Compression;
using AutoDL.Jobs.Models;
using AutoDL.Jobs.Searches;
using Xunit.Abstractions;

namespace AutoDL.Jobs.Tests.Searches;

public sealed class TabularMlpSearchTests(ITestOutputHelper output)
{
    [Fact]
    public async Task ATinySearchOfTheMlpAloneCompletesWithAReadyModelThatPredictsAndDownloads()
    {
        await using var harness = await SearchHarness.CreateAsync();
        var iris = await harness.AddIrisAsync();
        var launch = await harness.LaunchAsync(new SearchRequest
        {
            DatasetId = iris.Id, Target = "species", Learners = ["mlp"], Budget = new SearchBudgetRequest(Trials: 3), Folds = 3, Seed = 1,
        });
        Assert.True(launch.SearchId is not null, string.Join("; ", launch.Errors.Select(e => $"{e.Key}: {string.Join(", ", e.Value)}")));

        await harness.RunWorkersAsync(launch.SearchId!);

        var search = await harness.WithAsync<SearchQueries, SearchDetails?>(q => q.GetAsync(launch.SearchId!, CancellationToken.None));
        Assert.True(search!.Status == "completed", search.Error);
        var trials = await harness.WithAsync<SearchQueries, IReadOnlyList<TrialDetails>?>(q => q.GetTrialsAsync(launch.SearchId!, CancellationToken.None));
        Assert.All(trials!, t => Assert.Equal("mlp", (string)t.Params["learner"]));
        output.WriteLine($"best accuracy {search.BestValue:0.###} of {trials!.Count} mlp trials");

        var model = await harness.WithAsync<ModelService, ModelDetails?>(m => m.GetAsync(search.BestModelId!, CancellationToken.None));
        Assert.NotNull(model);
        Assert.True(model.State == "ready", model.Error);
        Assert.Equal("mlp", model.Learner);
        Assert.True(model.PredictMicrosecondsPerRow > 0);
        Assert.False(model.Onnx!.Available);
        Assert.Contains("the MLP's ONNX export is not available yet", model.Onnx.Reason, StringComparison.OrdinalIgnoreCase);

        IReadOnlyDictionary<string, object?> setosa = new Dictionary<string, object?>
        {
            ["sepal_length"] = 5.1, ["sepal_width"] = 3.5, ["petal_length"] = 1.4, ["petal_width"] = 0.2,
        };
        var predicted = await harness.WithAsync<ModelService, ModelResult<IReadOnlyList<PredictionView>>>(
            m => m.PredictAsync(model.Id, [setosa], CancellationToken.None));
        Assert.Equal(ModelRequestStatus.Ok, predicted.Status);
        Assert.Equal("setosa", predicted.Value![0].Label);
        Assert.Equal(3, predicted.Value[0].Probabilities!.Count);
        var invalid = await harness.WithAsync<ModelService, ModelResult<IReadOnlyList<PredictionView>>>(
            m => m.PredictAsync(model.Id, [new Dictionary<string, object?> { ["sepal_length"] = 5.1 }], CancellationToken.None));
        Assert.Equal(ModelRequestStatus.Invalid, invalid.Status);

        var file = await harness.WithAsync<ModelService, ModelResult<ModelFile>>(m => m.GetFileAsync(model.Id, CancellationToken.None));
        using var zip = ZipFile.OpenRead(file.Value!.Path);
        Assert.Contains(zip.Entries, e => e.FullName == "AutoDL/tabular-model.json");
        Assert.Contains(zip.Entries, e => e.FullName == "AutoDL/mlp-architecture.json");
        Assert.Contains(zip.Entries, e => e.FullName == "AutoDL/mlp-weights.bin");
    }

    [Fact]
    public async Task MlpTrialsJoinTheSearchesEnsembleBesideTheOtherLearnersAndTheEnsemblePredicts()
    {
        await using var harness = await SearchHarness.CreateAsync();
        var random = new Random(5);
        var csv = new System.Text.StringBuilder("x1,x2,x3,y\n");
        for (var i = 0; i < 240; i++)
        {
            double x1 = random.NextDouble() * 2 - 1, x2 = random.NextDouble() * 2 - 1, x3 = random.NextDouble() * 2 - 1;
            var y = 6 * x1 + (x2 > 0 ? 5 : 0) + 3 * Math.Sin(4 * x3) + (random.NextDouble() - 0.5);
            csv.Append(System.Globalization.CultureInfo.InvariantCulture, $"{x1:0.####},{x2:0.####},{x3:0.####},{y:0.####}\n");
        }

        var data = await harness.AddDatasetAsync("mixed", csv.ToString());
        var launch = await harness.LaunchAsync(new SearchRequest
        {
            DatasetId = data.Id, Target = "y", Learners = ["sdca", "mlp"], Strategy = "random", Pruner = "none",
            Budget = new SearchBudgetRequest(Trials: 4), Folds = 3, Seed = 2,
        });

        await harness.RunWorkersAsync(launch.SearchId!);

        var search = await harness.WithAsync<SearchQueries, SearchDetails?>(q => q.GetAsync(launch.SearchId!, CancellationToken.None));
        Assert.True(search!.Status == "completed", search.Error);
        var trials = await harness.WithAsync<SearchQueries, IReadOnlyList<TrialDetails>?>(q => q.GetTrialsAsync(launch.SearchId!, CancellationToken.None));
        var report = await harness.WithAsync<EnsembleReports, EnsembleReport?>(r => r.ReadAsync(launch.SearchId!, CancellationToken.None));
        Assert.NotNull(report);
        output.WriteLine($"{report.Summary} Trials: {string.Join(", ", trials!.Select(t => $"{t.Number} {t.Params["learner"]} {t.Values?[0]:0.###}"))}");
        var mlpTrials = trials!.Where(t => (string)t.Params["learner"] == "mlp").Select(t => t.Number).ToHashSet();
        // The MLP's trials are candidates as the others are: their out-of-fold predictions were computed and scored.
        Assert.Contains(report.Candidates, c => mlpTrials.Contains(c.Trial) && c.Learner == "mlp" && double.IsFinite(c.OutOfFold));
        Assert.True(report.Built, report.Summary);
        Assert.Contains(report.Candidates, c => c.Learner == "mlp" && c.Weight > 0);
        var ensemble = await harness.WithAsync<ModelService, ModelDetails?>(m => m.GetAsync(report.ModelId!, CancellationToken.None));
        Assert.True(ensemble!.State == "ready", ensemble.Error);
        IReadOnlyDictionary<string, object?> row = new Dictionary<string, object?> { ["x1"] = 0.5, ["x2"] = 0.5, ["x3"] = 0.0 };
        var predicted = await harness.WithAsync<ModelService, ModelResult<IReadOnlyList<PredictionView>>>(
            m => m.PredictAsync(ensemble.Id, [row], CancellationToken.None));
        Assert.Equal(ModelRequestStatus.Ok, predicted.Status);
        Assert.InRange(predicted.Value![0].Value!.Value, 8 - 3, 8 + 3);
    }
}
