using System.Text.Json;
using AutoDL.Data;
using AutoDL.Data.Models;
using AutoDL.Data.Reports;
using AutoDL.Jobs.Events;
using AutoDL.Jobs.Hosting;
using AutoDL.Jobs.Models;
using Hangfire;
using Microsoft.EntityFrameworkCore;

namespace AutoDL.Jobs.Reports;

/// <summary>What a report is asked to contain: <c>POST /api/v1/models/{id}/reports</c>.</summary>
/// <param name="Methods">Any of <see cref="ReportMethods.All"/>; absent: every method that fits the model.</param>
/// <param name="Rows">Held-out test rows (indices among them) to explain one by one; absent: the first <see cref="ReportOptions.DefaultRows"/>.</param>
/// <param name="SensitiveColumns">Columns to measure fairness by; absent: the search's own sensitive columns.</param>
public sealed record ReportRequest(IReadOnlyList<string>? Methods = null, IReadOnlyList<int>? Rows = null, IReadOnlyList<string>? SensitiveColumns = null);

public static class ReportMethods
{
    public const string Permutation = "permutation";
    public const string Shap = "shap";
    public const string Lime = "lime";
    public const string IntegratedGradients = "ig";
    public const string Fairness = "fairness";

    public static IReadOnlyList<string> All { get; } = [Permutation, Shap, Lime, IntegratedGradients, Fairness];
}

/// <summary>Limits and defaults of reports (<c>AutoDL:Reports</c>).</summary>
public sealed record ReportOptions
{
    public const string Section = "AutoDL:Reports";

    /// <summary>Rows explained one by one when the request names none.</summary>
    public int DefaultRows { get; init; } = 20;

    /// <summary>Most rows one report explains one by one.</summary>
    public int MaxRows { get; init; } = 200;

    /// <summary>Training rows the SHAP background is summarized from (k-means), and LIME's quartiles and samples drawn from.</summary>
    public int BackgroundRows { get; init; } = 200;

    /// <summary>Shuffles per column of permutation importance.</summary>
    public int PermutationRepeats { get; init; } = 5;

    /// <summary>Most held-out rows permutation importance and fairness are computed on.</summary>
    public int MaxEvaluationRows { get; init; } = 5000;
}

/// <summary>A report as listed and as <c>GET /api/v1/reports/{id}</c> returns it (with <see cref="Document"/> when Ready).</summary>
public sealed record ReportDetails(
    string Id, string ModelId, string State, double Progress, string? Stage, ReportRequest Request, DateTime CreatedAt, string? CreatedBy,
    DateTime? FinishedAt, string? Sha256, string? Error)
{
    /// <summary>The model in words: its learner and trial ("lightgbm, trial #3"; "ensemble").</summary>
    public string? ModelLabel { get; init; }

    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public ReportDocument? Document { get; init; }
}

public sealed record ReportView(string User, string Action, DateTime At);

/// <summary>A report's file to send.</summary>
public sealed record ReportFile(string Path, string FileName, string ContentType);

