using AutoDL.Jobs.Models;
using AutoDL.Jobs.Searches;

namespace AutoDL.Jobs.Tests.Searches;

public sealed class ImageSearchTests
{
    [Fact]
    public async Task AnImageSearchTrainsCnnsOverEpochsAndItsWinnerIsATestedModelThatPredictsImagesAndExportsToOnnx()
    {
        await using var harness = await SearchHarness.CreateAsync();
        var images = await harness.AddImagesAsync("bars", BarImages.Zip(40));
        var launch = await harness.LaunchAsync(new SearchRequest { DatasetId = images.Id, Task = "image", Budget = new SearchBudgetRequest(Trials: 1), Seed = 3 });
        Assert.True(launch.Started, string.Join("; ", launch.Errors.SelectMany(e => e.Value)));
        Assert.All(harness.Jobs.Jobs, j => Assert.Equal("cpu", j.Queue));

        await harness.RunWorkersAsync(launch.SearchId!);

        var search = await harness.WithAsync<SearchQueries, SearchDetails?>(q => q.GetAsync(launch.SearchId!, CancellationToken.None));
        Assert.True(search!.Status == "completed", search.Error);
        Assert.Equal("image", search.Task);
        Assert.Equal("accuracy", search.Metric);
        var trials = await harness.WithAsync<SearchQueries, IReadOnlyList<TrialDetails>?>(q => q.GetTrialsAsync(launch.SearchId!, CancellationToken.None));
        var first = Assert.Single(trials!);
        Assert.Equal("cnn", first.Params["learner"]);
        Assert.True(first.Intermediate.Count >= 4, "One intermediate value per epoch.");

        var model = await harness.WithAsync<ModelService, ModelDetails?>(m => m.GetAsync(search.BestModelId!, CancellationToken.None));
        Assert.Equal("ready", model!.State);
        Assert.Equal(search.BestValue, model.Metrics.Validation);
        var accuracy = model.Metrics.Test!.Value.GetProperty("classification").GetProperty("accuracy").GetDouble();
        Assert.True(accuracy >= 0.9, $"Test accuracy {accuracy}.");
        Assert.Equal("image", Assert.Single(model.InputSchema!).Name);
        Assert.True(model.Onnx!.Available, model.Onnx.Reason);
        Assert.True(File.Exists(Path.Combine(harness.DataRoot, ModelRefitter.NeuralCardPath(model.Id))));
        // A network is never refitted on every image, and its record says so.
        var card = model.Network!;
        Assert.Equal(new ModelFitView("training-rows", card.TrainImages, card.TrainImages, card.TestImages, card.ValidationImages), model.Fit);

        var random = new Random(9);
        IReadOnlyDictionary<string, object?> top = new Dictionary<string, object?> { ["image"] = Convert.ToBase64String(BarImages.Png(1, random)) };
        IReadOnlyDictionary<string, object?> bottom = new Dictionary<string, object?> { ["image"] = "data:image/png;base64," + Convert.ToBase64String(BarImages.Png(6, random)) };
        var predicted = await harness.WithAsync<ModelService, ModelResult<IReadOnlyList<PredictionView>>>(m => m.PredictAsync(model.Id, [top, bottom], CancellationToken.None));
        Assert.Equal(ModelRequestStatus.Ok, predicted.Status);
        Assert.Equal(["top", "bottom"], predicted.Value!.Select(p => p.Label));

        IReadOnlyDictionary<string, object?> broken = new Dictionary<string, object?> { ["image"] = Convert.ToBase64String([1, 2, 3]) };
        var refused = await harness.WithAsync<ModelService, ModelResult<IReadOnlyList<PredictionView>>>(m => m.PredictAsync(model.Id, [top, broken], CancellationToken.None));
        Assert.Equal(ModelRequestStatus.Invalid, refused.Status);
        Assert.Contains("rows[1].image", refused.Errors!.Keys);
    }

