using System.Security.Claims;
using AutoDL.Jobs.Models;
using AutoDL.Jobs.Reports;
using AutoDL.Web.Auth;

namespace AutoDL.Web.Api;

/// <summary>
/// Explainability and fairness reports: <c>POST /api/v1/models/{id}/reports</c> (every role: Auditors make reports),
/// <c>/api/v1/reports</c> to list, read and download them, and who viewed them (Admins and Auditors).
/// </summary>
public static class ReportsApi
{
    public static RouteGroupBuilder MapReportsApi(this RouteGroupBuilder api)
    {
        api.MapPost("/models/{id}/reports", async (string id, HttpRequest http, ClaimsPrincipal user, ReportService reports, CancellationToken ct) =>
        {
            ReportRequest request = new();
            if (http.ContentLength is not 0 && http.HasJsonContentType())
            {
                var (body, problem) = await ApiJson.ReadAsync<ReportRequest>(http, ct);
                if (problem is not null)
                {
                    return problem;
                }

                request = body!;
            }

            var result = await reports.RequestAsync(id, request, AccountApi.UserId(user), ct);
            return result.Status switch
            {
                ModelRequestStatus.Ok => Results.Accepted($"/api/v1/reports/{result.Value}", new CreatedResponse(result.Value!)),
                ModelRequestStatus.NotFound => ApiJson.NotFound(result.Message!),
                ModelRequestStatus.Conflict => ApiJson.Conflict(result.Message!),
                _ => Results.ValidationProblem(result.Errors!.ToDictionary(e => e.Key, e => e.Value), detail: string.Join(" ", result.Errors!.SelectMany(e => e.Value)),
                    title: "The report request is not valid"),
            };
        });

        var group = api.MapGroup("/reports");
        group.MapGet("/", (string? modelId, ReportService reports, CancellationToken ct) => reports.ListAsync(modelId, ct));

        group.MapGet("/{id}", async (string id, ClaimsPrincipal user, ReportService reports, CancellationToken ct) =>
            await reports.GetAsync(id, Viewer(user), ct) is { } report ? Results.Ok(report) : ApiJson.NotFound($"No report has the id '{id}'."));

        // format: absent or "html" for the self-contained HTML file; "json" for the canonical JSON its SHA-256 is over.
        group.MapGet("/{id}/download", async (string id, string? format, ClaimsPrincipal user, ReportService reports, CancellationToken ct) =>
        {
            var json = string.Equals(format, "json", StringComparison.OrdinalIgnoreCase);
            if (format is not null && !json && !format.Equals("html", StringComparison.OrdinalIgnoreCase))
            {
                return ApiJson.Invalid("format", $"'{format}' is not a format reports download as: leave format out (or give 'html') for the HTML file, or give 'json'.");
            }

            var file = await reports.GetFileAsync(id, json, Viewer(user), ct);
            return file.Status switch
            {
                ModelRequestStatus.Ok => Results.File(file.Value!.Path, file.Value.ContentType, file.Value.FileName),
                ModelRequestStatus.NotFound => ApiJson.NotFound(file.Message!),
                _ => ApiJson.Conflict(file.Message!),
            };
        });

        group.MapGet("/{id}/views", async (string id, ReportService reports, CancellationToken ct) =>
            await reports.ViewsAsync(id, ct) is { } views ? Results.Ok(views) : ApiJson.NotFound($"No report has the id '{id}'."))
            .RequireAuthorization(AuthSchemes.AuditPolicy);
        return api;
    }

    /// <summary>The name recorded for a view or download: the user's name (their email), else their id.</summary>
    public static string Viewer(ClaimsPrincipal user) =>
        user.Identity?.Name ?? AccountApi.UserId(user) ?? "unknown";
}
