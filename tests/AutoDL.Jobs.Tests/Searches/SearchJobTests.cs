using System.Text.Json;
using AutoDL.Core.Search;
using AutoDL.Data.Models;
using AutoDL.Data.Search;
using AutoDL.Jobs.Models;
using AutoDL.Jobs.Searches;
using Microsoft.EntityFrameworkCore;

namespace AutoDL.Jobs.Tests.Searches;

public sealed class SearchJobTests
{
    /// <summary>Fast learners and few folds: this runs on small shared machines.</summary>
    private static SearchRequest Iris(string datasetId, int trials, int parallelism = 1) => new()
    {
        DatasetId = datasetId,
        Target = "species",
        Learners = ["sdca", "lbfgs", "fastforest"],
        Budget = new SearchBudgetRequest(Trials: trials),
        Parallelism = parallelism,
        Folds = 3,
        Seed = 1,
    };

    [Fact]
    public async Task ASmallSearchOnIrisStoresItsTrialsAndAReadyTestedDownloadableModelThatPredicts()
    {
        await using var harness = await SearchHarness.CreateAsync();
        var iris = await harness.AddIrisAsync();
        var launch = await harness.LaunchAsync(Iris(iris.Id, trials: 6));

        await harness.RunWorkersAsync(launch.SearchId!);

        var search = await harness.WithAsync<SearchQueries, SearchDetails?>(q => q.GetAsync(launch.SearchId!, CancellationToken.None));
        Assert.NotNull(search);
        Assert.True(search.Status == "completed", search.Error);
        Assert.Equal("multiclass", search.Task);
        Assert.Equal("accuracy", search.Metric);
        Assert.Equal("maximize", search.Direction);
        Assert.Equal(6, search.TrialsCompleted + search.TrialsPruned + search.TrialsFailed);
        Assert.NotNull(search.FinishedAt);
        var trials = await harness.WithAsync<SearchQueries, IReadOnlyList<TrialDetails>?>(q => q.GetTrialsAsync(launch.SearchId!, CancellationToken.None));
        Assert.Equal(6, trials!.Count);
        Assert.All(trials, t => Assert.Contains((string)t.Params["learner"], new[] { "sdca", "lbfgs", "fastforest" }));

        var model = await harness.WithAsync<ModelService, ModelDetails?>(m => m.GetAsync(search.BestModelId!, CancellationToken.None));
        Assert.NotNull(model);
        Assert.Equal("ready", model.State);
        Assert.True(model.IsBest);
        Assert.Equal(search.BestTrial, model.TrialNumber);
        Assert.Equal(search.BestValue, model.Metrics.Validation);
        var accuracy = model.Metrics.Test!.Value.GetProperty("classification").GetProperty("accuracy").GetDouble();
        Assert.True(accuracy >= 0.9, $"Test accuracy {accuracy}");
        Assert.True(model.TrainingSeconds > 0);
        Assert.True(model.PredictMicrosecondsPerRow > 0);
        Assert.Equal(["sepal_length", "sepal_width", "petal_length", "petal_width"], model.InputSchema!.Select(c => c.Name));
        Assert.All(model.InputSchema!, c => Assert.Equal("numeric", c.Type));

        var file = await harness.WithAsync<ModelService, ModelResult<ModelFile>>(m => m.GetFileAsync(model.Id, CancellationToken.None));
        Assert.True(File.Exists(file.Value!.Path));
        Assert.Equal("iris-" + model.Learner + ".zip", file.Value.FileName);

        IReadOnlyDictionary<string, object?> setosa = new Dictionary<string, object?>
        {
            ["sepal_length"] = 5.1, ["sepal_width"] = 3.5, ["petal_length"] = 1.4, ["petal_width"] = 0.2,
        };
        var predicted = await harness.WithAsync<ModelService, ModelResult<IReadOnlyList<PredictionView>>>(
            m => m.PredictAsync(model.Id, [setosa], CancellationToken.None));
        Assert.Equal(ModelRequestStatus.Ok, predicted.Status);
        Assert.Equal("setosa", predicted.Value![0].Label);
        Assert.Equal(3, predicted.Value[0].Probabilities!.Count);
    }

