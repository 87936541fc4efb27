using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using AutoDL.Learners;
using AutoDL.Core.Search;
using AutoDL.Data;
using AutoDL.Data.Models;
using AutoDL.Jobs.Events;
using AutoDL.Jobs.Hosting;
using AutoDL.Jobs.Searches;
using AutoDL.Learners.Tabular;
using Hangfire;
using Microsoft.EntityFrameworkCore;

namespace AutoDL.Jobs.Models;

/// <summary>A model's scores: the trial's cross-validated one on the search's metric, and every test metric (JSON of the evaluation).</summary>
public sealed record ModelMetrics(double? Validation, JsonElement? Test);

/// <summary>One model: a leaderboard row, and <c>GET /api/v1/models/{id}</c>.</summary>
public sealed record ModelDetails(
    string Id, string SearchId, int TrialNumber, string Learner, JsonElement Params, string State, ModelMetrics Metrics,
    string? Task, string? Metric, IReadOnlyList<ModelInputColumn>? InputSchema, double? TrainingSeconds,
    double? PredictMicrosecondsPerRow, bool IsBest, DateTime CreatedAt, string? Error)
{
    /// <summary>Whether the model downloads as ONNX, and if not why; set for one model (<c>GET /api/v1/models/{id}</c>), absent from the leaderboard.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ModelOnnx? Onnx { get; init; }

    /// <summary>
    /// Which rows the deployed model (the file predict, download and ONNX use) was fitted on, and those its test figures
    /// come from (see <see cref="ModelFitView"/>); null until it is Ready, and for models stored before it was recorded.
    /// </summary>
    public ModelFitView? Fit { get; init; }

    /// <summary>
    /// Neural models: the model card (layers, parameters, multiply-adds, latency, curves per epoch, misclassified test
    /// images, served at <c>/api/v1/models/{id}/misclassified/{file}</c>); set for one model, absent otherwise.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public NeuralModelCard? Network { get; init; }
}

/// <summary>
/// A model's ONNX form: available when the export converted and ONNX Runtime's outputs on the test rows matched ML.NET's
/// within <see cref="TabularOnnx.Tolerance"/> (the largest difference found: <see cref="MaxAbsDifference"/>); otherwise why not.
/// </summary>
public sealed record ModelOnnx(bool Available, double? MaxAbsDifference, string? Reason);

/// <summary>One row's prediction: a class with its probability (score) and every class's, or a number (value).</summary>
public sealed record PredictionView(
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Label,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? Score,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyDictionary<string, double>? Probabilities,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? Value);

public enum ModelRequestStatus
{
    Ok,
    NotFound,

    /// <summary>The model (or trial) is not in a state that allows it: not Ready, not Complete.</summary>
    Conflict,

    /// <summary>The input is wrong: <see cref="ModelResult{T}.Errors"/> names each field, row or column.</summary>
    Invalid,
}

/// <summary>What a model request came to: a value, or why not (a sentence, and per-field errors for bad input).</summary>
public sealed record ModelResult<T>(ModelRequestStatus Status, T? Value, string? Message = null, IReadOnlyDictionary<string, string[]>? Errors = null)
{
    public static ModelResult<T> Ok(T value) => new(ModelRequestStatus.Ok, value);
    public static ModelResult<T> NotFound(string message) => new(ModelRequestStatus.NotFound, default, message);
    public static ModelResult<T> Conflict(string message) => new(ModelRequestStatus.Conflict, default, message);
    public static ModelResult<T> Invalid(string message, IReadOnlyDictionary<string, string[]> errors) => new(ModelRequestStatus.Invalid, default, message, errors);
}

/// <summary>The model file to send: its absolute path and the name to give it.</summary>
public sealed record ModelFile(string Path, string FileName);

