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
            var result = await service.PredictAsync(id, rows, ct);
            return result.Status switch
            {
                ModelRequestStatus.Ok => Results.Ok(new PredictResponse(result.Value!)),
                ModelRequestStatus.NotFound => ApiJson.NotFound(result.Message!),
                ModelRequestStatus.Conflict => ApiJson.Conflict(result.Message!),
                _ => Results.ValidationProblem(result.Errors!.ToDictionary(e => e.Key, e => e.Value), detail: result.Message, title: "The rows are not valid"),
            };
        });

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
}
