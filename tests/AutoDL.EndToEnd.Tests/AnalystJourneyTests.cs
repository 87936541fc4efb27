using System.Text;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace AutoDL.EndToEnd.Tests;

/// <summary>The analyst's path in a real browser: upload → profile with charts → search → winner → predict.</summary>
public sealed class AnalystJourneyTests(AppFixture app) : EndToEndTest(app)
{
    /// <summary>A small two-class table: whether a customer bought, from age, income and city.</summary>
    private static string Customers()
    {
        var random = new Random(7);
        var csv = new StringBuilder("age,income,city,bought\n");
        string[] cities = ["Paris", "Lyon", "Nice"];
        for (var i = 0; i < 160; i++)
        {
            var age = random.Next(18, 70);
            var income = random.Next(20, 120);
            var bought = income + (age / 2) + random.Next(-15, 15) > 85 ? "yes" : "no";
            csv.Append($"{age},{income},{cities[random.Next(3)]},{bought}\n");
        }

        return csv.ToString();
    }

    [Fact]
    public Task AnalystUploadsACsvSeesItsProfileRunsASearchAndPredictsWithTheWinner() => InBrowserAsync(async session =>
    {
        var page = session.Page;
        await session.SignInAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Datasets" }).ClickAsync();
        await Expect(page.Locator("h1")).ToHaveTextAsync("Datasets");
        await Expect(page.Locator("[data-testid=dataset-row]", new() { HasText = "Iris flowers (sample)" })).ToBeVisibleAsync();

        // Upload through the file input (what a drop or the picker hands to the page).
        await page.Locator("input[data-testid=dataset-name]").FillAsync("Customers e2e");
        await page.Locator("[data-testid=dataset-upload] input[type=file]").SetInputFilesAsync(new FilePayload
        {
            Name = "customers.csv", MimeType = "text/csv", Buffer = Encoding.UTF8.GetBytes(Customers()),
        });

        // The new dataset's page: its profile arrives from the background job, with charts.
        await Expect(page.Locator("[data-testid=dataset-title]")).ToHaveTextAsync("Customers e2e", new() { Timeout = 30_000 });
        await Expect(page.Locator("[data-testid=dataset-summary]")).ToContainTextAsync("160 rows × 4 columns");
        await Expect(page.Locator("[data-testid=columns] [data-testid=column-row]")).ToHaveCountAsync(4, new() { Timeout = 30_000 });
        await Expect(page.Locator("[data-testid=histogram] svg")).ToBeVisibleAsync();
        await Expect(page.Locator("[data-testid=preview] tbody tr")).ToHaveCountAsync(20);
        await Expect(page.Locator("[data-testid=target-associations]")).ToContainTextAsync("Association with 'bought'");
        await session.ScreenshotAsync("dataset-profile");

        // Start a small search on the chosen target.
        await page.Locator("input[data-testid=search-trials]").FillAsync("4");
        await page.Locator("[data-testid=start-search-button]").ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/searches/[0-9a-f]{32}$"));
        await Expect(page.Locator("[data-testid=search-status]")).ToHaveTextAsync("completed", new() { Timeout = 120_000 });
        await Expect(page.Locator("[data-testid=trial-row]")).ToHaveCountAsync(4);
        await Expect(page.Locator("[data-testid=best-model-link]")).ToBeVisibleAsync(new() { Timeout = 60_000 });
        await session.ScreenshotAsync("search-completed");

        // The winner: tested once on held-out rows, downloadable, and it predicts.
        await page.Locator("[data-testid=best-model-link]").ClickAsync();
        await Expect(page.Locator("[data-testid=test-metrics]")).ToContainTextAsync("Accuracy");
        await Expect(page.Locator("[data-testid=confusion-matrix] td")).ToHaveCountAsync(4);
        await Expect(page.Locator("[data-testid=roc-curve] svg")).ToBeVisibleAsync();
        await Expect(page.Locator("[data-testid=roc-curve]")).ToContainTextAsync("AUC");
        await Expect(page.Locator("[data-testid=pr-curve] svg")).ToBeVisibleAsync();
        await page.Locator("input[data-testid=input-age]").FillAsync("45");
        await page.Locator("input[data-testid=input-income]").FillAsync("110");
        await page.Locator("input[data-testid=input-city]").FillAsync("Paris");
        await page.Locator("[data-testid=predict-button]").ClickAsync();
        await Expect(page.Locator("[data-testid=prediction]")).ToContainTextAsync("Predicted");
        await page.Locator("input[data-testid=input-age]").FillAsync("forty");
        await page.Locator("[data-testid=predict-button]").ClickAsync();
        await Expect(page.Locator("[data-testid=predict-error]")).ToContainTextAsync("age");
        await session.ScreenshotAsync("model");

        var download = await page.RunAndWaitForDownloadAsync(() => page.Locator("[data-testid=download-model]").ClickAsync());
        var path = await download.PathAsync();
        Assert.True(new FileInfo(path!).Length > 1000, "The downloaded model is empty.");

        await page.GetByRole(AriaRole.Link, new() { Name = "Leaderboard" }).ClickAsync();
        await Expect(page.Locator("[data-testid=models] tbody tr").First).ToBeVisibleAsync();
    });

    [Fact]
    public Task ABadFileIsRefusedWithAMessageNamingTheRowAndNothingIsStored() => InBrowserAsync(async session =>
    {
        var page = session.Page;
        await session.SignInAsync();
        await page.GotoAsync("/datasets");
        await session.WaitForCircuitAsync();
        var before = await page.Locator("[data-testid=dataset-row]").CountAsync();

        await page.Locator("[data-testid=dataset-upload] input[type=file]").SetInputFilesAsync(new FilePayload
        {
            Name = "ragged.csv", MimeType = "text/csv", Buffer = Encoding.UTF8.GetBytes("a,b,c\n1,2,3\n4,5\n"),
        });

        await Expect(page.Locator("[data-testid=upload-error]")).ToContainTextAsync("row 2 (line 3)");
        await Expect(page.Locator("[data-testid=upload-error]")).ToContainTextAsync("'ragged.csv'");
        await Expect(page.Locator("[data-testid=dataset-row]")).ToHaveCountAsync(before);
    });
}
