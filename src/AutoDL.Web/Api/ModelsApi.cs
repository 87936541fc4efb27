using System.Text.Json;
using AutoDL.Jobs.Models;

namespace AutoDL.Web.Api;

/// <summary>The predict body: <c>{ rows: [ { column: value } ] }</c>, read loosely so each bad row can be named.</summary>
public sealed record PredictRequest(JsonElement? Rows);

public sealed record PredictResponse(IReadOnlyList<PredictionView> Predictions);

/// <summary><c>/api/v1/models</c>: the leaderboard, one model, predictions and the model file.</summary>
public static class ModelsApi
{
    public static RouteGroupBuilder MapModelsApi(this RouteGroupBuilder api)
    {
        var models = api.MapGroup("/models");

        models.MapGet("/", (string? searchId, ModelService service, CancellationToken ct) => service.ListAsync(searchId, ct));

        models.MapGet("/{id}", async (string id, ModelService service, CancellationToken ct) =>
            await service.GetAsync(id, ct) is { } model ? Results.Ok(model) : ApiJson.NotFound($"No model has the id '{id}'."));

        models.MapPost("/{id}/predict", async (string id, HttpRequest http, ModelService service, CancellationToken ct) =>
        {
            if (http.HasFormContentType)
            {
                return await PredictFilesAsync(id, http, service, ct);
            }

            var (body, problem) = await ApiJson.ReadAsync<PredictRequest>(http, ct);
            if (problem is not null)
            {
                return problem;
            }

            if (body?.Rows is not { ValueKind: JsonValueKind.Array } rowsJson)
            {
                return ApiJson.Invalid("rows", "Send { \"rows\": [ { \"column\": value, ... } ] }: a list of rows, each an object of column values.");
            }

            var rows = rowsJson.EnumerateArray()
                .Select(r => r.ValueKind == JsonValueKind.Object
                    ? (IReadOnlyDictionary<string, object?>)r.EnumerateObject().ToDictionary(p => p.Name, p => (object?)p.Value.Clone(), StringComparer.Ordinal)
                    : null)
                .ToList();
            return Answer(await service.PredictAsync(id, rows, ct));
        });

        models.MapGet("/{id}/misclassified/{file}", async (string id, string file, ModelService service, CancellationToken ct) =>
            await service.MisclassifiedImageAsync(id, file, ct) is { } path
                ? Results.File(path, "image/png")
                : ApiJson.NotFound($"Model '{id}' has no misclassified image '{file}'."));

        // format: absent, "mlnet" or "zip" for the ML.NET zip; "onnx" for the ONNX file (409 with the reason where the model has none).
        models.MapGet("/{id}/download", async (string id, string? format, ModelService service, CancellationToken ct) =>
        {
            var onnx = string.Equals(format, "onnx", StringComparison.OrdinalIgnoreCase);
            if (format is not null && !onnx && !format.Equals("mlnet", StringComparison.OrdinalIgnoreCase) && !format.Equals("zip", StringComparison.OrdinalIgnoreCase))
            {
                return ApiJson.Invalid("format", $"'{format}' is not a format models download as: leave format out (or give 'mlnet') for the ML.NET zip, or give 'onnx'.");
            }

            var file = onnx ? await service.GetOnnxFileAsync(id, ct) : await service.GetFileAsync(id, ct);
            return file.Status switch
            {
                ModelRequestStatus.Ok => Results.File(file.Value!.Path, onnx ? "application/octet-stream" : "application/zip", file.Value.FileName),
                ModelRequestStatus.NotFound => ApiJson.NotFound(file.Message!),
                _ => ApiJson.Conflict(file.Message!),
            };
        });
        return api;
    }

    /// <summary>Largest image file one multipart predict request may carry.</summary>
    public const long MaxImageFileBytes = 20 << 20;

    /// <summary>
    /// The multipart variant for image models: every file field (any name) is one row, in order, its bytes the row's
    /// <c>image</c>. Errors name the row as the JSON variant does, and the file.
    /// </summary>
    private static async Task<IResult> PredictFilesAsync(string id, HttpRequest http, ModelService service, CancellationToken ct)
    {
        IFormCollection form;
        try
        {
            form = await http.ReadFormAsync(ct);
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            return ApiJson.Invalid("files", $"The multipart body could not be read: {e.Message}");
        }

        if (form.Files.Count == 0)
        {
            return ApiJson.Invalid("files", "Send the images as multipart/form-data file fields (one image per file), or send JSON rows with a base64 'image'.");
        }

        var rows = new List<IReadOnlyDictionary<string, object?>?>(form.Files.Count);
        foreach (var (file, i) in form.Files.Select((f, i) => (f, i)))
        {
            if (file.Length > MaxImageFileBytes)
            {
                return ApiJson.Invalid($"rows[{i}].image", $"Row {i} ('{file.FileName}') is {file.Length:N0} bytes; one image may have at most {MaxImageFileBytes:N0}.");
            }

            using var buffer = new MemoryStream();
            await file.CopyToAsync(buffer, ct);
            rows.Add(new Dictionary<string, object?>(StringComparer.Ordinal) { ["image"] = buffer.ToArray() });
        }

        var result = await service.PredictAsync(id, rows, ct);
        if (result.Status == ModelRequestStatus.Invalid && result.Errors is { } errors)
        {
            // Name the file each row came from.
            result = result with
            {
                Errors = errors.ToDictionary(
                    e => e.Key,
                    e => e.Value.Select(m => RowOf(e.Key) is { } row && row < form.Files.Count ? $"{m} (file '{form.Files[row].FileName}')" : m).ToArray()),
            };
        }

        return Answer(result);
    }

    private static int? RowOf(string key) =>
        key.StartsWith("rows[", StringComparison.Ordinal) && key.IndexOf(']', StringComparison.Ordinal) is var end and > 5
        && int.TryParse(key.AsSpan(5, end - 5), out var row) ? row : null;

    private static IResult Answer(ModelResult<IReadOnlyList<PredictionView>> result) => result.Status switch
    {
        ModelRequestStatus.Ok => Results.Ok(new PredictResponse(result.Value!)),
        ModelRequestStatus.NotFound => ApiJson.NotFound(result.Message!),
        ModelRequestStatus.Conflict => ApiJson.Conflict(result.Message!),
        _ => Results.ValidationProblem(result.Errors!.ToDictionary(e => e.Key, e => e.Value), detail: result.Message, title: "The rows are not valid"),
    };
}
