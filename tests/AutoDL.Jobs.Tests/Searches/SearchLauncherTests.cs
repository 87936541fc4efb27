using AutoDL.Data.Search;
using AutoDL.Jobs.Searches;
using Microsoft.EntityFrameworkCore;

namespace AutoDL.Jobs.Tests.Searches;

public sealed class SearchLauncherTests
{
    [Fact]
    public async Task EveryBadFieldIsNamedWithASentenceAndNothingIsStarted()
    {
        await using var harness = await SearchHarness.CreateAsync();
        var iris = await harness.AddIrisAsync();

        var launch = await harness.LaunchAsync(new SearchRequest
        {
            DatasetId = iris.Id,
            Target = "species",
            Metric = "auc",
            Strategy = "grid",
            Learners = ["knn"],
            Budget = new SearchBudgetRequest(Trials: 0, Seconds: -5),
            Parallelism = 99,
            Device = "cuda",
            Pruner = "sometimes",
            TestFraction = 0.9,
            Folds = 1,
            SensitiveColumns = ["gender"],
        });

        Assert.False(launch.Started);
        foreach (var field in new[] { "metric", "strategy", "learners", "budget.trials", "budget.seconds", "parallelism", "device", "pruner", "testFraction", "folds", "sensitiveColumns" })
        {
            Assert.True(launch.Errors.ContainsKey(field), $"No error for '{field}': {string.Join("; ", launch.Errors.Keys)}");
        }

        Assert.Contains("multiclass", launch.Errors["metric"][0]);
        Assert.Contains("'knn'", launch.Errors["learners"][0]);
        Assert.Empty(harness.Jobs.Jobs);
        Assert.Equal(0, await harness.WithDbAsync(db => db.SearchRows.CountAsync()));
    }

    [Fact]
    public async Task AnUnknownDatasetAndAMissingTargetAreNamed()
    {
        await using var harness = await SearchHarness.CreateAsync();

        var launch = await harness.LaunchAsync(new SearchRequest { DatasetId = "nope" });

        Assert.Contains("'nope'", launch.Errors["datasetId"][0]);
        Assert.Contains("column to predict", launch.Errors["target"][0]);
    }

    [Fact]
    public async Task AnUnknownTargetListsTheColumnsAndACaseSlipIsCaught()
    {
        await using var harness = await SearchHarness.CreateAsync();
        var iris = await harness.AddIrisAsync();

        var unknown = await harness.LaunchAsync(new SearchRequest { DatasetId = iris.Id, Target = "colour" });
        var slip = await harness.LaunchAsync(new SearchRequest { DatasetId = iris.Id, Target = "Species" });

        Assert.Contains("'petal_width'", unknown.Errors["target"][0]);
        Assert.Contains("did you mean 'species'", slip.Errors["target"][0]);
    }

    [Fact]
    public async Task TargetsThatCannotBePredictedAndTasksThatDoNotFitAreRefused()
    {
        await using var harness = await SearchHarness.CreateAsync();
        var data = await harness.AddDatasetAsync("odd", string.Join('\n',
            ["id,constant,x,label", .. Enumerable.Range(0, 30).Select(i => $"{i},same,{i * 0.5},{(i % 3 == 0 ? "a" : i % 3 == 1 ? "b" : "c")}")]));

        var identifier = await harness.LaunchAsync(new SearchRequest { DatasetId = data.Id, Target = "id" });
        var constant = await harness.LaunchAsync(new SearchRequest { DatasetId = data.Id, Target = "constant" });
        var binary = await harness.LaunchAsync(new SearchRequest { DatasetId = data.Id, Target = "label", Task = "binary" });
        var regression = await harness.LaunchAsync(new SearchRequest { DatasetId = data.Id, Target = "label", Task = "regression" });

        Assert.Contains("identifier", identifier.Errors["target"][0]);
        Assert.Contains("at least two", constant.Errors["target"][0]);
        Assert.Contains("exactly two", binary.Errors["task"][0]);
        Assert.Contains("numeric", regression.Errors["task"][0]);
    }

