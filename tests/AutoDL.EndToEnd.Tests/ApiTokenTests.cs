using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace AutoDL.EndToEnd.Tests;

public sealed class ApiTokenTests(AppFixture app) : EndToEndTest(app)
{
    [Fact]
    public Task UserCreatesAnApiTokenThatTheApiAccepts() => InBrowserAsync(async session =>
    {
        await session.SignInAsync();
        var secret = await CreateTokenAsync(session, "e2e accepted");

        using var http = new HttpClient { BaseAddress = App.BaseUrl };
        using (var me = await GetMeAsync(http, secret))
        {
            Assert.Equal(HttpStatusCode.OK, me.StatusCode);
            using var json = JsonDocument.Parse(await me.Content.ReadAsStringAsync());
            Assert.Equal(AppFixture.AdminEmail, json.RootElement.GetProperty("email").GetString());
            Assert.Contains("Admin", json.RootElement.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        }

        using (var anonymous = await GetMeAsync(http, token: null))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        }

        using (var unknown = await GetMeAsync(http, "adl_not-a-token-anyone-made"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);
        }
    });

    [Fact]
    public Task RevokingATokenOnTheProfilePageLocksItOutOfTheApi() => InBrowserAsync(async session =>
    {
        var page = session.Page;
        await session.SignInAsync();
        var secret = await CreateTokenAsync(session, "e2e revoked");
        using var http = new HttpClient { BaseAddress = App.BaseUrl };
        using (var before = await GetMeAsync(http, secret))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }

        var row = page.Locator("[data-testid=tokens] tr", new() { HasText = "e2e revoked" });
        await row.GetByRole(AriaRole.Button, new() { Name = "Revoke" }).ClickAsync();

        await Expect(row).ToHaveCountAsync(0);
        await Expect(page.Locator("[data-testid=new-token]")).ToHaveCountAsync(0);
        using var after = await GetMeAsync(http, secret);
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
    });

    [Fact]
    public async Task TheAdminTokenFromConfigurationIsAccepted()
    {
        using var http = new HttpClient { BaseAddress = App.BaseUrl };
        using var me = await GetMeAsync(http, AppFixture.AdminApiToken);

        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        using var json = JsonDocument.Parse(await me.Content.ReadAsStringAsync());
        Assert.Equal(AppFixture.AdminEmail, json.RootElement.GetProperty("email").GetString());
    }

    /// <summary>Goes to the profile page from the app bar, creates a token, and returns the secret the page shows once.</summary>
    private static async Task<string> CreateTokenAsync(BrowserSession session, string name)
    {
        var page = session.Page;
        await page.Locator("[data-testid=user-name]").ClickAsync();
        await Expect(page).ToHaveURLAsync(session.Url("/profile"));
        await Expect(page.Locator("h1")).ToHaveTextAsync("Profile");
        await Expect(page.Locator("[data-testid=profile-email]")).ToHaveTextAsync(AppFixture.AdminEmail);

        // MudTextField passes data-testid through to its <input>.
        await page.Locator("input[data-testid=token-name]").FillAsync(name);
        await page.Locator("[data-testid=create-token]").ClickAsync();

        var secret = page.Locator("[data-testid=new-token] code");
        await Expect(secret).ToHaveTextAsync(new Regex("^adl_\\S{16,}$"));
        await Expect(page.Locator("[data-testid=tokens] tr", new() { HasText = name })).ToHaveCountAsync(1);
        return (await secret.TextContentAsync())!.Trim();
    }

    private static async Task<HttpResponseMessage> GetMeAsync(HttpClient http, string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/me");
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return await http.SendAsync(request);
    }
}