/// <summary>Models of searches for the API and the pages: the leaderboard, one model, refits on request, predictions, the file.</summary>
public sealed partial class ModelService(
    AppDbContext db, ITrialStore store, IBackgroundJobClient jobs, PredictorCache predictors, IChangePublisher changes,
    DataFolder dataFolder, ModelOptions options, TimeProvider clock)
{
    /// <summary>The leaderboard: models of <paramref name="searchId"/> (or of every search), best validation first within a search, newest search first.</summary>
    public async Task<IReadOnlyList<ModelDetails>> ListAsync(string? searchId, CancellationToken cancellationToken)
    {
        var query = db.Models.AsNoTracking();
        if (searchId is not null)
        {
            query = query.Where(m => m.SearchId == searchId);
        }

        var rows = await query.OrderByDescending(m => m.CreatedAt).Take(1000).ToListAsync(cancellationToken);
        var searches = await SettingsAsync(rows.Select(r => r.SearchId).Distinct().ToList(), cancellationToken);
        var views = rows.Select(r => View(r, searches.GetValueOrDefault(r.SearchId), withCurves: false)).ToList();
        return views
            .OrderBy(v => v.SearchId == searchId ? 0 : 1)
            .ThenByDescending(v => v.IsBest)
            .ThenByDescending(v => Signed(v))
            .ToList();

        double Signed(ModelDetails v) =>
            v.Metrics.Validation is not { } value ? double.NegativeInfinity
            : v.Metric is not null && SearchNames.ParseMetric(v.Metric) is { } metric && metric.Direction() == Direction.Minimize ? -value : value;
    }

    public async Task<ModelDetails?> GetAsync(string modelId, CancellationToken cancellationToken)
    {
        var row = await db.Models.AsNoTracking().SingleOrDefaultAsync(m => m.Id == modelId, cancellationToken);
        if (row is null)
        {
            return null;
        }

        var settings = await SettingsAsync([row.SearchId], cancellationToken);
        return View(row, settings.GetValueOrDefault(row.SearchId)) with
        {
            Onnx = await OnnxAsync(row, cancellationToken),
            Network = await CardAsync(row, cancellationToken),
        };
    }

    /// <summary>A neural model's card, as its refit wrote it; null for other models and unready ones.</summary>
    private async Task<NeuralModelCard?> CardAsync(ModelRow row, CancellationToken cancellationToken)
    {
        var path = FullPath(ModelRefitter.NeuralCardPath(row.Id));
        if (row.State != ModelState.Ready || !File.Exists(path))
        {
            return null;
        }

        await using var stream = File.OpenRead(path);
        return await JsonSerializer.DeserializeAsync<NeuralModelCard>(stream, ModelJson.Options, cancellationToken);
    }

    /// <summary>A misclassified test image of a neural model (a PNG its refit wrote); null when there is no such file.</summary>
    public async Task<string?> MisclassifiedImageAsync(string modelId, string file, CancellationToken cancellationToken)
    {
        if (!SafeFile().IsMatch(file) || !await db.Models.AnyAsync(m => m.Id == modelId, cancellationToken))
        {
            return null;
        }

        var path = FullPath($"{ModelRefitter.MisclassifiedFolder(modelId)}/{file}");
        return File.Exists(path) ? path : null;
    }

    /// <summary>The ONNX form of a model: what its refit's export check recorded (<see cref="ModelRefitter.OnnxCheckPath"/>).</summary>
    private async Task<ModelOnnx> OnnxAsync(ModelRow row, CancellationToken cancellationToken)
    {
        if (row.State != ModelState.Ready)
        {
            return new ModelOnnx(false, null, $"The model is {row.State.ToString().ToLowerInvariant()}; its ONNX form is made when it is ready.");
        }

        if (row.Learner == Searches.SearchEnsembler.Learner)
        {
            return new ModelOnnx(false, null, "An ensemble has no single ONNX form: it averages its members' predictions. Download the members' models instead.");
        }

        var check = await OnnxCheck.ReadAsync(FullPath(ModelRefitter.OnnxCheckPath(row.Id)), cancellationToken);
        if (check is null)
        {
            return new ModelOnnx(false, null, "No ONNX form was made when this model was refitted.");
        }

        return check.Available && !File.Exists(FullPath(ModelRefitter.OnnxPath(row.Id)))
            ? new ModelOnnx(false, check.MaxAbsDifference, "The ONNX file is missing from the data folder.")
            : new ModelOnnx(check.Available, check.MaxAbsDifference, check.Reason);
    }

    /// <summary>
    /// The model of trial <paramref name="trialNumber"/>: the existing one, or a new one refitted by a <see cref="RefitJob"/>
    /// (a Failed one is tried again). Only Complete trials have models.
    /// </summary>
    public async Task<ModelResult<string>> RequestRefitAsync(string searchId, int trialNumber, string? userId, CancellationToken cancellationToken)
    {
        var search = await db.SearchRows.AsNoTracking().SingleOrDefaultAsync(s => s.Id == searchId && s.SettingsJson != null, cancellationToken);
        if (search is null)
        {
            return ModelResult<string>.NotFound($"No search has the id '{searchId}'.");
        }

        var stored = await store.GetSearchAsync(searchId, cancellationToken);
        var trial = (await store.GetTrialsAsync(searchId, cancellationToken)).SingleOrDefault(t => t.Number == trialNumber);
        if (trial is null)
        {
            return ModelResult<string>.NotFound($"Search '{searchId}' has no trial {trialNumber}.");
        }

        if (trial.State != TrialState.Complete)
        {
            return ModelResult<string>.Conflict($"Trial {trialNumber} is {trial.State.ToString().ToLowerInvariant()}; only complete trials can be refitted into models.");
        }

        var (model, created) = await ModelRefitter.EnsureModelAsync(
            db, searchId, trial, stored.Spec.Space, isBest: false, userId, clock.GetUtcNow().UtcDateTime, cancellationToken);
        var retry = !created && model.State == ModelState.Failed
            && await db.Models.Where(m => m.Id == model.Id && m.State == ModelState.Failed)
                .ExecuteUpdateAsync(m => m.SetProperty(x => x.State, ModelState.Queued).SetProperty(x => x.Error, (string?)null), cancellationToken) > 0;
        if (created || retry)
        {
            var id = model.Id;
            jobs.Enqueue<RefitJob>(JobQueues.Cpu, job => job.RunAsync(id, CancellationToken.None));
            changes.Publish(new Change(ChangeKind.Model, id));
        }

        return ModelResult<string>.Ok(model.Id);
    }

    /// <summary>The model's file, when it is Ready.</summary>
    public async Task<ModelResult<ModelFile>> GetFileAsync(string modelId, CancellationToken cancellationToken)
    {
        var row = await db.Models.AsNoTracking().SingleOrDefaultAsync(m => m.Id == modelId, cancellationToken);
        if (row is null)
        {
            return ModelResult<ModelFile>.NotFound($"No model has the id '{modelId}'.");
        }

        if (row.State != ModelState.Ready || row.StoredPath is null)
        {
            return ModelResult<ModelFile>.Conflict($"Model '{modelId}' is {row.State.ToString().ToLowerInvariant()}, not ready: it has no file yet.");
        }

        var datasetName = await db.SearchRows.Where(s => s.Id == row.SearchId)
            .Join(db.Datasets, s => s.DatasetId, d => d.Id, (s, d) => d.Name)
            .SingleOrDefaultAsync(cancellationToken) ?? "model";
        var fileName = $"{SafeName(datasetName)}-{SafeName(row.Learner)}.zip";
        return ModelResult<ModelFile>.Ok(new ModelFile(FullPath(row.StoredPath), fileName));
    }

    /// <summary>The model's ONNX file, when it is Ready and its export passed the check; Conflict with the reason otherwise.</summary>
    public async Task<ModelResult<ModelFile>> GetOnnxFileAsync(string modelId, CancellationToken cancellationToken)
    {
        var file = await GetFileAsync(modelId, cancellationToken);
        if (file.Status != ModelRequestStatus.Ok)
        {
            return file;
        }

        var row = await db.Models.AsNoTracking().SingleAsync(m => m.Id == modelId, cancellationToken);
        var onnx = await OnnxAsync(row, cancellationToken);
        if (!onnx.Available)
        {
            return ModelResult<ModelFile>.Conflict($"Model '{modelId}' has no ONNX form: {onnx.Reason}");
        }

        return ModelResult<ModelFile>.Ok(new ModelFile(FullPath(ModelRefitter.OnnxPath(modelId)), Path.ChangeExtension(file.Value!.FileName, ".onnx")));
    }

    /// <summary>
    /// Predicts <paramref name="rows"/> (column name → value: JSON numbers, strings, booleans or null). Invalid input
    /// comes back with one error per bad cell, keyed <c>rows[i].column</c> (or <c>rows[i]</c>, <c>rows</c>).
    /// </summary>
    public async Task<ModelResult<IReadOnlyList<PredictionView>>> PredictAsync(
        string modelId, IReadOnlyList<IReadOnlyDictionary<string, object?>?> rows, CancellationToken cancellationToken)
    {
        var row = await db.Models.AsNoTracking().SingleOrDefaultAsync(m => m.Id == modelId, cancellationToken);
        if (row is null)
        {
            return ModelResult<IReadOnlyList<PredictionView>>.NotFound($"No model has the id '{modelId}'.");
        }

        if (row.State != ModelState.Ready || row.StoredPath is null)
        {
            return ModelResult<IReadOnlyList<PredictionView>>.Conflict(
                $"Model '{modelId}' is {row.State.ToString().ToLowerInvariant()}; it can predict once it is ready.");
        }

        if (rows.Count == 0 || rows.Count > options.MaxPredictRows)
        {
            return Invalid(new() { ["rows"] = [$"Send 1 to {options.MaxPredictRows} rows, not {rows.Count}."] });
        }

        var predictor = await predictors.GetAsync(modelId, FullPath(row.StoredPath), cancellationToken);
        var errors = Check(predictor.InputColumns, rows);
        if (errors.Count > 0)
        {
            return Invalid(errors);
        }

        IReadOnlyList<TabularPrediction> predictions;
        try
        {
            predictions = predictor.Predict(rows.Select(r => r!).ToList());
        }
        catch (ArgumentException e)
        {
            var match = RowAndColumn().Match(e.Message);
            var key = !match.Success ? "rows"
                : match.Groups["column"].Success ? $"rows[{match.Groups["row"].Value}].{match.Groups["column"].Value}"
                : $"rows[{match.Groups["row"].Value}]";
            return Invalid(new() { [key] = [SearchLauncher.WithoutParameterName(e)] });
        }

        return ModelResult<IReadOnlyList<PredictionView>>.Ok(predictions.Select(p => p.Class is not null || p.Probabilities is not null
            ? new PredictionView(p.Class, p.Class is not null && p.Probabilities is not null && p.Probabilities.TryGetValue(p.Class, out var s) ? s : null, p.Probabilities, null)
            : new PredictionView(null, null, null, p.Value)).ToList());

        static ModelResult<IReadOnlyList<PredictionView>> Invalid(Dictionary<string, string[]> errors) =>
            ModelResult<IReadOnlyList<PredictionView>>.Invalid(
                errors.Count == 1 ? errors.Values.First()[0] : $"{errors.Count} values are missing or of the wrong type.", errors);
    }

    /// <summary>Every missing column and every value of the wrong type, keyed <c>rows[i].column</c>.</summary>
    private static Dictionary<string, string[]> Check(IReadOnlyList<TabularColumn> columns, IReadOnlyList<IReadOnlyDictionary<string, object?>?> rows)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        for (var i = 0; i < rows.Count && errors.Count < 100; i++)
        {
            if (rows[i] is not { } row)
            {
                errors[$"rows[{i}]"] = [$"Row {i} is not an object of column values."];
                continue;
            }

            foreach (var column in columns)
            {
                var key = $"rows[{i}].{column.Name}";
                if (!row.TryGetValue(column.Name, out var value))
                {
                    errors[key] = [$"Row {i} has no value for column '{column.Name}', which the model needs; give null for a missing value."];
                    continue;
                }

                var numeric = column.Kind is TabularColumnKind.Numeric or TabularColumnKind.Integer;
                var problem = value switch
                {
                    JsonElement { ValueKind: JsonValueKind.Object or JsonValueKind.Array } e => $"expected a single value, got {e.ValueKind.ToString().ToLowerInvariant()}",
                    JsonElement { ValueKind: JsonValueKind.True or JsonValueKind.False } e when numeric => $"expected a number, got {e.GetRawText()}",
                    JsonElement { ValueKind: JsonValueKind.String } e when numeric && !LooksNumeric(e.GetString()!) => $"expected a number, got the text '{e.GetString()}'",
                    string s when numeric && !LooksNumeric(s) => $"expected a number, got the text '{s}'",
                    _ => null,
                };
                if (problem is not null)
                {
                    errors[key] = [$"Row {i}, column '{column.Name}' ({TabularDatasets.ApiName(column.Kind)}): {problem}."];
                }
            }
        }

        return errors;
    }

    /// <summary>A number, or a way of writing "missing" (empty, NA, N/A, null, NaN, ?).</summary>
    private static bool LooksNumeric(string text) =>
        string.IsNullOrWhiteSpace(text)
        || text.Trim().ToLowerInvariant() is "na" or "n/a" or "#n/a" or "null" or "nan" or "?" or "none"
        || double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _);

    private async Task<Dictionary<string, SearchSettings?>> SettingsAsync(List<string> searchIds, CancellationToken cancellationToken)
    {
        var rows = await db.SearchRows.AsNoTracking().Where(s => searchIds.Contains(s.Id))
            .Select(s => new { s.Id, s.SettingsJson }).ToListAsync(cancellationToken);
        return rows.ToDictionary(r => r.Id, r =>
        {
            try
            {
                return r.SettingsJson is null ? null : SearchSettings.FromJson(r.SettingsJson);
            }
            catch (InvalidDataException)
            {
                return null;
            }
        }, StringComparer.Ordinal);
    }

    /// <param name="withCurves">
    /// Keep the test's ROC and precision–recall curves and residuals (one model); the leaderboard's rows leave them out,
    /// as hundreds of points per model that no row shows.
    /// </param>
    private static ModelDetails View(ModelRow row, SearchSettings? settings, bool withCurves = true) => new(
        row.Id, row.SearchId, row.TrialNumber, row.Learner, ModelJson.Element(row.ParamsJson) ?? default, row.State.ToString().ToLowerInvariant(),
        new ModelMetrics(row.ValidationValue, withCurves ? ModelJson.Element(row.TestMetricsJson) : WithoutCurves(row.TestMetricsJson)),
        settings?.TaskName, settings?.Metric?.Name(),
        ModelJson.ReadInputSchema(row.InputSchemaJson),
        row.TrainingSeconds, row.PredictMicrosecondsPerRow, row.IsBest, DateTime.SpecifyKind(row.CreatedAt, DateTimeKind.Utc), row.Error)
    {
        Fit = row.State == ModelState.Ready ? ModelJson.ReadFit(row.FitJson) : null,
    };

    /// <summary>Stored test metrics without <c>classification.curves</c> and <c>regression.residuals</c>.</summary>
    private static JsonElement? WithoutCurves(string? json)
    {
        if (json is null || JsonNode.Parse(json) is not JsonObject metrics)
        {
            return ModelJson.Element(json);
        }

        (metrics["classification"] as JsonObject)?.Remove("curves");
        (metrics["regression"] as JsonObject)?.Remove("residuals");
        return JsonSerializer.SerializeToElement(metrics);
    }

    private string FullPath(string storedPath) => Path.Combine(dataFolder.Path, storedPath.Replace('/', Path.DirectorySeparatorChar));

    private static string SafeName(string name)
    {
        var safe = UnsafeRun().Replace(name, "-").Trim('-', '.');
        return safe.Length == 0 ? "model" : safe;
    }

    [GeneratedRegex("^[0-9]{1,4}\\.png$")]
    private static partial Regex SafeFile();

    /// <summary>Characters a file name should not carry, each run of them becoming one hyphen.</summary>
    [GeneratedRegex(@"[^\p{L}\p{Nd}_.]+")]
    private static partial Regex UnsafeRun();

    [GeneratedRegex(@"^Row (?<row>\d+)(?:, column '(?<column>[^']*)'| has no value for column '(?<column>[^']*)')?")]
    private static partial Regex RowAndColumn();
}
