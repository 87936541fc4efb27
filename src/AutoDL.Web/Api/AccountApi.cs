using System.Security.Claims;
using AutoDL.Data.Tokens;

namespace AutoDL.Web.Api;

public sealed record MeResponse(string Id, string? Email, IReadOnlyList<string> Roles);

public sealed record CreateTokenRequest(string? Name);

/// <summary><c>/api/v1/me</c> and <c>/api/v1/tokens</c>: who is calling, and their API tokens.</summary>
public static class AccountApi
{
    public static RouteGroupBuilder MapAccountApi(this RouteGroupBuilder api)
    {
        api.MapGet("/me", (ClaimsPrincipal user) => new MeResponse(
            UserId(user),
            user.FindFirstValue(ClaimTypes.Email) ?? user.Identity?.Name,
            user.FindAll(ClaimTypes.Role).Select(c => c.Value).Order().ToList()));

        var tokens = api.MapGroup("/tokens");
        tokens.MapGet("/", (ClaimsPrincipal user, ApiTokenStore store, CancellationToken ct) => store.ListAsync(UserId(user), ct));

        tokens.MapPost("/", async (CreateTokenRequest request, ClaimsPrincipal user, ApiTokenStore store, CancellationToken ct) =>
        {
            var name = request.Name?.Trim() ?? "";
            if (name.Length is 0 or > ApiToken.MaxNameLength)
            {
                return Results.ValidationProblem(
                    new Dictionary<string, string[]> { ["name"] = [$"Give the token a name of 1 to {ApiToken.MaxNameLength} characters."] });
            }

            var created = await store.CreateAsync(UserId(user), name, ct);
            return Results.Created($"/api/v1/tokens/{created.Token.Id}", created);
        });

        tokens.MapDelete("/{id}", async (string id, ClaimsPrincipal user, ApiTokenStore store, CancellationToken ct) =>
            await store.RevokeAsync(UserId(user), id, ct)
                ? Results.NoContent()
                : Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: $"You have no API token with id '{id}'."));
        return api;
    }

    /// <summary>Identity puts the user's id in the name-identifier claim, for cookies and tokens alike.</summary>
    public static string UserId(ClaimsPrincipal user) =>
        user.FindFirstValue(ClaimTypes.NameIdentifier) ?? throw new InvalidOperationException("The signed-in principal has no user id.");
}
