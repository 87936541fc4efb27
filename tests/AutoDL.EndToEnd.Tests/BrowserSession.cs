using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace AutoDL.EndToEnd.Tests;

/// <summary>One test's browser: its own context (so its own cookies) and page, and the errors the page logged.</summary>
public sealed class BrowserSession : IAsyncDisposable
{
    private readonly List<string> _errors = [];

    private BrowserSession(Uri baseUrl, IBrowserContext context, IPage page)
    {
        BaseUrl = baseUrl;
        Context = context;
        Page = page;
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                lock (_errors)
                {
                    _errors.Add($"console error: {message.Text} ({message.Location})");
                }
            }
        };
        page.PageError += (_, error) =>
        {
            lock (_errors)
            {
                _errors.Add($"uncaught: {error}");
            }
        };
    }

    public Uri BaseUrl { get; }

    public IBrowserContext Context { get; }

    public IPage Page { get; }

    /// <summary>The errors the page logged to its console, or threw, so far.</summary>
    public IReadOnlyList<string> Errors
    {
        get
        {
            lock (_errors)
            {
                return [.. _errors];
            }
        }
    }

    public static async Task<BrowserSession> OpenAsync(IBrowser browser, Uri baseUrl)
    {
        var context = await browser.NewContextAsync(new()
        {
            BaseURL = baseUrl.ToString(),
            // Wide enough that MudBlazor's responsive drawer stays open beside the content.
            ViewportSize = new() { Width = 1280, Height = 800 },
        });
        context.SetDefaultTimeout(15_000);
        return new BrowserSession(baseUrl, context, await context.NewPageAsync());
    }

    /// <summary>Signs in on the static login page and waits until the interactive shell is live.</summary>
    public async Task SignInAsync(string email = AppFixture.AdminEmail, string password = AppFixture.AdminPassword)
    {
        await Page.GotoAsync("/login");
        await Page.Locator("#email").FillAsync(email);
        await Page.Locator("#password").FillAsync(password);
        await Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(Page).ToHaveURLAsync(Url("/"));
        await WaitForCircuitAsync();
    }

    /// <summary>The absolute address of a path on the app, as the browser shows it.</summary>
    public string Url(string path) => new Uri(BaseUrl, path).ToString();

    /// <summary>
    /// Waits until the Blazor circuit has rendered the shell: until then the page is prerendered HTML and clicks do nothing.
    /// MainLayout marks its root with <c>data-interactive="true"</c> on its first interactive render.
    /// </summary>
    public Task WaitForCircuitAsync() => Expect(Page.Locator(".mud-layout[data-interactive=true]")).ToBeAttachedAsync();

    /// <summary>Saves a full-page screenshot under <see cref="AppFixture.ScreenshotDirectory"/> and returns its path.</summary>
    public async Task<string> ScreenshotAsync(string name)
    {
        var path = Path.Combine(AppFixture.ScreenshotDirectory, name + ".png");
        await Page.ScreenshotAsync(new() { Path = path, FullPage = true });
        return path;
    }

    public async ValueTask DisposeAsync() => await Context.DisposeAsync();
}
