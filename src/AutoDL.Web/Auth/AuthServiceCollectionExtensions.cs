using AutoDL.Data;
using AutoDL.Data.Identity;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;

namespace AutoDL.Web.Auth;

/// <summary>The one place where who-may-do-what is set up: Identity, the cookie and bearer schemes, and the policies.</summary>
public static class AuthServiceCollectionExtensions
{
    public static IServiceCollection AddAutoDLAuth(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<BootstrapOptions>(configuration.GetSection(BootstrapOptions.Section));
        services.AddScoped<AdminBootstrap>();

        services.AddIdentityCore<AppUser>(identity =>
            {
                identity.User.RequireUniqueEmail = true;
                identity.Lockout.MaxFailedAccessAttempts = 10;
            })
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<AppDbContext>()
            .AddSignInManager()
            .AddDefaultTokenProviders();

        services.AddAuthentication(auth =>
            {
                auth.DefaultScheme = AuthSchemes.Default;
                auth.DefaultSignInScheme = IdentityConstants.ApplicationScheme;
            })
            .AddPolicyScheme(AuthSchemes.Default, "Cookie or API token", policy =>
                policy.ForwardDefaultSelector = context =>
                    context.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
                        ? AuthSchemes.ApiToken
                        : IdentityConstants.ApplicationScheme)
            .AddScheme<AuthenticationSchemeOptions, ApiTokenAuthenticationHandler>(AuthSchemes.ApiToken, null)
            .AddIdentityCookies();

        services.ConfigureApplicationCookie(cookie =>
        {
            cookie.LoginPath = "/login";
            cookie.AccessDeniedPath = "/access-denied";
            cookie.Cookie.Name = "AutoDL.Auth";
            cookie.Cookie.SameSite = SameSiteMode.Lax;
            cookie.SlidingExpiration = true;
            cookie.Events = new CookieAuthenticationEvents
            {
                // The API answers 401/403 with problem details; only browsers going to pages are sent to the login page.
                OnRedirectToLogin = context => IsApi(context.Request)
                    ? Problems.WriteAsync(context.HttpContext, StatusCodes.Status401Unauthorized, "Unauthorized",
                        "Sign in, or send Authorization: Bearer <api token>.")
                    : Redirect(context),
                OnRedirectToAccessDenied = context => IsApi(context.Request)
                    ? Problems.WriteAsync(context.HttpContext, StatusCodes.Status403Forbidden, "Forbidden", "Your account is not allowed to do this.")
                    : Redirect(context),
            };
        });

        services.AddAuthorizationBuilder()
            // Every endpoint requires a signed-in user or a valid token unless it says otherwise (login, health, static files).
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build())
            .AddPolicy(AuthSchemes.AdminPolicy, policy => policy.RequireAuthenticatedUser().RequireRole(Roles.Admin))
            .AddPolicy(AuthSchemes.WriterPolicy, policy => policy.RequireAuthenticatedUser().RequireRole(Roles.Admin, Roles.Analyst))
            .AddPolicy(AuthSchemes.AuditPolicy, policy => policy.RequireAuthenticatedUser().RequireRole(Roles.Admin, Roles.Auditor));

        services.AddCascadingAuthenticationState();
        return services;
    }

    private static bool IsApi(HttpRequest request) => request.Path.StartsWithSegments("/api");

    private static Task Redirect(RedirectContext<CookieAuthenticationOptions> context)
    {
        context.Response.Redirect(context.RedirectUri);
        return Task.CompletedTask;
    }
}
