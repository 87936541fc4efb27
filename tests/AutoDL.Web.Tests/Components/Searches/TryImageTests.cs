using AutoDL.Jobs.Models;
using AutoDL.Web.Components.Searches;
using Bunit;
using Microsoft.AspNetCore.Components.Forms;

namespace AutoDL.Web.Tests.Components.Searches;

public sealed class TryImageTests
{
    private static readonly byte[] Png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3];

    [Fact]
    public async Task AnUploadedImageShowsItsPreviewThePredictedClassAndEachClasssProbability()
    {
        await using var context = MudBunitContext.Create();
        byte[]? sent = null;
        var view = context.Render<TryImage>(p => p
            .Add(t => t.ModelId, "m1")
            .Add(t => t.Predict, bytes =>
            {
                sent = bytes;
                return Task.FromResult(ModelResult<IReadOnlyList<PredictionView>>.Ok(
                    [new PredictionView("7", 0.9, new Dictionary<string, double> { ["1"] = 0.08, ["7"] = 0.9, ["9"] = 0.02 }, null)]));
            }));

        view.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromBinary(Png, "seven.png", contentType: "image/png"));

        view.WaitForAssertion(() => Assert.Contains("Predicted 7", view.Find("[data-testid=try-image-prediction]").TextContent));
        Assert.Equal(Png, sent);
        Assert.Equal($"data:image/png;base64,{Convert.ToBase64String(Png)}", view.Find("[data-testid=try-image-preview]").GetAttribute("src"));
        var bars = view.FindAll("[data-testid=score-bar]");
        Assert.Equal(["7", "1", "9"], bars.Select(b => b.QuerySelector("span")!.TextContent));
        Assert.Empty(view.FindAll("[data-testid=try-image-error]"));
    }

    [Fact]
    public async Task AFileThatIsNotAnImageGetsASentenceSayingSoAndNoPrediction()
    {
        await using var context = MudBunitContext.Create();
        var view = context.Render<TryImage>(p => p
            .Add(t => t.ModelId, "m1")
            .Add(t => t.Predict, _ => Task.FromResult(ModelResult<IReadOnlyList<PredictionView>>.Invalid(
                "Row 0, column 'image': the image cannot be decoded: it is not a PNG, JPEG, BMP, GIF or WebP image, or it is damaged.",
                new Dictionary<string, string[]> { ["rows[0].image"] = ["Row 0, column 'image': the image cannot be decoded: it is not a PNG, JPEG, BMP, GIF or WebP image, or it is damaged."] }))));

        view.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromText("hello", "notes.txt", contentType: "text/plain"));

        view.WaitForAssertion(() => Assert.Equal(
            "'notes.txt' could not be read as an image: it is not a PNG, JPEG, BMP, GIF or WebP image, or it is damaged.",
            view.Find("[data-testid=try-image-error]").TextContent.Trim()));
        Assert.Empty(view.FindAll("[data-testid=try-image-prediction]"));
        Assert.Empty(view.FindAll("[data-testid=try-image-preview]"));
    }
}
