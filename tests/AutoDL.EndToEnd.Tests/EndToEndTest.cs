using System.Runtime.CompilerServices;
using Microsoft.Playwright;

namespace AutoDL.EndToEnd.Tests;

/// <summary>Runs a test's steps in a fresh browser session and, when they fail, says what the page and the app saw.</summary>
[Collection(AppCollection.Name)]
public abstract class EndToEndTest(AppFixture app)
{
    protected AppFixture App { get; } = app;

    /// <summary>
    /// Runs <paramref name="steps"/> in a new browser context, then asserts the page logged no errors. A failure carries a
    /// screenshot (<c>screenshots/failed-&lt;test&gt;.png</c>), the page's errors and the tail of the app's log.
    /// </summary>
    protected async Task InBrowserAsync(Func<BrowserSession, Task> steps, [CallerMemberName] string test = "")
    {
        await using var session = await App.OpenSessionAsync();
        try
        {
            await steps(session);
            Assert.True(session.Errors.Count == 0, "The page logged errors:" + Environment.NewLine + string.Join(Environment.NewLine, session.Errors));
        }
        catch (Exception e)
        {
            string screenshot;
            try
            {
                screenshot = await session.ScreenshotAsync("failed-" + test);
            }
            catch (PlaywrightException shotFailed)
            {
                screenshot = "none: " + shotFailed.Message;
            }

            throw new EndToEndFailure(
                $"""
                {e.Message}

                Page: {session.Page.Url}
                Screenshot: {screenshot}
                Page errors: {(session.Errors.Count == 0 ? "none" : string.Join(Environment.NewLine, session.Errors))}
                The app's log (tail):
                {App.LogTail()}
                """, e);
        }
    }
}

/// <summary>A failed end-to-end test, with what the browser and the app saw.</summary>
public sealed class EndToEndFailure(string message, Exception inner) : Exception(message, inner);
