using AutoDL.Core.Search;
using AutoDL.Data;
using AutoDL.Jobs.Hosting;
using AutoDL.Jobs.Searches;
using Hangfire;
using Microsoft.EntityFrameworkCore;

namespace AutoDL.Jobs.Models;

/// <summary>Refits one leaderboard trial a user asked for (a Hangfire job on queue <c>cpu</c>); see <see cref="ModelService.RequestRefitAsync"/>.</summary>
public sealed class RefitJob(AppDbContext db, ITrialStore store, ModelRefitter refitter, DataFolder dataFolder)
{
    [Queue(JobQueues.Cpu)]
    [AutomaticRetry(Attempts = 0)]
    public async Task RunAsync(string modelId, CancellationToken cancellationToken)
    {
        try
        {
            await RefitAsync(modelId, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Never leave a model Queued or Training for ever: say why, then let Hangfire record the failure.
            await refitter.FailAsync(modelId, $"Refitting failed: {e.Message}", CancellationToken.None);
            throw;
        }
    }

    private async Task RefitAsync(string modelId, CancellationToken cancellationToken)
    {
        var model = await db.Models.AsNoTracking().SingleOrDefaultAsync(m => m.Id == modelId, cancellationToken);
        if (model is null)
        {
            return;
        }

        var search = await db.SearchRows.AsNoTracking().SingleAsync(s => s.Id == model.SearchId, cancellationToken);
        if (search.SettingsJson is null)
        {
            await refitter.FailAsync(modelId, "The search has no settings: it was not started by the search launcher.", cancellationToken);
            return;
        }

        var settings = SearchSettings.FromJson(search.SettingsJson);
        var dataset = await db.Datasets.AsNoTracking().SingleOrDefaultAsync(d => d.Id == settings.DatasetId, cancellationToken);
        SearchWorkload workload;
        try
        {
            workload = await SearchExperiments.LoadWorkloadAsync(settings, dataset, dataFolder.Path, cancellationToken);
        }
        catch (SearchDataException e)
        {
            await refitter.FailAsync(modelId, e.Message, cancellationToken);
            return;
        }

        using var _ = workload;
        var stored = await store.GetSearchAsync(model.SearchId, cancellationToken);
        var trial = (await store.GetTrialsAsync(model.SearchId, cancellationToken)).SingleOrDefault(t => t.Number == model.TrialNumber);
        if (trial is null)
        {
            await refitter.FailAsync(modelId, $"The search has no trial {model.TrialNumber}.", cancellationToken);
            return;
        }

        await refitter.RefitAsync(modelId, workload, trial, stored.Spec.Space, settings.DeployedFit, cancellationToken);
    }
}
