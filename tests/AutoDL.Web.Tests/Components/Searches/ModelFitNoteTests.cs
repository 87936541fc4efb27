using AutoDL.Jobs.Models;
using AutoDL.Web.Components.Searches;
using Bunit;

namespace AutoDL.Web.Tests.Components.Searches;

public sealed class ModelFitNoteTests
{
    private static async Task<string> TextAsync(ModelFitView? fit, bool images = false, bool ensemble = false)
    {
        await using var context = MudBunitContext.Create();
        var note = context.Render<ModelFitNote>(p => p.Add(n => n.Fit, fit).Add(n => n.Images, images).Add(n => n.Ensemble, ensemble));
        return note.FindAll("[data-testid=model-fit]") is { Count: 1 } found ? found[0].TextContent.Trim() : "";
    }

    [Fact]
    public async Task AModelRefittedOnAllRowsSaysItsTestFiguresAreThoseOfTheModelFittedWithoutTheHeldOutRows()
    {
        var text = await TextAsync(new ModelFitView("all-rows", 1500, 1200, 300));

        Assert.Equal(
            "Test figures: the model fitted on 1,200 training rows, tested once on 300 held-out rows. The deployed model was then refitted on all 1,500 rows.",
            text);
    }

    [Fact]
    public async Task AModelThatKeepsTheHeldOutModelSaysTheDeployedModelIsTheOneTested()
    {
        var text = await TextAsync(new ModelFitView("training-rows", 1200, 1200, 300), ensemble: true);

        Assert.Equal(
            "Test figures: the ensemble fitted on 1,200 training rows, tested once on 300 held-out rows. The deployed ensemble is that same ensemble: it was not refitted on the held-out rows.",
            text);
    }

    [Fact]
    public async Task AnImageModelCountsImagesAndTheImagesThatChoseItsEpoch()
    {
        var text = await TextAsync(new ModelFitView("training-rows", 1150, 1150, 360, 287), images: true);

        Assert.Equal(
            "Test figures: the network trained on 1,150 training images (287 more images chose its epoch), tested once on 360 held-out images. The deployed network is that same network: it was not refitted on the held-out images.",
            text);
    }

    [Fact]
    public async Task WithoutARecordOfItsFitNothingIsClaimed()
    {
        Assert.Equal("", await TextAsync(null));
    }
}
