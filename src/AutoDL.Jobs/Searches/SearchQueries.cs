using System.Text.Json;
using System.Text.Json.Serialization;
using AutoDL.Core.Search;
using AutoDL.Data;
using AutoDL.Data.Search;
using Microsoft.EntityFrameworkCore;

namespace AutoDL.Jobs.Searches;

/// <summary>A search in the list: newest first.</summary>
public sealed record SearchListItem(
    string Id, string? DatasetId, string? DatasetName, string? Target, string Status, string? Task, string? Metric,
    DateTime CreatedAt, int TrialsDone, double? BestValue);

/// <summary>
/// One search, as <c>GET /api/v1/searches/{id}</c> shows it. <see cref="Error"/>: why it failed; <see cref="Note"/>: how a
/// completed search's model was chosen when that is not the plain way (no trial finished inside the budget).
/// </summary>
public sealed record SearchDetails(
    string Id, string Status, string? Task, string? Metric, string Direction,
    int TrialsCompleted, int TrialsPruned, int TrialsFailed, int TrialsRunning,
    int? BestTrial, double? BestValue, string? BestModelId,
    DateTime CreatedAt, DateTime? StartedAt, DateTime? FinishedAt, string? Error,
    string? DatasetId, string? Target,
    [property: JsonIgnore] SearchSettings? Settings,
    [property: JsonPropertyName("settings")] JsonElement? SettingsJson,
    string? Note = null);

public sealed record IntermediateView(int Step, double Value);

/// <summary>
/// One trial, as <c>GET /api/v1/searches/{id}/trials</c> shows it: parameters as the learner saw them; <see cref="Error"/>
/// why it failed or was cut short, <see cref="Note"/> how a complete one ended (stopped by the budget).
/// </summary>
public sealed record TrialDetails(
    int Number, string State, IReadOnlyDictionary<string, object> Params, double? Value, IReadOnlyList<double>? Values,
    IReadOnlyList<IntermediateView> Intermediate, double? DurationMs, string? Worker, string? Error, string? Note = null);

/// <summary>A trial on a search's Pareto front: its values (metric first, then the other objectives), parameters and model, if refitted.</summary>
public sealed record ParetoTrial(int Number, IReadOnlyList<double> Values, IReadOnlyDictionary<string, object> Params, string? ModelId);

/// <summary>
/// The trials no other complete trial beats on every objective at once: <see cref="Objectives"/> names the values
/// (the metric, then <c>latency</c> and <c>params</c> where asked), <see cref="Directions"/> says which way each is better.
/// </summary>
public sealed record ParetoFront(IReadOnlyList<string> Objectives, IReadOnlyList<string> Directions, IReadOnlyList<ParetoTrial> Trials);

/// <summary>Reads searches and their trials for the API and the pages.</summary>
public sealed class SearchQueries(AppDbContext db, ITrialStore store)
{
    /// <summary>Launched searches (not the trial store's bare ones), newest first.</summary>
    public async Task<IReadOnlyList<SearchListItem>> ListAsync(int limit, CancellationToken cancellationToken)
    {
        var rows = await db.SearchRows.AsNoTracking()
            .Where(s => s.SettingsJson != null)
            .OrderByDescending(s => s.CreatedAt)
            .Take(Math.Clamp(limit, 1, 1000))
            .ToListAsync(cancellationToken);
        var ids = rows.Select(r => r.Id).ToList();
        var datasetIds = rows.Select(r => r.DatasetId).OfType<string>().Distinct().ToList();
        var names = await db.Datasets.AsNoTracking().Where(d => datasetIds.Contains(d.Id))
            .ToDictionaryAsync(d => d.Id, d => d.Name, cancellationToken);
        var finished = await db.TrialRows.AsNoTracking()
            .Where(t => ids.Contains(t.SearchId) && t.State != TrialState.Running)
            .Select(t => new { t.SearchId, t.State, t.ValuesJson })
            .ToListAsync(cancellationToken);
        var bySearch = finished.ToLookup(t => t.SearchId);

        return rows.Select(r =>
        {
            var settings = Settings(r);
            var direction = Direction(r);
            var values = bySearch[r.Id].Where(t => t.State == TrialState.Complete).Select(t => FirstValue(t.ValuesJson)).OfType<double>().ToList();
            double? best = values.Count == 0 ? null : direction == Core.Search.Direction.Maximize ? values.Max() : values.Min();
            return new SearchListItem(
                r.Id, r.DatasetId, r.DatasetId is { } d && names.TryGetValue(d, out var name) ? name : null, settings?.Target,
                StatusName(r.Status), settings?.TaskName, settings?.Metric?.Name(), Utc(r.CreatedAt), bySearch[r.Id].Count(), best);
        }).ToList();
    }

