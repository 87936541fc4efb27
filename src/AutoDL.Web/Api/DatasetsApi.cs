using System.Security.Claims;
using AutoDL.Core.Datasets;
using AutoDL.Data.Datasets;
using AutoDL.Jobs.Datasets;
using AutoDL.Jobs.Hosting;
using AutoDL.Web.Auth;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace AutoDL.Web.Api;

/// <summary><c>/api/v1/datasets</c>: upload (streamed multipart), list, read, profile, delete.</summary>
public static class DatasetsApi
{
    /// <summary>Room for the multipart envelope and the small form fields around the file.</summary>
    private const long MultipartOverheadBytes = 1 << 20;

    public static RouteGroupBuilder MapDatasetsApi(this RouteGroupBuilder api)
    {
        var datasets = api.MapGroup("/datasets");
        datasets.MapPost("/", UploadAsync).DisableAntiforgery().RequireAuthorization(AuthSchemes.WriterPolicy);
        datasets.MapGet("/", (DatasetCatalog catalog, CancellationToken ct) => catalog.ListAsync(ct));
        datasets.MapGet("/{id}", async (string id, DatasetCatalog catalog, CancellationToken ct) =>
            await catalog.FindAsync(id, ct) is { } row ? Results.Ok(DatasetInfo.From(row)) : NotFound(id));
        datasets.MapGet("/{id}/profile", async (string id, DatasetCatalog catalog, CancellationToken ct) =>
        {
            if (await catalog.FindAsync(id, ct) is not { } row)
            {
                return NotFound(id);
            }

            return row.ProfileJson is null
                ? Results.Problem(
                    statusCode: StatusCodes.Status409Conflict,
                    title: "Profile not ready",
                    detail: row.ProfileError is { } error
                        ? $"Profiling '{row.Name}' failed: {error}"
                        : $"The profile of '{row.Name}' is {row.ProfileState.ToString().ToLowerInvariant()} ({row.ProfileProgress:P0} done); ask again shortly.")
                : Results.Content(row.ProfileJson, "application/json");
        });
        datasets.MapGet("/{id}/thumbnails/{file}", async (string id, string file, DatasetCatalog catalog, DataFolder folder, CancellationToken ct) =>
        {
            // Only the thumbnails the scan listed: the name never comes from the request alone.
            if (await catalog.FindAsync(id, ct) is not { Kind: DatasetKind.Images } row
                || row.ImageSchema().Thumbnails.FirstOrDefault(t => t.FileName == file) is not { } thumbnail)
            {
                return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: $"Dataset '{id}' has no thumbnail '{file}'.");
            }

            var path = Path.Combine(folder.Path, DatasetSchemaJson.ThumbnailFolder(row.Sha256), thumbnail.FileName);
            return Results.File(path, thumbnail.FileName.EndsWith(".png", StringComparison.Ordinal) ? "image/png" : "image/jpeg");
        });
        datasets.MapDelete("/{id}", async (string id, DatasetCatalog catalog, CancellationToken ct) =>
        {
            try
            {
                return await catalog.DeleteAsync(id, ct) ? Results.NoContent() : NotFound(id);
            }
            catch (DatasetInUseException e)
            {
                return Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "Dataset in use", detail: e.Message);
            }
        }).RequireAuthorization(AuthSchemes.WriterPolicy);
        return api;
    }

    private static IResult NotFound(string id) =>
        Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: $"There is no dataset with id '{id}'.");

    /// <summary>
    /// Reads the multipart body section by section and streams the <c>file</c> section straight into the ingest (never
    /// buffering the whole file, which an <see cref="IFormFile"/> would do on disk before the handler runs).
    /// </summary>
    private static async Task<IResult> UploadAsync(
        HttpContext context, DatasetIngest ingest, DatasetOptions options, ClaimsPrincipal user, CancellationToken ct)
    {
        var limit = options.MaxUploadBytes;
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodySize)
        {
            bodySize.MaxRequestBodySize = limit + MultipartOverheadBytes;
        }

        if (context.Request.ContentLength > limit + MultipartOverheadBytes)
        {
            return TooLarge(null, limit);
        }

        if (!MediaTypeHeaderValue.TryParse(context.Request.ContentType, out var contentType)
            || !contentType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase)
            || HeaderUtilities.RemoveQuotes(contentType.Boundary).Value is not { Length: > 0 } boundary)
        {
            return Invalid("file", "Send the dataset as multipart/form-data with the file in a field named 'file' (and, optionally, 'name').");
        }

        string? name = null;
        IngestResult? result = null;
        var reader = new MultipartReader(boundary, context.Request.Body);
        try
        {
            while (await reader.ReadNextSectionAsync(ct) is { } section)
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition)
                    || !disposition.DispositionType.Equals("form-data", StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }

                var field = HeaderUtilities.RemoveQuotes(disposition.Name).Value;
                if (disposition.IsFileDisposition() && field == "file")
                {
                    if (result is not null)
                    {
                        return Invalid("file", "Upload one file per request.");
                    }

                    var fileName = HeaderUtilities.RemoveQuotes(disposition.FileNameStar.HasValue ? disposition.FileNameStar : disposition.FileName).Value;
                    if (string.IsNullOrWhiteSpace(fileName))
                    {
                        return Invalid("file", "The 'file' field has no file name; AutoDL needs it to know the file's kind (.csv, .tsv, .txt).");
                    }

                    result = await ingest.IngestAsync(section.Body, fileName, name, AccountApi.UserId(user), ct);
                }
                else if (field == "name")
                {
                    name = (await new StreamReader(section.Body).ReadToEndAsync(ct)).Trim();
                }
            }
        }
        catch (DatasetFormatException e)
        {
            return Results.ValidationProblem(
                new Dictionary<string, string[]> { ["file"] = [.. e.Problems.Select(p => p.Message)] },
                detail: e.Message,
                title: "The file is not a dataset AutoDL can read");
        }
        catch (DatasetTooLargeException e)
        {
            return TooLarge(e.Message, limit);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return TooLarge(null, limit);
        }
        catch (InvalidDataException e)
        {
            return Invalid("file", $"The multipart body could not be read: {e.Message}");
        }

        if (result is null)
        {
            return Invalid("file", "The request has no 'file' field: send the dataset as multipart/form-data with the file in a field named 'file'.");
        }

        var info = DatasetInfo.From(result.Dataset);
        return result.Created ? Results.Created($"/api/v1/datasets/{info.Id}", info) : Results.Ok(info);
    }

    private static IResult Invalid(string field, string message) =>
        Results.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] }, detail: message);

    private static IResult TooLarge(string? message, long limit) =>
        Results.Problem(
            statusCode: StatusCodes.Status413PayloadTooLarge,
            title: "File too large",
            detail: message ?? $"The upload is larger than the limit of {DatasetTooLargeException.Describe(limit)}. Nothing was stored.");
}
