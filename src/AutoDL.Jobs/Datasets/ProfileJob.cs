using System.Text.Json;
using AutoDL.Core.Datasets;
using AutoDL.Data;
using AutoDL.Data.Datasets;
using AutoDL.Jobs.Events;
using AutoDL.Jobs.Hosting;
using Hangfire;
using Microsoft.EntityFrameworkCore;

namespace AutoDL.Jobs.Datasets;

/// <summary>
/// Computes a dataset's profile in the background: marks it Running, reads the stored file once (progress by bytes,
/// written to the row and announced about every 2%), then stores the profile as JSON (Ready) or the reason it failed
/// (Failed). The row is written before each change is announced, so a page that reloads sees what was announced.
/// </summary>
public sealed class ProfileJob(AppDbContext db, DataFolder dataFolder, IChangePublisher changes)
{
    /// <summary>camelCase, enums by their own (camelCase) names: the JSON the API's profile endpoint serves as stored.</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    [Queue(JobQueues.Cpu)]
    [AutomaticRetry(Attempts = 0)]
    public async Task RunAsync(string datasetId, CancellationToken cancellationToken)
    {
        var dataset = await db.Datasets.AsNoTracking().FirstOrDefaultAsync(d => d.Id == datasetId, cancellationToken);
        if (dataset is null || dataset.Kind != DatasetKind.Tabular)
        {
            return; // Deleted meanwhile, or not a table.
        }

        await SetAsync(datasetId, ProfileState.Running, 0, null, null, cancellationToken);
        try
        {
            var progress = new ThrottledProgress(0.02, value =>
            {
                // Progress is a hint: store it without waiting on it, and announce it after it is stored.
                db.Datasets.Where(d => d.Id == datasetId)
                    .ExecuteUpdate(s => s.SetProperty(d => d.ProfileProgress, value));
                changes.Publish(new Change(ChangeKind.Dataset, datasetId, value));
            });
            DatasetProfile profile;
            await using (var file = new FileStream(dataset.FullPath(dataFolder.Path), FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan))
            {
                profile = await DatasetProfiler.ProfileAsync(
                    file, dataset.FileName, new DatasetProfileOptions { StreamLength = file.Length }, progress, cancellationToken);
            }

            await SetAsync(datasetId, ProfileState.Ready, 1, JsonSerializer.Serialize(profile, Json), null, CancellationToken.None);
        }
        catch (Exception e) when (e is DatasetFormatException or IOException or InvalidDataException)
        {
            await SetAsync(datasetId, ProfileState.Failed, 0, null, e.Message, CancellationToken.None);
        }
        catch (OperationCanceledException)
        {
            // The server is stopping: leave it Pending, so the next run of the job starts again.
            await SetAsync(datasetId, ProfileState.Pending, 0, null, null, CancellationToken.None);
            throw;
        }
        catch (Exception e)
        {
            await SetAsync(datasetId, ProfileState.Failed, 0, null, $"Profiling stopped on an unexpected error: {e.Message}", CancellationToken.None);
            throw;
        }
    }

    /// <summary>The stored profile of a dataset, or null when it has none yet.</summary>
    public static DatasetProfile? Read(DatasetRow dataset) =>
        dataset.ProfileJson is null ? null : JsonSerializer.Deserialize<DatasetProfile>(dataset.ProfileJson, Json);

    private async Task SetAsync(string datasetId, ProfileState state, double progress, string? json, string? error, CancellationToken cancellationToken)
    {
        await db.Datasets.Where(d => d.Id == datasetId).ExecuteUpdateAsync(s => s
            .SetProperty(d => d.ProfileState, state)
            .SetProperty(d => d.ProfileProgress, progress)
            .SetProperty(d => d.ProfileJson, json)
            .SetProperty(d => d.ProfileError, error), cancellationToken);
        changes.Publish(new Change(ChangeKind.Dataset, datasetId, progress));
    }

    /// <summary>Passes on a value only when it has moved by at least <paramref name="step"/> (and the final 1).</summary>
    private sealed class ThrottledProgress(double step, Action<double> report) : IProgress<double>
    {
        private double _last = double.NegativeInfinity;

        public void Report(double value)
        {
            if (value - _last >= step || (value >= 1 && _last < 1))
            {
                _last = value;
                report(value);
            }
        }
    }
}
