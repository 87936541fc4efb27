using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace AutoDL.EndToEnd.Tests;

public sealed class SignInTests(AppFixture app) : EndToEndTest(app)
{
    [Fact]
    public Task AnonymousVisitorIsSentToTheLoginPage() => InBrowserAsync(async session =>
    {
        var page = session.Page;
        await page.GotoAsync("/");

        await Expect(page).ToHaveURLAsync(session.Url("/login?ReturnUrl=%2F"));
        await Expect(page.Locator("#email")).ToBeVisibleAsync();
        await Expect(page.Locator("#password")).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Sign in" })).ToBeVisibleAsync();
        await Expect(page.Locator("[data-testid=login-error]")).ToHaveCountAsync(0);
    });

    [Fact]
    public Task WrongPasswordShowsAMessageAndStaysOnLogin() => InBrowserAsync(async session =>
    {
        var page = session.Page;
        await page.GotoAsync("/login");
        await page.Locator("#email").FillAsync(AppFixture.AdminEmail);
        await page.Locator("#password").FillAsync("Not-the-password1");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();

        await Expect(page.Locator("[data-testid=login-error]")).ToHaveTextAsync("The email or password is not right.");
        await Expect(page).ToHaveURLAsync(new Regex("/login"));
        await Expect(page.Locator("#password")).ToBeVisibleAsync();
        Assert.DoesNotContain(await session.Context.CookiesAsync(), c => c.Name == "AutoDL.Auth");
    });

    [Fact]
    public Task SigningInReturnsToThePageAskedFor() => InBrowserAsync(async session =>
    {
        var page = session.Page;
        await page.GotoAsync("/leaderboard");
        await Expect(page).ToHaveURLAsync(session.Url("/login?ReturnUrl=%2Fleaderboard"));

        await page.Locator("#email").FillAsync(AppFixture.AdminEmail);
        await page.Locator("#password").FillAsync(AppFixture.AdminPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();

        await Expect(page).ToHaveURLAsync(session.Url("/leaderboard"));
        await Expect(page.Locator("h1")).ToHaveTextAsync("Leaderboard");
        await session.WaitForCircuitAsync();
    });

    [Fact]
    public Task SigningOutReturnsToTheLoginPage() => InBrowserAsync(async session =>
    {
        var page = session.Page;
        await session.SignInAsync();

        await page.Locator("[data-testid=sign-out]").ClickAsync();

        await Expect(page).ToHaveURLAsync(session.Url("/login"));
        await Expect(page.Locator("#email")).ToBeVisibleAsync();
        Assert.DoesNotContain(await session.Context.CookiesAsync(), c => c.Name == "AutoDL.Auth");

        // Signed out for real: the app sends the next visit back to the login page.
        await page.GotoAsync("/");
        await Expect(page).ToHaveURLAsync(session.Url("/login?ReturnUrl=%2F"));
    });
}