    [Fact]
    public async Task AValidRequestIsQueuedWithItsSettingsAndOneJobPerWorkerOnTheCpuQueue()
    {
        await using var harness = await SearchHarness.CreateAsync();
        var iris = await harness.AddIrisAsync();

        var launch = await harness.LaunchAsync(new SearchRequest
        {
            DatasetId = iris.Id, Target = "species", Parallelism = 3, Budget = new SearchBudgetRequest(Trials: 9), Seed = 7, Strategy = "Evolution",
        });

        Assert.True(launch.Started, string.Join("; ", launch.Errors.SelectMany(e => e.Value)));
        var row = await harness.WithDbAsync(db => db.SearchRows.SingleAsync(s => s.Id == launch.SearchId));
        Assert.Equal(SearchStatus.Queued, row.Status);
        Assert.Equal(iris.Id, row.DatasetId);
        Assert.Equal(3, row.Parallelism);
        Assert.Equal("tester", row.CreatedBy);
        Assert.Equal(9, row.BudgetTrials);
        Assert.Null(row.BudgetWallClock);
        var settings = SearchSettings.FromJson(row.SettingsJson!);
        Assert.Equal(Learners.Tabular.TabularTask.Multiclass, settings.Task);
        Assert.Equal(SearchStrategy.Evolution, settings.Strategy);
        Assert.Equal(7, settings.Seed);
        Assert.True(settings.RefitOnAllRows);
        Assert.Equal(Learners.FittedOn.AllRows, settings.DeployedFit);
        Assert.Equal(3, harness.Jobs.Jobs.Count);
        Assert.All(harness.Jobs.Jobs, j => Assert.Equal(JobQueues.Cpu, j.Queue));
        Assert.Equal([0, 1, 2], harness.Jobs.Jobs.Select(j => (int)j.Job.Args[1]).Order());
    }

    [Fact]
    public async Task WithoutABudgetTheDefaultsApply()
    {
        await using var harness = await SearchHarness.CreateAsync();
        var iris = await harness.AddIrisAsync();

        var launch = await harness.LaunchAsync(new SearchRequest { DatasetId = iris.Id, Target = "species" });

        var row = await harness.WithDbAsync(db => db.SearchRows.SingleAsync(s => s.Id == launch.SearchId));
        Assert.Equal(new SearchOptions().DefaultTrials, row.BudgetTrials);
        Assert.Equal(TimeSpan.FromSeconds(new SearchOptions().DefaultSeconds), row.BudgetWallClock);
    }

    [Fact]
    public async Task AskedToKeepTheHeldOutModelASearchStoresThatAndOldSettingsReadAsRefittingOnAllRows()
    {
        await using var harness = await SearchHarness.CreateAsync();
        var iris = await harness.AddIrisAsync();

        var launch = await harness.LaunchAsync(new SearchRequest { DatasetId = iris.Id, Target = "species", RefitOnAllRows = false });

        var row = await harness.WithDbAsync(db => db.SearchRows.SingleAsync(s => s.Id == launch.SearchId));
        var settings = SearchSettings.FromJson(row.SettingsJson!);
        Assert.False(settings.RefitOnAllRows);
        Assert.Equal(Learners.FittedOn.TrainingRows, settings.DeployedFit);
        Assert.Contains("\"refitOnAllRows\":false", row.SettingsJson);
        var old = SearchSettings.FromJson(row.SettingsJson!.Replace("\"refitOnAllRows\":false,", "").Replace(",\"refitOnAllRows\":false", ""));
        Assert.DoesNotContain("refitOnAllRows", row.SettingsJson!.Replace("\"refitOnAllRows\":false,", "").Replace(",\"refitOnAllRows\":false", ""));
        Assert.True(old.RefitOnAllRows);
    }
}
