using System.Text.Json;
using AutoDL.Core.Search;
using AutoDL.Jobs.Models;
using AutoDL.Jobs.Searches;
using AutoDL.Learners.Neural;
using Microsoft.Extensions.DependencyInjection;

namespace AutoDL.Jobs.Tests.Searches;

/// <summary>
/// What an image search whose budget cut every trial short ends with. The cut trials are told to the store as the
/// search runner tells them (Pruned, with the budget's reason and the epochs they reported) before the workers run:
/// the trial budget is then spent, and the workers go straight to the finishing step.
/// </summary>
public sealed class ImageBudgetTests
{
    private const string CutReason = "Stopped: the search's time budget ran out while this trial ran, after 2 step(s).";

    [Fact]
    public async Task ASearchWhoseEveryTrialWasCutStillYieldsAModelFromTheBestCutTrialRefittedForItsEpochs()
    {
        await using var harness = await SearchHarness.CreateAsync();
        var images = await harness.AddImagesAsync("bars", BarImages.Zip(40));
        var launch = await harness.LaunchAsync(new SearchRequest { DatasetId = images.Id, Task = "image", Budget = new SearchBudgetRequest(Trials: 2), Seed = 3 });
        Assert.True(launch.Started, string.Join("; ", launch.Errors.SelectMany(e => e.Value)));
        var id = launch.SearchId!;
        await CutTrialAsync(harness, id, [0.55, 0.6], CutReason);
        await CutTrialAsync(harness, id, [0.7, 0.95, 0.9], CutReason);

        await harness.RunWorkersAsync(id);

        var search = await harness.WithAsync<SearchQueries, SearchDetails?>(q => q.GetAsync(id, CancellationToken.None));
        Assert.True(search!.Status == "completed", search.Error);
        Assert.Null(search.Error);
        Assert.Contains("No trial finished inside the time budget", search.Note);
        Assert.Contains("best cut trial's (trial 1", search.Note);
        Assert.Contains("refitted for its 2 epoch(s)", search.Note);
        var model = await harness.WithAsync<ModelService, ModelDetails?>(m => m.GetAsync(search.BestModelId!, CancellationToken.None));
        Assert.True(model!.State == "ready", model.Error);
        Assert.Equal(1, model.TrialNumber);
        Assert.Equal(0.95, model.Metrics.Validation);
        var card = JsonSerializer.Deserialize<NeuralModelCard>(
            await File.ReadAllTextAsync(Path.Combine(harness.DataRoot, ModelRefitter.NeuralCardPath(model.Id))), ModelJson.Options)!;
        Assert.Equal(2, card.Epochs.Count);
    }

    [Fact]
    public async Task ASearchWhoseTrialsReportedNothingFailsSayingToRaiseTheBudgetOrShrinkTheImages()
    {
        await using var harness = await SearchHarness.CreateAsync();
        var images = await harness.AddImagesAsync("bars", BarImages.Zip(10));
        var launch = await harness.LaunchAsync(new SearchRequest
        {
            DatasetId = images.Id, Task = "image", Budget = new SearchBudgetRequest(Trials: 2, Seconds: 600), Seed = 3,
        });
        Assert.True(launch.Started, string.Join("; ", launch.Errors.SelectMany(e => e.Value)));
        var id = launch.SearchId!;
        const string before = "Stopped: the search's time budget ran out while this trial ran, before its first step.";
        await CutTrialAsync(harness, id, [], before);
        await CutTrialAsync(harness, id, [], before);

        await harness.RunWorkersAsync(id);

        var search = await harness.WithAsync<SearchQueries, SearchDetails?>(q => q.GetAsync(id, CancellationToken.None));
        Assert.Equal("failed", search!.Status);
        Assert.Null(search.BestModelId);
        Assert.Contains("None of the 2 trial(s) finished its first epoch inside the time budget of 600 s", search.Error);
        Assert.Contains("Raise the time budget", search.Error);
        Assert.Contains("smaller image size", search.Error);
    }

    /// <summary>Starts the search's next trial (a small CNN of 10 epochs), reports <paramref name="epochs"/> and tells it Pruned with <paramref name="reason"/>.</summary>
    private static async Task CutTrialAsync(SearchHarness harness, string searchId, double[] epochs, string reason)
    {
        var store = harness.Services.GetRequiredService<ITrialStore>();
        var space = (await store.GetSearchAsync(searchId, CancellationToken.None)).Spec.Space;
        var trial = await store.AskAsync(searchId, "test", (_, _) => SmallCnn(space), CancellationToken.None);
        for (var epoch = 0; epoch < epochs.Length; epoch++)
        {
            await store.ReportAsync(searchId, trial!.Number, epoch, epochs[epoch], CancellationToken.None);
        }

        await store.TellAsync(searchId, trial!.Number, new TrialOutcome(TrialState.Pruned, Error: reason), CancellationToken.None);
    }

    private static Dictionary<string, double> SmallCnn(SearchSpace space)
    {
        var parameters = new Dictionary<string, object>(space.ToExternal(NeuralSearchSpace.DefaultCnn(space)))
        {
            [NeuralParameters.CnnStages] = 1L,
            [NeuralParameters.StageChannels(0)] = 8L,
            [NeuralParameters.Epochs] = 10L,
            [NeuralParameters.BatchSize] = "32",
            [NeuralParameters.LearningRate] = 1e-2,
        };
        foreach (var stage in new[] { 1, 2 })
        {
            parameters.Remove(NeuralParameters.StageBlocks(stage));
            parameters.Remove(NeuralParameters.StageChannels(stage));
            parameters.Remove(NeuralParameters.StageBlock(stage));
        }

        return NeuralSearchSpace.Point(space, parameters);
    }
}