    [Fact]
    public async Task TheDeployedWinnerIsRefittedOnEveryRowWithTheHeldOutModelsTestFiguresUnlessTheSearchKeepsTheHeldOutModel()
    {
        await using var harness = await SearchHarness.CreateAsync();
        var diabetes = await harness.AddDatasetAsync("diabetes",
            File.ReadAllText(Path.Combine(Path.GetDirectoryName(SearchHarness.IrisPath)!, "diabetes.csv")));
        var request = SearchHarness.Quick(diabetes.Id, "progression");

        var deployed = await harness.WinnerAsync(request);
        var heldOut = await harness.WinnerAsync(request with { RefitOnAllRows = false });

        // Same seed, same trials, same winner: the test figures are those of the same model fitted without the test rows.
        Assert.Equal(heldOut.TrialNumber, deployed.TrialNumber);
        Assert.Equal(heldOut.Metrics.Test!.Value.GetRawText(), deployed.Metrics.Test!.Value.GetRawText());
        var (all, training, test) = ((int)diabetes.Rows, deployed.Fit!.TrainingRows, deployed.Fit.TestRows);
        Assert.Equal(all, training + test);
        Assert.Equal(new ModelFitView("all-rows", all, training, test), deployed.Fit);
        Assert.Equal(new ModelFitView("training-rows", training, training, test), heldOut.Fit);
        Assert.Equal(test, deployed.Metrics.Test.Value.GetProperty("rows").GetInt32());
        var stored = await harness.WithDbAsync(db => db.Models.SingleAsync(m => m.Id == deployed.Id));
        Assert.Contains("\"fittedOn\":\"all-rows\"", stored.FitJson);
        // The ONNX form is the deployed model's, checked against it.
        Assert.True(deployed.Onnx!.Available, deployed.Onnx.Reason);

        var rows = File.ReadLines(Path.Combine(Path.GetDirectoryName(SearchHarness.IrisPath)!, "diabetes.csv")).ToList();
        var header = rows[0].Split(',');
        var inputs = rows.Skip(1).Take(10).Select(line => (IReadOnlyDictionary<string, object?>)header.Zip(line.Split(','))
            .Where(p => p.First != "progression").ToDictionary(p => p.First, p => (object?)p.Second)).ToList();
        var fromAll = await harness.WithAsync<ModelService, ModelResult<IReadOnlyList<PredictionView>>>(m => m.PredictAsync(deployed.Id, inputs, CancellationToken.None));
        var fromTraining = await harness.WithAsync<ModelService, ModelResult<IReadOnlyList<PredictionView>>>(m => m.PredictAsync(heldOut.Id, inputs, CancellationToken.None));
        Assert.Contains(fromAll.Value!.Zip(fromTraining.Value!), p => Math.Abs(p.First.Value!.Value - p.Second.Value!.Value) > 1e-6);
    }

    [Theory]
    [InlineData("mae", "minimize")]
    [InlineData("r2", "maximize")]
    public async Task ARegressionSearchOptimisesTheMetricItIsGivenInItsDirection(string metric, string direction)
    {
        await using var harness = await SearchHarness.CreateAsync();
        var diabetes = await harness.AddDatasetAsync("diabetes",
            File.ReadAllText(Path.Combine(Path.GetDirectoryName(SearchHarness.IrisPath)!, "diabetes.csv")));
        var launch = await harness.LaunchAsync(new SearchRequest
        {
            DatasetId = diabetes.Id,
            Target = "progression",
            Metric = metric,
            Learners = ["sdca", "fastforest"],
            Budget = new SearchBudgetRequest(Trials: 4),
            Folds = 3,
            Seed = 1,
        });
        Assert.True(launch.SearchId is not null, string.Join("; ", launch.Errors.SelectMany(e => e.Value)));

        await harness.RunWorkersAsync(launch.SearchId!);

        var search = await harness.WithAsync<SearchQueries, SearchDetails?>(q => q.GetAsync(launch.SearchId!, CancellationToken.None));
        Assert.True(search!.Status == "completed", search.Error);
        Assert.Equal(metric, search.Metric);
        Assert.Equal(direction, search.Direction);
        var trials = await harness.WithAsync<SearchQueries, IReadOnlyList<TrialDetails>?>(q => q.GetTrialsAsync(launch.SearchId!, CancellationToken.None));
        var values = trials!.Where(t => t.State == "complete").Select(t => t.Value!.Value).ToList();
        Assert.Equal(direction == "minimize" ? values.Min() : values.Max(), search.BestValue);
        var model = await harness.WithAsync<ModelService, ModelDetails?>(m => m.GetAsync(search.BestModelId!, CancellationToken.None));
        var test = model!.Metrics.Test!.Value.GetProperty("regression");
        // Each trial's value is its cross-validated figure of that metric: an MAE is a positive error in the target's
        // units (disease progression, tens), an R² a share at most 1.
        Assert.All(values, v => Assert.True(metric == "mae" ? v is > 1 and < 200 : v is > -1 and <= 1, $"{metric} {v}"));
        Assert.True(test.GetProperty(metric == "mae" ? "mae" : "rSquared").GetDouble() is var t && double.IsFinite(t));
    }

