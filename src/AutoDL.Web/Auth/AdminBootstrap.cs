using System.Security.Cryptography;
using AutoDL.Data.Identity;
using AutoDL.Data.Tokens;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace AutoDL.Web.Auth;

/// <summary>Creates the roles, the first Admin on an empty database, and imports the configured Admin API token.</summary>
public sealed class AdminBootstrap(
    UserManager<AppUser> users,
    RoleManager<IdentityRole> roles,
    ApiTokenStore tokens,
    IOptions<BootstrapOptions> options,
    ILogger<AdminBootstrap> logger)
{
    public const string BootstrapTokenName = "bootstrap (from configuration)";

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        foreach (var role in Roles.All)
        {
            if (!await roles.RoleExistsAsync(role))
            {
                Check(await roles.CreateAsync(new IdentityRole(role)), $"creating the role {role}");
            }
        }

        var settings = options.Value;
        if (!users.Users.Any())
        {
            await CreateAdminAsync(settings);
        }

        if (!string.IsNullOrWhiteSpace(settings.AdminApiToken))
        {
            await ImportTokenAsync(settings, cancellationToken);
        }
    }

    private async Task CreateAdminAsync(BootstrapOptions settings)
    {
        if (string.IsNullOrWhiteSpace(settings.AdminEmail))
        {
            throw new InvalidOperationException("AutoDL:Bootstrap:AdminEmail is empty: the first Admin needs an email address to sign in with.");
        }

        var generated = string.IsNullOrEmpty(settings.AdminPassword);
        var password = generated ? GeneratePassword() : settings.AdminPassword!;
        var admin = new AppUser { UserName = settings.AdminEmail, Email = settings.AdminEmail, EmailConfirmed = true };
        var created = await users.CreateAsync(admin, password);
        if (!created.Succeeded)
        {
            var reasons = string.Join(" ", created.Errors.Select(e => e.Description));
            throw new InvalidOperationException($"AutoDL:Bootstrap could not create the Admin {settings.AdminEmail}: {reasons}");
        }

        Check(await users.AddToRoleAsync(admin, Roles.Admin), "giving the first user the Admin role");
        if (generated)
        {
            logger.LogWarning(
                "Created the Admin {Email} with the generated password {Password}. It is shown this once: sign in and change it, or set AutoDL:Bootstrap:AdminPassword.",
                settings.AdminEmail, password);
        }
        else
        {
            logger.LogInformation("Created the Admin {Email} from configuration.", settings.AdminEmail);
        }
    }

    private async Task ImportTokenAsync(BootstrapOptions settings, CancellationToken cancellationToken)
    {
        var admin = await users.FindByEmailAsync(settings.AdminEmail);
        if (admin is null || !await users.IsInRoleAsync(admin, Roles.Admin))
        {
            logger.LogWarning("AutoDL:Bootstrap:AdminApiToken is set, but {Email} is not an Admin here; the token was not imported.", settings.AdminEmail);
            return;
        }

        if (settings.AdminApiToken!.Length < ApiTokenStore.MinimumSecretLength)
        {
            throw new InvalidOperationException(
                $"AutoDL:Bootstrap:AdminApiToken is {settings.AdminApiToken.Length} characters long; use at least {ApiTokenStore.MinimumSecretLength}.");
        }

        await tokens.ImportAsync(admin.Id, BootstrapTokenName, settings.AdminApiToken, cancellationToken);
    }

    /// <summary>A password Identity's default rules accept: 24 random URL-safe characters plus one of each required class.</summary>
    private static string GeneratePassword() =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(18)).Replace('+', '-').Replace('/', '_') + "aA1!";

    private static void Check(IdentityResult result, string what)
    {
        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"Failed {what}: {string.Join(" ", result.Errors.Select(e => e.Description))}");
        }
    }
}