    /// <summary>Null when no search has that id.</summary>
    public async Task<SearchDetails?> GetAsync(string searchId, CancellationToken cancellationToken)
    {
        var row = await db.SearchRows.AsNoTracking().SingleOrDefaultAsync(s => s.Id == searchId, cancellationToken);
        if (row is null)
        {
            return null;
        }

        var trials = await store.GetTrialsAsync(searchId, cancellationToken);
        var direction = Direction(row);
        var complete = trials.Where(t => t.State == TrialState.Complete && t.Primary is not null).ToList();
        var best = complete.Count == 0 ? null
            : direction == Core.Search.Direction.Maximize ? complete.MaxBy(t => t.Primary!.Value) : complete.MinBy(t => t.Primary!.Value);
        var settings = Settings(row);
        return new SearchDetails(
            row.Id, StatusName(row.Status), settings?.TaskName, settings?.Metric?.Name(), direction.Name(),
            complete.Count, trials.Count(t => t.State == TrialState.Pruned), trials.Count(t => t.State == TrialState.Failed),
            trials.Count(t => t.State == TrialState.Running),
            best?.Number, best?.Primary, row.BestModelId,
            Utc(row.CreatedAt), row.StartedAt is { } s ? Utc(s) : null, row.FinishedAt is { } f ? Utc(f) : null,
            row.Status == SearchStatus.Completed ? null : row.Error,
            row.DatasetId, settings?.Target, settings,
            settings is null ? null : JsonDocument.Parse(settings.ToJson()).RootElement.Clone(),
            row.Status == SearchStatus.Completed ? row.Error : null);
    }

    /// <summary>The search's Pareto front over its objectives (for a single-objective search: its best trials); null when no search has that id.</summary>
    public async Task<ParetoFront?> GetParetoAsync(string searchId, CancellationToken cancellationToken)
    {
        var row = await db.SearchRows.AsNoTracking().SingleOrDefaultAsync(s => s.Id == searchId && s.SettingsJson != null, cancellationToken);
        if (row is null)
        {
            return null;
        }

        var search = await store.GetSearchAsync(searchId, cancellationToken);
        var directions = search.Spec.Directions;
        var settings = Settings(row);
        var complete = (await store.GetTrialsAsync(searchId, cancellationToken))
            .Where(t => t.State == TrialState.Complete && t.Values is { } v && v.Count == directions.Count)
            .ToList();
        var front = MultiObjective.ParetoFront(complete, directions).OrderBy(t => t.Number).ToList();
        var numbers = front.Select(t => t.Number).ToList();
        var models = await db.Models.AsNoTracking().Where(m => m.SearchId == searchId && numbers.Contains(m.TrialNumber))
            .ToDictionaryAsync(m => m.TrialNumber, m => m.Id, cancellationToken);
        IReadOnlyList<string> objectives = [settings?.Metric?.Name() ?? "metric", .. settings?.Objectives ?? []];
        return new ParetoFront(
            objectives,
            [.. directions.Select(d => d.Name())],
            [.. front.Select(t => new ParetoTrial(t.Number, t.Values!, search.Spec.Space.ToExternal(t.Params), models.GetValueOrDefault(t.Number)))]);
    }

    /// <summary>Every trial in number order; null when no search has that id.</summary>
    public async Task<IReadOnlyList<TrialDetails>?> GetTrialsAsync(string searchId, CancellationToken cancellationToken)
    {
        StoredSearch search;
        try
        {
            search = await store.GetSearchAsync(searchId, cancellationToken);
        }
        catch (KeyNotFoundException)
        {
            return null;
        }

        var trials = await store.GetTrialsAsync(searchId, cancellationToken);
        return trials.Select(t => new TrialDetails(
            t.Number,
            t.State.ToString().ToLowerInvariant(),
            search.Spec.Space.ToExternal(t.Params),
            t.Primary,
            t.Values,
            t.Intermediate.Select(i => new IntermediateView(i.Step, i.Value)).ToList(),
            t.FinishedAt is { } end ? (end - t.StartedAt).TotalMilliseconds : null,
            t.Worker,
            t.State == TrialState.Complete ? null : t.Error,
            t.State == TrialState.Complete ? t.Error : null)).ToList();
    }

    public static string StatusName(SearchStatus status) => status.ToString().ToLowerInvariant();

    private static SearchSettings? Settings(SearchRow row)
    {
        if (row.SettingsJson is null)
        {
            return null;
        }

        try
        {
            return SearchSettings.FromJson(row.SettingsJson);
        }
        catch (InvalidDataException)
        {
            return null;
        }
    }

    private static Direction Direction(SearchRow row) =>
        JsonSerializer.Deserialize<List<string>>(row.DirectionsJson) is [var first, ..] && first == nameof(Core.Search.Direction.Minimize)
            ? Core.Search.Direction.Minimize
            : Core.Search.Direction.Maximize;

    private static double? FirstValue(string? valuesJson) =>
        valuesJson is null ? null : JsonSerializer.Deserialize<List<double>>(valuesJson) is [var v, ..] ? v : null;

    private static DateTime Utc(DateTime value) => DateTime.SpecifyKind(value, DateTimeKind.Utc);
}