    [Fact]
    public async Task TwoWorkersSpendExactlyTheTrialBudgetAndFinishTheSearchOnce()
    {
        await using var harness = await SearchHarness.CreateAsync();
        var iris = await harness.AddIrisAsync();
        var launch = await harness.LaunchAsync(Iris(iris.Id, trials: 6, parallelism: 2));

        await harness.RunWorkersAsync(launch.SearchId!);

        var row = await harness.WithDbAsync(db => db.SearchRows.SingleAsync(s => s.Id == launch.SearchId));
        Assert.True(row.Status == SearchStatus.Completed, row.Error);
        Assert.Equal(2, row.WorkersFinished);
        var trials = await harness.WithDbAsync(db => db.TrialRows.Where(t => t.SearchId == launch.SearchId).ToListAsync());
        Assert.Equal(6, trials.Count);
        Assert.Equal(Enumerable.Range(0, 6), trials.Select(t => t.Number).Order());
        Assert.Equal(2, trials.Select(t => t.Worker).Distinct().Count());
        var models = await harness.WithDbAsync(db => db.Models.Where(m => m.SearchId == launch.SearchId && m.TrialNumber >= 0).ToListAsync());
        var model = Assert.Single(models);
        Assert.True(model.IsBest);
        Assert.Equal(ModelState.Ready, model.State);
        Assert.Equal(row.BestModelId, model.Id);
    }

    [Fact]
    public async Task CancellingStopsARunningSearchAndKeepsItsFinishedTrials()
    {
        await using var harness = await SearchHarness.CreateAsync();
        var iris = await harness.AddIrisAsync();
        var launch = await harness.LaunchAsync(Iris(iris.Id, trials: 1000) with { Learners = ["sdca"] });
        var searchId = launch.SearchId!;

        var workers = harness.RunWorkersAsync(searchId);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (await harness.WithDbAsync(db => db.TrialRows.CountAsync(t => t.SearchId == searchId && t.State != TrialState.Running)) < 2)
        {
            await Task.Delay(100, timeout.Token);
        }

        Assert.Equal(CancelOutcome.Cancelled, await harness.WithAsync<SearchLauncher, CancelOutcome>(l => l.CancelAsync(searchId, CancellationToken.None)));
        await workers.WaitAsync(TimeSpan.FromSeconds(30));

        var row = await harness.WithDbAsync(db => db.SearchRows.SingleAsync(s => s.Id == searchId));
        Assert.Equal(SearchStatus.Cancelled, row.Status);
        Assert.NotNull(row.FinishedAt);
        Assert.Null(row.BestModelId);
        var trials = await harness.WithDbAsync(db => db.TrialRows.Where(t => t.SearchId == searchId).ToListAsync());
        Assert.True(trials.Count(t => t.State == TrialState.Complete) >= 2);
        Assert.True(trials.Count < 1000);
        Assert.DoesNotContain(trials, t => t.State == TrialState.Running);
        Assert.Equal(CancelOutcome.AlreadyFinished, await harness.WithAsync<SearchLauncher, CancelOutcome>(l => l.CancelAsync(searchId, CancellationToken.None)));
        Assert.Equal(CancelOutcome.NotFound, await harness.WithAsync<SearchLauncher, CancelOutcome>(l => l.CancelAsync("nope", CancellationToken.None)));
    }

