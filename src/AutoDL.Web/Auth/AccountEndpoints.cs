using AutoDL.Data.Identity;
using Microsoft.AspNetCore.Identity;

namespace AutoDL.Web.Auth;

public static class AccountEndpoints
{
    /// <summary>Sign-out is a form POST (with an antiforgery token) from the app bar; signing in is the static login page.</summary>
    public static IEndpointRouteBuilder MapAccountEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/account/logout", async (SignInManager<AppUser> signIn) =>
        {
            await signIn.SignOutAsync();
            return Results.LocalRedirect("~/login");
        });
        return endpoints;
    }
}
