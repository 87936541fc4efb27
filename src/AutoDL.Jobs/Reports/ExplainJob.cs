using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.Json;
using AutoDL.Core.Datasets;
using AutoDL.Core.Search;
using AutoDL.Data;
using AutoDL.Data.Models;
using AutoDL.Data.Reports;
using AutoDL.Jobs.Events;
using AutoDL.Jobs.Hosting;
using AutoDL.Jobs.Models;
using AutoDL.Data.Datasets;
using AutoDL.Jobs.Searches;
using AutoDL.Learners.Neural;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace AutoDL.Jobs.Reports;

/// <summary>
/// Makes one report (a Hangfire job on queue <c>cpu</c>): loads the model and its search's data, runs the asked
/// methods (<see cref="ReportBuilder"/>), writes the canonical JSON and the HTML once, under the data folder, then
/// marks the report Ready with the JSON's SHA-256. A failure says why on the report and leaves no file behind.
/// </summary>
public sealed class ExplainJob(
    AppDbContext db, ITrialStore store, PredictorCache predictors, DataFolder dataFolder, IChangePublisher changes, ReportOptions options,
    TimeProvider clock, ILogger<ExplainJob> logger)
{
    [Queue(JobQueues.Cpu)]
    [AutomaticRetry(Attempts = 0)]
    public async Task RunAsync(string reportId, CancellationToken cancellationToken)
    {
        try
        {
            var error = await MakeAsync(reportId, cancellationToken);
            if (error is not null)
            {
                await FailAsync(reportId, error);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning(e, "Report {ReportId} failed", reportId);
            await FailAsync(reportId, $"The report could not be made: {e.Message}");
        }
    }

    /// <returns>Null when the report is Ready; else why it could not be made.</returns>
    private async Task<string?> MakeAsync(string reportId, CancellationToken cancellationToken)
    {
        var report = await db.Reports.AsNoTracking().SingleOrDefaultAsync(r => r.Id == reportId, cancellationToken);
        if (report is null || report.State is ReportState.Ready)
        {
            return null;
        }

        var started = clock.GetUtcNow().UtcDateTime;
        await ProgressAsync(reportId, 0, "Loading the model and its data", ReportState.Running, cancellationToken);
        var request = JsonSerializer.Deserialize<ReportRequest>(report.RequestJson, ReportJson.Options) ?? new ReportRequest();
        var model = await db.Models.AsNoTracking().SingleAsync(m => m.Id == report.ModelId, cancellationToken);
        if (model.State != ModelState.Ready || model.StoredPath is null)
        {
            return $"Model '{model.Id}' is {model.State.ToString().ToLowerInvariant()}; only a ready model can be explained.";
        }

        var search = await db.SearchRows.AsNoTracking().SingleAsync(s => s.Id == model.SearchId, cancellationToken);
        if (search.SettingsJson is null)
        {
            return "The model's search has no settings: it was not started by the search launcher, so its data cannot be found.";
        }

        var settings = SearchSettings.FromJson(search.SettingsJson);
        var dataset = await db.Datasets.AsNoTracking().SingleOrDefaultAsync(d => d.Id == settings.DatasetId, cancellationToken);
        if (dataset is null)
        {
            return $"The model's dataset '{settings.DatasetId}' is gone.";
        }

        SearchWorkload workload;
        try
        {
            workload = await SearchExperiments.LoadWorkloadAsync(settings, dataset, dataFolder.Path, cancellationToken);
        }
        catch (SearchDataException e)
        {
            return e.Message;
        }

        using var _ = workload;
        var trials = await store.GetTrialsAsync(search.Id, cancellationToken);
        var modelPath = Path.Combine(dataFolder.Path, model.StoredPath);
        Task Progress(double share, string stage) => ProgressAsync(reportId, share * 0.95, stage, null, cancellationToken);
        ReportContent content;
        ReportModel explained;
        List<ReportColumn> schema;
        int testRows;
        switch (workload)
        {
            case TabularWorkload { Experiment: var experiment }:
            {
                var predictor = await predictors.GetAsync(model.Id, modelPath, cancellationToken);
                content = await new ReportBuilder(experiment, predictor, settings, options).BuildAsync(request, Progress, cancellationToken);
                explained = new ReportModel(
                    model.Id, model.SearchId, model.TrialNumber, model.Learner, settings.TaskName, settings.Target, experiment.Metric.ToString(),
                    experiment.Classes, ModelJson.Element(model.ParamsJson) ?? default, ModelJson.Element(model.TestMetricsJson),
                    [.. experiment.InputColumns.Select(c => new ReportColumn(c.Name, TabularDatasets.ApiName(c.Kind)))]);
                schema = [.. dataset.TabularSchema().Columns.Select(c => new ReportColumn(c.Name, c.Type.ApiName()))];
                testRows = experiment.Split.TestRows.Count;
                break;
            }

            case ImageWorkload { Experiment: var images }:
            {
                // A predictor of its own: Integrated Gradients runs the network with gradients, which the shared one
                // serving predictions must not do meanwhile.
                using var network = await NeuralPredictor.LoadAsync(modelPath, cancellationToken);
                content = await new ImageReportBuilder(images, network, options).BuildAsync(request, Progress, cancellationToken);
                explained = new ReportModel(
                    model.Id, model.SearchId, model.TrialNumber, model.Learner, settings.TaskName, settings.Target,
                    (settings.Metric ?? Learners.Tabular.TabularMetric.Accuracy).ToString(), images.Classes, ModelJson.Element(model.ParamsJson) ?? default,
                    ModelJson.Element(model.TestMetricsJson), [new ReportColumn("image", $"image, {images.Shape[0]}×{images.Shape[1]}×{images.Shape[2]}")]);
                schema = [.. dataset.ImageSchema().Classes.Select(c => new ReportColumn(c.Name, $"class folder, {c.Count:N0} images"))];
                testRows = images.TestRows.Length;
                break;
            }

            default:
                return $"A {workload.GetType().Name} cannot be explained.";
        }

        var users = await UserNamesAsync([search.CreatedBy, report.CreatedBy], cancellationToken);
        var finished = clock.GetUtcNow().UtcDateTime;
        var document = content.Document(
            reportId,
            explained,
            new ReportAudit(
                new ReportDataset(dataset.Id, dataset.Name, dataset.FileName, dataset.Sha256, dataset.Rows, schema),
                new ReportSearch(
                    search.Id, ModelJson.Element(search.SettingsJson), search.Seed, trials.Count(t => t.State == TrialState.Complete),
                    trials.Count(t => t.State == TrialState.Pruned), trials.Count(t => t.State == TrialState.Failed),
                    Name(users, search.CreatedBy), search.CreatedAt, search.FinishedAt),
                new ReportSoftware(
                    Version(typeof(ExplainJob).Assembly), RuntimeInformation.FrameworkDescription, Version(typeof(Microsoft.ML.MLContext).Assembly),
                    RuntimeInformation.OSDescription),
                Name(users, report.CreatedBy), report.CreatedAt, started, finished, content.ExplainedRows, testRows));

        var bytes = ReportJson.Canonical(document);
        var sha = ReportJson.Sha256(bytes);
        var html = ReportHtml.Render(document, bytes, sha);
        var folder = Path.Combine(dataFolder.Path, "reports");
        Directory.CreateDirectory(folder);
        var jsonPath = $"reports/{reportId}.json";
        var htmlPath = $"reports/{reportId}.html";
        await WriteOnceAsync(Path.Combine(dataFolder.Path, jsonPath), bytes, cancellationToken);
        await WriteOnceAsync(Path.Combine(dataFolder.Path, htmlPath), System.Text.Encoding.UTF8.GetBytes(html), cancellationToken);
        await db.Reports.Where(r => r.Id == reportId).ExecuteUpdateAsync(r => r
            .SetProperty(x => x.State, ReportState.Ready)
            .SetProperty(x => x.Progress, 1.0)
            .SetProperty(x => x.Stage, (string?)null)
            .SetProperty(x => x.StoredPath, jsonPath)
            .SetProperty(x => x.HtmlPath, htmlPath)
            .SetProperty(x => x.Sha256, sha)
            .SetProperty(x => x.FinishedAt, finished), CancellationToken.None);
        changes.Publish(new Change(ChangeKind.Report, reportId, 1));
        return null;
    }

    /// <summary>Writes a file whole through a temporary name; a report's files are written once and never replaced.</summary>
    private static async Task WriteOnceAsync(string path, byte[] bytes, CancellationToken cancellationToken)
    {
        var temporary = path + ".tmp";
        await File.WriteAllBytesAsync(temporary, bytes, cancellationToken);
        File.Move(temporary, path, overwrite: false);
    }

    private async Task ProgressAsync(string reportId, double share, string stage, ReportState? state, CancellationToken cancellationToken)
    {
        try
        {
            await db.Reports.Where(r => r.Id == reportId && r.State != ReportState.Ready && r.State != ReportState.Failed).ExecuteUpdateAsync(r => r
                .SetProperty(x => x.Progress, share)
                .SetProperty(x => x.Stage, stage)
                .SetProperty(x => x.State, x => state ?? x.State), cancellationToken);
            changes.Publish(new Change(ChangeKind.Report, reportId, share));
        }
        catch (Exception e) when (e is DbUpdateException or InvalidOperationException)
        {
            logger.LogDebug(e, "Progress of report {ReportId} not written", reportId);
        }
    }

    private async Task FailAsync(string reportId, string error)
    {
        await db.Reports.Where(r => r.Id == reportId).ExecuteUpdateAsync(r => r
            .SetProperty(x => x.State, ReportState.Failed)
            .SetProperty(x => x.Error, error)
            .SetProperty(x => x.Stage, (string?)null)
            .SetProperty(x => x.FinishedAt, clock.GetUtcNow().UtcDateTime), CancellationToken.None);
        changes.Publish(new Change(ChangeKind.Report, reportId));
    }

    private async Task<Dictionary<string, string>> UserNamesAsync(IEnumerable<string?> ids, CancellationToken cancellationToken)
    {
        var wanted = ids.OfType<string>().Distinct().ToList();
        var users = await db.Users.AsNoTracking().Where(u => wanted.Contains(u.Id)).Select(u => new { u.Id, u.Email, u.UserName }).ToListAsync(cancellationToken);
        return users.ToDictionary(u => u.Id, u => u.Email ?? u.UserName ?? u.Id);
    }

    private static string? Name(Dictionary<string, string> users, string? id) => id is null ? null : users.GetValueOrDefault(id, id);

    private static string Version(Assembly assembly) =>
        assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? assembly.GetName().Version?.ToString() ?? "unknown";
}