    [Fact]
    public async Task ATargetThatTurnsOutToHaveOneClassEndsTheSearchFailedWithASentence()
    {
        await using var harness = await SearchHarness.CreateAsync();
        var data = await harness.AddDatasetAsync("flips", string.Join('\n', ["x,label", .. Enumerable.Range(0, 40).Select(i => $"{i * 0.25},{(i % 2 == 0 ? "yes" : "no")}")]));
        var launch = await harness.LaunchAsync(new SearchRequest { DatasetId = data.Id, Target = "label", Budget = new SearchBudgetRequest(Trials: 2) });
        Assert.True(launch.Started);
        // The file changes under the search: every row is now of one class.
        await File.WriteAllTextAsync(Path.Combine(harness.DataRoot, data.StoredPath),
            string.Join('\n', ["x,label", .. Enumerable.Range(0, 40).Select(i => $"{i * 0.25},yes")]));

        await harness.RunWorkersAsync(launch.SearchId!);

        var row = await harness.WithDbAsync(db => db.SearchRows.SingleAsync(s => s.Id == launch.SearchId));
        Assert.Equal(SearchStatus.Failed, row.Status);
        Assert.Contains("'label'", row.Error);
        Assert.Contains("class", row.Error);
        Assert.DoesNotContain("Exception", row.Error);
        Assert.DoesNotContain("   at ", row.Error);
        Assert.NotNull(row.FinishedAt);
        Assert.Equal(1, row.WorkersFinished);
    }

    [Fact]
    public async Task ALeaderboardTrialCanBeRefittedOnRequestAndAskingAgainGivesTheSameModel()
    {
        await using var harness = await SearchHarness.CreateAsync();
        var iris = await harness.AddIrisAsync();
        var launch = await harness.LaunchAsync(Iris(iris.Id, trials: 3) with { Learners = ["sdca"], Pruner = "none" });
        await harness.RunWorkersAsync(launch.SearchId!);
        var best = (await harness.WithDbAsync(db => db.SearchRows.SingleAsync(s => s.Id == launch.SearchId))).BestModelId;
        var bestTrial = (await harness.WithDbAsync(db => db.Models.SingleAsync(m => m.IsBest))).TrialNumber;
        var other = (await harness.WithAsync<SearchQueries, IReadOnlyList<TrialDetails>?>(q => q.GetTrialsAsync(launch.SearchId!, CancellationToken.None)))!
            .First(t => t.State == "complete" && t.Number != bestTrial);

        var first = await harness.WithAsync<ModelService, ModelResult<string>>(m => m.RequestRefitAsync(launch.SearchId!, other.Number, "tester", CancellationToken.None));
        var again = await harness.WithAsync<ModelService, ModelResult<string>>(m => m.RequestRefitAsync(launch.SearchId!, other.Number, "tester", CancellationToken.None));
        Assert.Equal(first.Value, again.Value);
        Assert.NotEqual(best, first.Value);
        var refit = Assert.Single(harness.Jobs.Jobs, j => j.Job.Type == typeof(RefitJob));
        await harness.WithAsync<RefitJob, int>(async job =>
        {
            await job.RunAsync((string)refit.Job.Args[0], CancellationToken.None);
            return 0;
        });

        // An ensemble of the search's trials (trial number -1) may stand on the leaderboard too.
        var leaderboard = (await harness.WithAsync<ModelService, IReadOnlyList<ModelDetails>>(m => m.ListAsync(launch.SearchId, CancellationToken.None)))
            .Where(m => m.TrialNumber >= 0).ToList();
        Assert.Equal(2, leaderboard.Count);
        Assert.True(leaderboard[0].IsBest);
        Assert.All(leaderboard, m => Assert.Equal("ready", m.State));
        Assert.All(leaderboard, m => Assert.Equal(JsonValueKind.Object, m.Params.ValueKind));
        var missing = await harness.WithAsync<ModelService, ModelResult<string>>(m => m.RequestRefitAsync(launch.SearchId!, 99, null, CancellationToken.None));
        Assert.Equal(ModelRequestStatus.NotFound, missing.Status);
    }

    [Fact]
    public async Task ADatasetFileMissingFromTheDataFolderEndsTheSearchFailedNamingIt()
    {
        await using var harness = await SearchHarness.CreateAsync();
        var iris = await harness.AddIrisAsync();
        var launch = await harness.LaunchAsync(Iris(iris.Id, trials: 2, parallelism: 2));
        File.Delete(Path.Combine(harness.DataRoot, iris.StoredPath));

        await harness.RunWorkersAsync(launch.SearchId!);

        var row = await harness.WithDbAsync(db => db.SearchRows.SingleAsync(s => s.Id == launch.SearchId));
        Assert.Equal(SearchStatus.Failed, row.Status);
        Assert.Contains(iris.StoredPath, row.Error);
        Assert.Equal(2, row.WorkersFinished);
        Assert.Equal(0, await harness.WithDbAsync(db => db.TrialRows.CountAsync(t => t.SearchId == launch.SearchId)));
    }
}
