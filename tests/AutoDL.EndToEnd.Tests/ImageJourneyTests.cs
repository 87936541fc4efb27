using System.IO.Compression;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace AutoDL.EndToEnd.Tests;

/// <summary>The image path in a real browser: a zip of class folders → an image search → the network's card → try an image.</summary>
public sealed class ImageJourneyTests(AppFixture app) : EndToEndTest(app)
{
    /// <summary>The repository's 8×8 digit images, one folder per class.</summary>
    private static string DigitsZip()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            var zip = Path.Combine(folder.FullName, "samples", "digits-images.zip");
            if (File.Exists(zip))
            {
                return zip;
            }
        }

        throw new FileNotFoundException("samples/digits-images.zip is not above the test's folder.");
    }

    private static byte[] FirstImageOf(string zipPath, string folder)
    {
        using var zip = ZipFile.OpenRead(zipPath);
        using var stream = zip.Entries.First(e => e.FullName.StartsWith(folder + "/", StringComparison.Ordinal) && e.Name.EndsWith(".png", StringComparison.Ordinal)).Open();
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return buffer.ToArray();
    }

    [Fact]
    public Task AnalystSearchesAnImageDatasetReadsTheNetworksCardAndClassifiesAnImage() => InBrowserAsync(async session =>
    {
        var page = session.Page;
        var zip = DigitsZip();
        await session.SignInAsync();
        await page.GotoAsync("/datasets");
        await session.WaitForCircuitAsync();
        await page.Locator("[data-testid=dataset-upload] input[type=file]").SetInputFilesAsync(new FilePayload
        {
            Name = "digits-images.zip", MimeType = "application/zip", Buffer = await File.ReadAllBytesAsync(zip),
        });

        // The image dataset's page offers the image search: no target, the CNN, a device.
        await Expect(page.Locator("[data-testid=dataset-summary]")).ToContainTextAsync("images in 10 classes", new() { Timeout = 60_000 });
        await Expect(page.Locator("[data-testid=search-summary]")).ToContainTextAsync("Classify each image");
        await Expect(page.Locator("[data-testid=target-select]")).ToHaveCountAsync(0);
        await Expect(page.Locator("[data-testid=search-learners]")).ToContainTextAsync("CNN");
        await Expect(page.Locator("[data-testid=search-device]")).ToBeVisibleAsync();
        await page.Locator("input[data-testid=search-trials]").FillAsync("1");
        await page.Locator("input[data-testid=search-seed]").FillAsync("3");
        await page.Locator("[data-testid=start-search-button]").ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/searches/[0-9a-f]{32}$"));
        await Expect(page.Locator("h1")).ToHaveTextAsync("Classifying images");
        await Expect(page.Locator("[data-testid=search-status]")).ToHaveTextAsync("completed", new() { Timeout = 300_000 });
        await Expect(page.Locator("[data-testid=best-model-link]")).ToBeVisibleAsync(new() { Timeout = 180_000 });

        // The winner's card: totals, layers, curves per epoch, the confusion matrix; no row form.
        await page.Locator("[data-testid=best-model-link]").ClickAsync();
        await Expect(page.Locator("[data-testid=card-parameters]")).ToBeVisibleAsync();
        await Expect(page.Locator("[data-testid=card-layer]").First).ToBeVisibleAsync();
        await Expect(page.Locator("[data-testid=epoch-losses] polyline")).ToHaveCountAsync(2);
        await Expect(page.Locator("[data-testid=confusion-matrix] td")).ToHaveCountAsync(100);
        await Expect(page.Locator("[data-testid=predict-form]")).ToHaveCountAsync(0);
        await session.ScreenshotAsync("image-model");

        // Try an image: a digit from the zip, then a file that is no image.
        await page.Locator("[data-testid=try-image] input[type=file]").SetInputFilesAsync(new FilePayload
        {
            Name = "seven.png", MimeType = "image/png", Buffer = FirstImageOf(zip, "d7"),
        });
        await Expect(page.Locator("[data-testid=try-image-prediction]")).ToContainTextAsync("Predicted");
        await Expect(page.Locator("[data-testid=try-image-preview]")).ToBeVisibleAsync();
        await Expect(page.Locator("[data-testid=try-image-probabilities] [data-testid=score-bar]")).ToHaveCountAsync(10);
        // MudFileUpload adds a fresh input after each file; the last one takes the next.
        await page.Locator("[data-testid=try-image] input[type=file]").Last.SetInputFilesAsync(new FilePayload
        {
            Name = "notes.txt", MimeType = "text/plain", Buffer = "not an image"u8.ToArray(),
        });
        await Expect(page.Locator("[data-testid=try-image-error]")).ToContainTextAsync("'notes.txt' could not be read as an image");
        await session.ScreenshotAsync("image-try");
    });
}
