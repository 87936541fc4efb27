using System.Globalization;
using System.IO.Compression;
using System.Text;
using Xunit.Abstractions;
using AutoDL.Data.Models;
using AutoDL.Jobs.Models;
using AutoDL.Jobs.Searches;
using Microsoft.EntityFrameworkCore;

namespace AutoDL.Jobs.Tests.Searches;

public sealed class SearchEnsembleTests(ITestOutputHelper output)
{
    /// <summary>
    /// y = 6·x1 + 5 when x2 &gt; 0 + 3·sin(4·x3) + noise: a linear part a linear model fits and trees approximate in
    /// steps, a step trees fit and a linear model smears: an ensemble of the two beats either.
    /// </summary>
    private static string Mixed(int rows, int seed)
    {
        var random = new Random(seed);
        var csv = new StringBuilder("x1,x2,x3,y\n");
        for (var i = 0; i < rows; i++)
        {
            double x1 = random.NextDouble() * 2 - 1, x2 = random.NextDouble() * 2 - 1, x3 = random.NextDouble() * 2 - 1;
            var y = 6 * x1 + (x2 > 0 ? 5 : 0) + 3 * Math.Sin(4 * x3) + (random.NextDouble() - 0.5);
            csv.Append(CultureInfo.InvariantCulture, $"{x1:0.####},{x2:0.####},{x3:0.####},{y:0.####}\n");
        }

        return csv.ToString();
    }

    [Fact]
    public async Task AFinishedSearchKeepsAnEnsembleThatBeatsItsBestTrialOutOfFoldAndTheEnsemblePredicts()
    {
        await using var harness = await SearchHarness.CreateAsync();
        var data = await harness.AddDatasetAsync("mixed", Mixed(240, seed: 5));
        var launch = await harness.LaunchAsync(new SearchRequest
        {
            DatasetId = data.Id,
            Target = "y",
            Learners = ["sdca", "fastforest"],
            Strategy = "random",
            Pruner = "none",
            Budget = new SearchBudgetRequest(Trials: 6),
            Folds = 3,
            Seed = 2,
        });

        await harness.RunWorkersAsync(launch.SearchId!);

        var search = await harness.WithAsync<SearchQueries, SearchDetails?>(q => q.GetAsync(launch.SearchId!, CancellationToken.None));
        Assert.True(search!.Status == "completed", search.Error);
        var report = await harness.WithAsync<EnsembleReports, EnsembleReport?>(r => r.ReadAsync(launch.SearchId!, CancellationToken.None));
        Assert.NotNull(report);
        Assert.True(report.Built, report.Summary);
        Assert.Equal("rmse", report.Metric);
        Assert.True(report.EnsembleScore < report.BestSingleScore, report.Summary);
        Assert.True(report.Candidates.Count(c => c.Weight > 0) >= 2);
        Assert.Equal(report.BestSingleScore, report.Candidates.Min(c => c.OutOfFold));

        var models = await harness.WithAsync<ModelService, IReadOnlyList<ModelDetails>>(m => m.ListAsync(launch.SearchId, CancellationToken.None));
        var best = Assert.Single(models, m => m.IsBest);
        Assert.Equal(search.BestModelId, best.Id);
        var ensemble = Assert.Single(models, m => m.Learner == SearchEnsembler.Learner);
        Assert.Equal(report.ModelId, ensemble.Id);
        Assert.Equal(SearchEnsembler.TrialNumber, ensemble.TrialNumber);
        Assert.False(ensemble.IsBest);
        Assert.Equal("ready", ensemble.State);
        Assert.Equal(report.EnsembleScore, ensemble.Metrics.Validation);
        var members = ensemble.Params.GetProperty("members").EnumerateArray().ToList();
        Assert.Equal(report.Candidates.Where(c => c.Weight > 0).Select(c => (c.Trial, c.Weight)),
            members.Select(m => (m.GetProperty("trial").GetInt32(), m.GetProperty("weight").GetInt32())));
        var testRmse = ensemble.Metrics.Test!.Value.GetProperty("regression").GetProperty("rmse").GetDouble();
        var bestTestRmse = best.Metrics.Test!.Value.GetProperty("regression").GetProperty("rmse").GetDouble();
        output.WriteLine($"{report.Summary} Test RMSE: ensemble {testRmse:0.####}, best trial {bestTestRmse:0.####}.");
        Assert.True(double.IsFinite(testRmse) && testRmse < 5, $"ensemble test RMSE {testRmse}, best trial's {bestTestRmse}");
        Assert.Equal(["x1", "x2", "x3"], ensemble.InputSchema!.Select(c => c.Name));
        Assert.True(ensemble.PredictMicrosecondsPerRow > 0);
        // Tested as fitted on the training rows, deployed refitted on all 240 rows with the same weights.
        Assert.Equal(new ModelFitView("all-rows", 240, best.Fit!.TrainingRows, best.Fit.TestRows), ensemble.Fit);
        Assert.Equal(240, best.Fit.TrainingRows + best.Fit.TestRows);

        IReadOnlyDictionary<string, object?> row = new Dictionary<string, object?> { ["x1"] = 0.5, ["x2"] = 0.5, ["x3"] = 0.0 };
        var predicted = await harness.WithAsync<ModelService, ModelResult<IReadOnlyList<PredictionView>>>(
            m => m.PredictAsync(ensemble.Id, [row], CancellationToken.None));
        Assert.Equal(ModelRequestStatus.Ok, predicted.Status);
        Assert.InRange(predicted.Value![0].Value!.Value, 8 - 3, 8 + 3);
        var invalid = await harness.WithAsync<ModelService, ModelResult<IReadOnlyList<PredictionView>>>(
            m => m.PredictAsync(ensemble.Id, [new Dictionary<string, object?> { ["x1"] = 0.5 }], CancellationToken.None));
        Assert.Equal(ModelRequestStatus.Invalid, invalid.Status);

        var file = await harness.WithAsync<ModelService, ModelResult<ModelFile>>(m => m.GetFileAsync(ensemble.Id, CancellationToken.None));
        Assert.Equal("mixed-ensemble.zip", file.Value!.FileName);
        using var zip = ZipFile.OpenRead(file.Value.Path);
        Assert.Contains(zip.Entries, e => e.FullName == "AutoDL/ensemble.json");
        Assert.Equal(members.Count, zip.Entries.Count(e => e.FullName.StartsWith("members/", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task ASearchWithOneCompleteTrialRecordsWhyItHasNoEnsemble()
    {
        await using var harness = await SearchHarness.CreateAsync();
        var iris = await harness.AddIrisAsync();
        var launch = await harness.LaunchAsync(new SearchRequest
        {
            DatasetId = iris.Id, Target = "species", Learners = ["sdca"], Budget = new SearchBudgetRequest(Trials: 1), Folds = 3, Seed = 1,
        });

        await harness.RunWorkersAsync(launch.SearchId!);

        var report = await harness.WithAsync<EnsembleReports, EnsembleReport?>(r => r.ReadAsync(launch.SearchId!, CancellationToken.None));
        Assert.NotNull(report);
        Assert.False(report.Built);
        Assert.Contains("at least two complete trials", report.Summary);
        Assert.Null(report.ModelId);
        var models = await harness.WithDbAsync(db => db.Models.Where(m => m.SearchId == launch.SearchId).ToListAsync());
        Assert.DoesNotContain(models, m => m.Learner == SearchEnsembler.Learner);
        Assert.Equal(ModelState.Ready, Assert.Single(models).State);
    }
}