    [Fact]
    public async Task AnImageSearchRequestIsCheckedAgainstTheDatasetFieldByField()
    {
        await using var harness = await SearchHarness.CreateAsync();
        var images = await harness.AddImagesAsync("bars", BarImages.Zip(5));
        var launch = await harness.LaunchAsync(new SearchRequest
        {
            DatasetId = images.Id, Target = "label", Task = "regression", Learners = ["lightgbm"], Metric = "rmse", Device = "cuda", Folds = 3,
        });
        Assert.False(launch.Started);
        Assert.Contains("target", launch.Errors.Keys);
        Assert.Contains("task", launch.Errors.Keys);
        Assert.Contains("learners", launch.Errors.Keys);
        Assert.Contains("metric", launch.Errors.Keys);
        Assert.Contains("folds", launch.Errors.Keys);
        Assert.Contains("gpu", launch.Errors["device"][0]);

        var refit = await harness.LaunchAsync(new SearchRequest { DatasetId = images.Id, RefitOnAllRows = true });
        Assert.Contains("not refitted on every image", Assert.Single(refit.Errors["refitOnAllRows"]));
        var kept = await harness.LaunchAsync(new SearchRequest { DatasetId = images.Id, RefitOnAllRows = false, Budget = new SearchBudgetRequest(Trials: 1) });
        Assert.True(kept.Started, string.Join("; ", kept.Errors.SelectMany(e => e.Value)));
        var keptSettings = SearchSettings.FromJson((await harness.WithDbAsync(db => db.SearchRows.FindAsync(kept.SearchId).AsTask()))!.SettingsJson!);
        Assert.False(keptSettings.RefitOnAllRows);

        var iris = await harness.AddIrisAsync();
        var tabular = await harness.LaunchAsync(new SearchRequest { DatasetId = iris.Id, Target = "species", Task = "image" });
        Assert.Contains("image dataset", tabular.Errors["task"][0]);
    }

    [Fact]
    public async Task AMultiObjectiveImageSearchMeasuresLatencyAndSizeAndKeepsAParetoFront()
    {
        await using var harness = await SearchHarness.CreateAsync();
        var images = await harness.AddImagesAsync("bars", BarImages.Zip(20));
        var launch = await harness.LaunchAsync(new SearchRequest
        {
            DatasetId = images.Id, Objectives = ["params", "latency"], Budget = new SearchBudgetRequest(Trials: 2, Seconds: 120), Seed = 5,
        });
        Assert.True(launch.Started, string.Join("; ", launch.Errors.SelectMany(e => e.Value)));

        await harness.RunWorkersAsync(launch.SearchId!);

        var search = await harness.WithAsync<SearchQueries, SearchDetails?>(q => q.GetAsync(launch.SearchId!, CancellationToken.None));
        Assert.True(search!.Status == "completed", search.Error);
        Assert.Equal(SearchStrategy.Nsga2, search.Settings!.Strategy);
        var front = await harness.WithAsync<SearchQueries, ParetoFront?>(q => q.GetParetoAsync(launch.SearchId!, CancellationToken.None));
        Assert.Equal(["accuracy", "latency", "params"], front!.Objectives);
        Assert.Equal(["maximize", "minimize", "minimize"], front.Directions);
        Assert.NotEmpty(front.Trials);
        Assert.All(front.Trials, t =>
        {
            Assert.Equal(3, t.Values.Count);
            Assert.True(t.Values[1] > 0, "A measured latency.");
            Assert.True(t.Values[2] >= 1000, "A parameter count.");
        });
        Assert.Contains(front.Trials, t => t.ModelId == search.BestModelId);
    }

    [Fact]
    public async Task ObjectivesBesidesTheMetricAreRefusedForTables()
    {
        await using var harness = await SearchHarness.CreateAsync();
        var iris = await harness.AddIrisAsync();
        var launch = await harness.LaunchAsync(new SearchRequest { DatasetId = iris.Id, Target = "species", Objectives = ["latency"], Strategy = "nsga2" });
        Assert.Contains("objectives", launch.Errors.Keys);
        Assert.Contains("strategy", launch.Errors.Keys);
    }
}
