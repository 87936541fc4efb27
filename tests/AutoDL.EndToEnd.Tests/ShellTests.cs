using System.Globalization;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace AutoDL.EndToEnd.Tests;

public sealed class ShellTests(AppFixture app) : EndToEndTest(app)
{
    private static readonly (string Link, string Path, string Heading)[] Pages =
    [
        ("Datasets", "/datasets", "Datasets"),
        ("Searches", "/searches", "Searches"),
        ("Leaderboard", "/leaderboard", "Leaderboard"),
        ("Reports", "/reports", "Reports"),
        ("Admin", "/admin", "Admin"),
        ("Home", "/", "Welcome to AutoDL"),
    ];

    [Fact]
    public Task AdminSignsInAndTheShellRendersWithNavigation() => InBrowserAsync(async session =>
    {
        var page = session.Page;
        await session.SignInAsync();

        await Expect(page.Locator("[data-testid=app-title]")).ToHaveTextAsync("AutoDL");
        await Expect(page.Locator("h1")).ToHaveTextAsync("Welcome to AutoDL");
        await Expect(page.Locator("[data-testid=user-name]")).ToContainTextAsync(AppFixture.AdminEmail);
        var nav = page.Locator("[data-testid=nav]");
        await Expect(nav.GetByRole(AriaRole.Link)).ToHaveCountAsync(Pages.Length);
        foreach (var (link, _, _) in Pages)
        {
            await Expect(NavLink(nav, link)).ToBeVisibleAsync();
        }

        var shot = await session.ScreenshotAsync("shell-light");
        Assert.True(new FileInfo(shot).Length > 0, $"The screenshot {shot} is empty.");

        // Client-side navigation: a full page load would drop this marker.
        await page.EvaluateAsync("() => { window.autodlEndToEndMarker = true; }");
        foreach (var (link, path, heading) in Pages)
        {
            await NavLink(nav, link).ClickAsync();
            await Expect(page).ToHaveURLAsync(session.Url(path));
            await Expect(page.Locator("h1")).ToHaveTextAsync(heading);
            await Expect(page).ToHaveTitleAsync(heading == "Welcome to AutoDL" ? "AutoDL" : $"{heading} · AutoDL");
        }

        Assert.True(await page.EvaluateAsync<bool>("() => window.autodlEndToEndMarker === true"),
            "Navigating with the drawer reloaded the page instead of routing in the running app.");
    });

    [Fact]
    public Task ThemeToggleSwitchesToDarkMode() => InBrowserAsync(async session =>
    {
        var page = session.Page;
        await session.SignInAsync();
        var body = page.Locator("body");
        var light = await BackgroundAsync(body);
        Assert.True(Luminance(light) > 0.5, $"The light theme's background is {light}.");

        await page.Locator("[data-testid=theme-toggle]").ClickAsync();

        await Expect(body).Not.ToHaveCSSAsync("background-color", light);
        var dark = await BackgroundAsync(body);
        Assert.True(Luminance(dark) < 0.3, $"The dark theme's background is {dark}.");
        await Expect(page.Locator("[data-testid=theme-toggle]")).ToBeVisibleAsync();

        var shot = await session.ScreenshotAsync("shell-dark");
        Assert.True(new FileInfo(shot).Length > 0, $"The screenshot {shot} is empty.");

        await page.Locator("[data-testid=theme-toggle]").ClickAsync();
        await Expect(body).ToHaveCSSAsync("background-color", light);
    });

    private static ILocator NavLink(ILocator nav, string name) => nav.GetByRole(AriaRole.Link, new() { Name = name, Exact = true });

    private static Task<string> BackgroundAsync(ILocator element) =>
        element.EvaluateAsync<string>("e => getComputedStyle(e).backgroundColor");

    /// <summary>0 (black) to 1 (white), from a computed <c>rgb(r, g, b)</c> or <c>rgba(r, g, b, a)</c> colour.</summary>
    private static double Luminance(string cssColour)
    {
        var channels = cssColour[(cssColour.IndexOf('(') + 1)..cssColour.IndexOf(')')]
            .Split(',', StringSplitOptions.TrimEntries)
            .Take(3)
            .Select(c => double.Parse(c, CultureInfo.InvariantCulture))
            .ToArray();
        Assert.Equal(3, channels.Length);
        return (0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]) / 255;
    }
}
