using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using AutoDL.Data.Identity;
using AutoDL.Data.Tokens;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace AutoDL.Web.Tests;

/// <summary>
/// The real web app on a fresh data folder, with a known Admin password and bootstrap token: on SQLite, unless
/// <see cref="Settings"/> says otherwise (distributed mode's tests put it on PostgreSQL).
/// </summary>
public sealed partial class AutoDLWebFactory : WebApplicationFactory<Program>
{
    public const string AdminEmail = "admin@example.com";
    public const string AdminPassword = "Correct-Horse-42";
    public const string AdminToken = "adl_bootstrap-token-for-tests-0123456789";

    /// <summary>Small, so the size limit can be tested without gigabytes (the samples fit).</summary>
    public const long MaxUploadBytes = 2 * 1024 * 1024;

    public string DataRoot { get; } = Directory.CreateTempSubdirectory("autodl-web-").FullName;

    /// <summary>More configuration, over the defaults below (e.g. <c>AutoDL:Database:Provider</c>).</summary>
    public IReadOnlyDictionary<string, string> Settings { get; init; } = new Dictionary<string, string>();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("AutoDL:DataRoot", DataRoot);
        builder.UseSetting("AutoDL:Hangfire:WorkerCount", "1");
        builder.UseSetting("AutoDL:Bootstrap:AdminEmail", AdminEmail);
        builder.UseSetting("AutoDL:Bootstrap:AdminPassword", AdminPassword);
        builder.UseSetting("AutoDL:Bootstrap:AdminApiToken", AdminToken);
        builder.UseSetting("AutoDL:Datasets:MaxUploadBytes", MaxUploadBytes.ToString(System.Globalization.CultureInfo.InvariantCulture));
        foreach (var (key, value) in Settings)
        {
            builder.UseSetting(key, value);
        }
    }

    public HttpClient CreateClientWithToken(string token)
    {
        var client = CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>Uploads a CSV through <c>POST /api/v1/datasets</c>, as the Admin; returns the dataset's id (the same bytes give the same one).</summary>
    public async Task<string> UploadCsvAsync(string fileName, string csv)
    {
        using var form = new MultipartFormDataContent { { new StringContent(csv), "file", fileName } };
        var response = await CreateClientWithToken(AdminToken).PostAsync("/api/v1/datasets", form);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"Uploading {fileName} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }

        using var dataset = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return dataset.RootElement.GetProperty("id").GetString()!;
    }

    /// <summary>The iris sample's id (uploading its bytes finds the sample added on the first start).</summary>
    public async Task<string> IrisAsync() =>
        await UploadCsvAsync("iris.csv", await File.ReadAllTextAsync(Path.Combine(AutoDL.Jobs.Hosting.AutoDLPaths.LocateContentRoot(), "samples", "iris.csv")));

    /// <summary>Polls <c>GET /api/v1/searches/{id}</c> until the search ends (3 minutes at most) and checks it completed.</summary>
    public static async Task<System.Text.Json.JsonElement> WaitForSearchEndAsync(HttpClient client, string id)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        while (true)
        {
            var search = await System.Net.Http.Json.HttpClientJsonExtensions.GetFromJsonAsync<System.Text.Json.JsonElement>(client, $"/api/v1/searches/{id}", timeout.Token);
            if (search.GetProperty("status").GetString() is "completed" or "failed" or "cancelled")
            {
                Assert.True(search.GetProperty("status").GetString() == "completed", search.GetProperty("error").ToString());
                return search;
            }

            await Task.Delay(200, timeout.Token);
        }
    }

    public HttpClient CreateAnonymousClient() => CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

    /// <summary>Signs in through the login form, as a browser does; the returned client carries the cookie.</summary>
    public async Task<HttpClient> SignInAsync(string email, string password)
    {
        var client = CreateAnonymousClient();
        var page = await client.GetStringAsync("/login");
        var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "login",
            ["__RequestVerificationToken"] = AntiforgeryField().Match(page).Groups[1].Value,
            ["Input.Email"] = email,
            ["Input.Password"] = password,
        });
        var response = await client.PostAsync("/login", form);
        if (response.StatusCode != HttpStatusCode.Redirect)
        {
            throw new InvalidOperationException($"Signing in as {email} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }

        return client;
    }

    /// <summary>A user with one role and an API token; returns the token's secret.</summary>
    public async Task<string> CreateUserWithTokenAsync(string email, string role)
    {
        await using var scope = Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        var user = new AppUser { UserName = email, Email = email, EmailConfirmed = true };
        Check(await users.CreateAsync(user, AdminPassword));
        Check(await users.AddToRoleAsync(user, role));
        var created = await scope.ServiceProvider.GetRequiredService<ApiTokenStore>().CreateAsync(user.Id, "test", CancellationToken.None);
        return created.Secret;
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        try
        {
            Directory.Delete(DataRoot, recursive: true);
        }
        catch (IOException)
        {
            // SQLite may hold a file a moment longer; temp folders are cleaned by the OS.
        }
    }

    private static void Check(IdentityResult result)
    {
        if (!result.Succeeded)
        {
            throw new InvalidOperationException(string.Join(" ", result.Errors.Select(e => e.Description)));
        }
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();
}

/// <summary>One app for the whole assembly: Hangfire keeps its storage in a static, so apps must not run side by side.</summary>
[CollectionDefinition(Name)]
public sealed class WebAppCollection : ICollectionFixture<AutoDLWebFactory>
{
    public const string Name = "web app";
}