/// <summary>Reports for the API and the pages: request one (a <see cref="ExplainJob"/> makes it), list, read, download, and who viewed them.</summary>
public sealed class ReportService(
    AppDbContext db, IBackgroundJobClient jobs, IChangePublisher changes, DataFolder dataFolder, ReportOptions options, TimeProvider clock)
{
    public const string Viewed = "viewed";
    public const string DownloadedHtml = "downloaded-html";
    public const string DownloadedJson = "downloaded-json";

    /// <summary>Checks the request against the model and queues the report; errors name the field.</summary>
    public async Task<ModelResult<string>> RequestAsync(string modelId, ReportRequest request, string? user, CancellationToken cancellationToken)
    {
        var model = await db.Models.AsNoTracking().SingleOrDefaultAsync(m => m.Id == modelId, cancellationToken);
        if (model is null)
        {
            return ModelResult<string>.NotFound($"No model has the id '{modelId}'.");
        }

        if (model.State != ModelState.Ready)
        {
            return ModelResult<string>.Conflict($"Model '{modelId}' is {model.State.ToString().ToLowerInvariant()}; only a ready model can be explained.");
        }

        var errors = new Dictionary<string, string[]>();
        var unknown = (request.Methods ?? []).Where(m => !ReportMethods.All.Contains(m, StringComparer.OrdinalIgnoreCase)).ToList();
        if (unknown.Count > 0)
        {
            errors["methods"] = [$"Unknown method(s) {string.Join(", ", unknown.Select(u => $"'{u}'"))}: choose among {string.Join(", ", ReportMethods.All)}."];
        }

        var testRows = TestRows(model);
        if (request.Rows is { } rows)
        {
            if (rows.Count > options.MaxRows)
            {
                errors["rows"] = [$"{rows.Count} rows asked for; one report explains at most {options.MaxRows}."];
            }
            else if (rows.Where(r => r < 0 || r >= (testRows ?? int.MaxValue)).Select(r => (int?)r).FirstOrDefault() is { } bad)
            {
                errors["rows"] = [testRows is { } n
                    ? $"Row {bad} is not a held-out test row: the model was tested on {n} rows, so give indices from 0 to {n - 1}."
                    : $"Row {bad} is not a held-out test row: give indices from 0."];
            }
        }

        var columns = InputColumns(model);
        var missing = (request.SensitiveColumns ?? []).Where(c => !columns.Contains(c, StringComparer.Ordinal)).ToList();
        if (missing.Count > 0)
        {
            errors["sensitiveColumns"] = [$"The model has no input column {string.Join(", ", missing.Select(m => $"'{m}'"))}; its columns are {string.Join(", ", columns.Select(c => $"'{c}'"))}."];
        }

        if (errors.Count > 0)
        {
            return ModelResult<string>.Invalid("The report request is not valid.", errors);
        }

        var normalized = request with
        {
            Methods = request.Methods?.Select(m => m.ToLowerInvariant()).Distinct().ToList(),
            Rows = request.Rows?.Distinct().ToList(),
        };
        var row = new ReportRow
        {
            Id = Guid.NewGuid().ToString("N"),
            ModelId = modelId,
            RequestJson = JsonSerializer.Serialize(normalized, ReportJson.Options),
            State = ReportState.Queued,
            CreatedAt = clock.GetUtcNow().UtcDateTime,
            CreatedBy = user,
        };
        db.Reports.Add(row);
        await db.SaveChangesAsync(cancellationToken);
        var id = row.Id;
        jobs.Enqueue<ExplainJob>(JobQueues.Cpu, job => job.RunAsync(id, CancellationToken.None));
        changes.Publish(new Change(ChangeKind.Report, id));
        return ModelResult<string>.Ok(id);
    }

    public async Task<IReadOnlyList<ReportDetails>> ListAsync(string? modelId, CancellationToken cancellationToken)
    {
        var query = db.Reports.AsNoTracking();
        if (modelId is not null)
        {
            query = query.Where(r => r.ModelId == modelId);
        }

        var rows = await query.ToListAsync(cancellationToken);
        var labels = await LabelsAsync(rows.Select(r => r.ModelId), cancellationToken);
        return [.. rows.OrderByDescending(r => r.CreatedAt).Select(r => Details(r) with { ModelLabel = labels.GetValueOrDefault(r.ModelId) })];
    }

    /// <summary>One report, with its document when Ready; <paramref name="viewer"/> (when given) is recorded as having viewed it.</summary>
    public async Task<ReportDetails?> GetAsync(string reportId, string? viewer, CancellationToken cancellationToken)
    {
        var row = await db.Reports.AsNoTracking().SingleOrDefaultAsync(r => r.Id == reportId, cancellationToken);
        if (row is null)
        {
            return null;
        }

        var details = Details(row) with { ModelLabel = (await LabelsAsync([row.ModelId], cancellationToken)).GetValueOrDefault(row.ModelId) };
        if (row.State == ReportState.Ready && row.StoredPath is not null)
        {
            var bytes = await File.ReadAllBytesAsync(Path.Combine(dataFolder.Path, row.StoredPath), cancellationToken);
            details = details with { Document = ReportJson.Read(bytes) };
            if (viewer is not null)
            {
                await RecordAsync(reportId, viewer, Viewed, cancellationToken);
            }
        }

        return details;
    }

    /// <summary>The report's HTML (or, <paramref name="json"/>, its canonical JSON) when Ready; the download is recorded.</summary>
    public async Task<ModelResult<ReportFile>> GetFileAsync(string reportId, bool json, string user, CancellationToken cancellationToken)
    {
        var row = await db.Reports.AsNoTracking().SingleOrDefaultAsync(r => r.Id == reportId, cancellationToken);
        if (row is null)
        {
            return ModelResult<ReportFile>.NotFound($"No report has the id '{reportId}'.");
        }

        var relative = json ? row.StoredPath : row.HtmlPath;
        if (row.State != ReportState.Ready || relative is null)
        {
            return ModelResult<ReportFile>.Conflict($"Report '{reportId}' is {row.State.ToString().ToLowerInvariant()}; only a finished report downloads.");
        }

        await RecordAsync(reportId, user, json ? DownloadedJson : DownloadedHtml, cancellationToken);
        return ModelResult<ReportFile>.Ok(new ReportFile(
            Path.Combine(dataFolder.Path, relative), $"report-{reportId}.{(json ? "json" : "html")}", json ? "application/json" : "text/html; charset=utf-8"));
    }

    /// <summary>Who opened and downloaded the report, newest first; null when there is no such report.</summary>
    public async Task<IReadOnlyList<ReportView>?> ViewsAsync(string reportId, CancellationToken cancellationToken)
    {
        if (!await db.Reports.AnyAsync(r => r.Id == reportId, cancellationToken))
        {
            return null;
        }

        var views = await db.ReportViews.AsNoTracking().Where(v => v.ReportId == reportId).ToListAsync(cancellationToken);
        return [.. views.OrderByDescending(v => v.At).ThenByDescending(v => v.Id).Select(v => new ReportView(v.User, v.Action, v.At))];
    }

    private async Task RecordAsync(string reportId, string user, string action, CancellationToken cancellationToken)
    {
        db.ReportViews.Add(new ReportViewRow { ReportId = reportId, User = user, Action = action, At = clock.GetUtcNow().UtcDateTime });
        await db.SaveChangesAsync(cancellationToken);
        db.ChangeTracker.Clear();
    }

    private async Task<Dictionary<string, string>> LabelsAsync(IEnumerable<string> modelIds, CancellationToken cancellationToken)
    {
        var ids = modelIds.Distinct().ToList();
        var models = await db.Models.AsNoTracking().Where(m => ids.Contains(m.Id)).Select(m => new { m.Id, m.Learner, m.TrialNumber }).ToListAsync(cancellationToken);
        return models.ToDictionary(m => m.Id, m => m.TrialNumber == Searches.SearchEnsembler.TrialNumber ? m.Learner : $"{m.Learner}, trial #{m.TrialNumber}");
    }

    internal static ReportDetails Details(ReportRow row) => new(
        row.Id, row.ModelId, row.State.ToString().ToLowerInvariant(), row.Progress, row.Stage,
        JsonSerializer.Deserialize<ReportRequest>(row.RequestJson, ReportJson.Options) ?? new ReportRequest(),
        row.CreatedAt, row.CreatedBy, row.FinishedAt, row.Sha256, row.Error);

    /// <summary>How many held-out rows the model was tested on: its recorded fit, or (models stored before fits were) its test metrics.</summary>
    private static int? TestRows(ModelRow model)
    {
        if (ModelJson.ReadFit(model.FitJson) is { } fit)
        {
            return fit.TestRows;
        }

        return ModelJson.Element(model.TestMetricsJson) is { } metrics && metrics.TryGetProperty("rows", out var rows) && rows.TryGetInt32(out var n) ? n : null;
    }

    private static List<string> InputColumns(ModelRow model) => [.. (ModelJson.ReadInputSchema(model.InputSchemaJson) ?? []).Select(c => c.Name)];
}
