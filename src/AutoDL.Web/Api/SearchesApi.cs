using System.Security.Claims;
using AutoDL.Jobs.Models;
using AutoDL.Jobs.Searches;
using AutoDL.Web.Auth;

namespace AutoDL.Web.Api;

public sealed record CreatedResponse(string Id);

/// <summary><c>/api/v1/searches</c>: start, list, read, cancel searches; trials; refit a trial into a model.</summary>
public static class SearchesApi
{
    public static RouteGroupBuilder MapSearchesApi(this RouteGroupBuilder api)
    {
        var searches = api.MapGroup("/searches");

        searches.MapPost("/", async (HttpRequest http, ClaimsPrincipal user, SearchLauncher launcher, CancellationToken ct) =>
        {
            var (request, problem) = await ApiJson.ReadAsync<SearchRequest>(http, ct);
            if (problem is not null)
            {
                return problem;
            }

            var launch = await launcher.LaunchAsync(request!, AccountApi.UserId(user), ct);
            return launch.SearchId is { } id
                ? Results.Accepted($"/api/v1/searches/{id}", new CreatedResponse(id))
                : Results.ValidationProblem(
                    launch.Errors.ToDictionary(e => e.Key, e => e.Value),
                    title: "The search request is not valid",
                    detail: string.Join(" ", launch.Errors.SelectMany(e => e.Value)));
        }).RequireAuthorization(AuthSchemes.WriterPolicy);

        searches.MapGet("/", (SearchQueries queries, CancellationToken ct) => queries.ListAsync(200, ct));

        searches.MapGet("/{id}", async (string id, SearchQueries queries, CancellationToken ct) =>
            await queries.GetAsync(id, ct) is { Settings: not null } search ? Results.Ok(search) : NoSearch(id));

        searches.MapGet("/{id}/trials", async (string id, SearchQueries queries, CancellationToken ct) =>
            await queries.GetTrialsAsync(id, ct) is { } trials ? Results.Ok(trials) : NoSearch(id));

        searches.MapGet("/{id}/pareto", async (string id, SearchQueries queries, CancellationToken ct) =>
            await queries.GetParetoAsync(id, ct) is { } front ? Results.Ok(front) : NoSearch(id));

        searches.MapPost("/{id}/cancel", async (string id, SearchLauncher launcher, SearchQueries queries, CancellationToken ct) =>
            await launcher.CancelAsync(id, ct) switch
            {
                CancelOutcome.Cancelled => Results.Ok(await queries.GetAsync(id, ct)),
                CancelOutcome.AlreadyFinished => ApiJson.Conflict($"Search '{id}' has already ended ({(await queries.GetAsync(id, ct))?.Status}); there is nothing to cancel."),
                _ => NoSearch(id),
            }).RequireAuthorization(AuthSchemes.WriterPolicy);

        searches.MapPost("/{id}/trials/{number:int}/model", async (string id, int number, ClaimsPrincipal user, ModelService models, CancellationToken ct) =>
        {
            var result = await models.RequestRefitAsync(id, number, AccountApi.UserId(user), ct);
            return result.Status switch
            {
                ModelRequestStatus.Ok => Results.Accepted($"/api/v1/models/{result.Value}", new CreatedResponse(result.Value!)),
                ModelRequestStatus.NotFound => ApiJson.NotFound(result.Message!),
                _ => ApiJson.Conflict(result.Message!),
            };
        }).RequireAuthorization(AuthSchemes.WriterPolicy);
        return api;
    }

    private static IResult NoSearch(string id) => ApiJson.NotFound($"No search has the id '{id}'.");
}
