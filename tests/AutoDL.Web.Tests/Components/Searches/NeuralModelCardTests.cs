using AutoDL.Jobs.Models;
using AutoDL.Learners.Neural;
using AutoDL.Web.Components.Searches;
using Bunit;

namespace AutoDL.Web.Tests.Components.Searches;

public sealed class NeuralModelCardTests
{
    private static NeuralModelCard Card(IReadOnlyList<NeuralCardImage>? misclassified = null) => new(
        Learner: "cnn",
        InputShape: [1, 8, 8],
        Layers:
        [
            new LayerSummary("0", "Conv2d 1→16, 3×3", [16, 8, 8], 160, 9216),
            new LayerSummary("1", "Residual block", [16, 8, 8], 4640, 294912),
            new LayerSummary("1.body.0", "Conv2d 16→16, 3×3", [16, 8, 8], 2320, 147456),
            new LayerSummary("2", "Linear 1024→10", [10], 10250, 10240),
        ],
        Parameters: 15050,
        MultiplyAdds: 314368,
        LatencyMilliseconds: 0.42,
        BestEpoch: 1,
        LoadShare: 0.125,
        Epochs:
        [
            new EpochRecord(0, 1.9, 0.61, 1.2, 0.5, 0.05),
            new EpochRecord(1, 0.8, 0.93, 0.4, 0.5, 0.05),
            new EpochRecord(2, 0.5, 0.92, 0.45, 0.5, 0.05),
        ],
        Misclassified: misclassified ??
        [
            new NeuralCardImage("0.png", "3", "8", 0.61),
            new NeuralCardImage("1.png", "9", "4", 0.87),
        ],
        TrainImages: 1150,
        ValidationImages: 287,
        TestImages: 360);

    [Fact]
    public async Task TheCardShowsTheLayersWithResidualBodiesIndentedAndTheTotals()
    {
        await using var context = MudBunitContext.Create();

        var view = context.Render<NeuralModelCardView>(p => p.Add(v => v.ModelId, "m1").Add(v => v.Card, Card()).Add(v => v.Metric, "accuracy"));

        var layers = view.FindAll("[data-testid=card-layer]");
        Assert.Equal(4, layers.Count);
        Assert.Equal(["1.body.0", "Conv2d 16→16, 3×3", "16 × 8 × 8", "2,320", "147,456"], layers[2].QuerySelectorAll("td").Select(td => td.TextContent.Trim()));
        Assert.Contains("padding-left:8px", layers[1].QuerySelector("td")!.GetAttribute("style"));
        Assert.Contains("padding-left:28px", layers[2].QuerySelector("td")!.GetAttribute("style"));
        Assert.Equal("15,050", view.Find("[data-testid=card-parameters]").TextContent);
        Assert.Equal("314,368", view.Find("[data-testid=card-macs]").TextContent);
        Assert.Equal("0.42 ms", view.Find("[data-testid=card-latency]").TextContent);
        Assert.Equal("1,150 / 287 / 360", view.Find("[data-testid=card-images]").TextContent);
        Assert.Equal("2 of 3", view.Find("[data-testid=card-best-epoch]").TextContent);
        Assert.Equal("12.5%", view.Find("[data-testid=card-load-share]").TextContent);
        Assert.Contains("1 × 8 × 8", view.Find("[data-testid=card-totals]").TextContent);
    }

    [Fact]
    public async Task TheCardDrawsTrainAndValidationLossAndTheValidationScorePerEpochCountedFromOne()
    {
        await using var context = MudBunitContext.Create();

        var view = context.Render<NeuralModelCardView>(p => p.Add(v => v.ModelId, "m1").Add(v => v.Card, Card()).Add(v => v.Metric, "macro_f1"));

        var losses = view.Find("[data-testid=epoch-losses]");
        Assert.Equal(2, losses.QuerySelectorAll("polyline").Length);
        Assert.Equal(6, losses.QuerySelectorAll("circle").Length);
        Assert.Contains("train loss at 1: 1.9", losses.InnerHtml);
        Assert.Contains("validation loss at 3: 0.45", losses.InnerHtml);
        var scores = view.Find("[data-testid=epoch-scores]");
        Assert.Contains("Validation macro f1 per epoch", scores.TextContent);
        Assert.Single(scores.QuerySelectorAll("polyline"));
        Assert.Contains("validation macro f1 at 2: 0.93", scores.InnerHtml);
    }

    [Fact]
    public async Task TheCardShowsTheMisclassifiedTestImagesMostConfidentFirstWithTheirClasses()
    {
        await using var context = MudBunitContext.Create();

        var view = context.Render<NeuralModelCardView>(p => p.Add(v => v.ModelId, "m1").Add(v => v.Card, Card()));

        var images = view.FindAll("[data-testid=misclassified-image]");
        Assert.Equal(2, images.Count);
        Assert.Equal("api/v1/models/m1/misclassified/1.png", images[0].QuerySelector("img")!.GetAttribute("src"));
        Assert.Equal("true: 9, predicted: 4 (87%)", images[0].QuerySelector("figcaption")!.TextContent.Trim());
        Assert.Equal("true: 3, predicted: 8 (61%)", images[1].QuerySelector("figcaption")!.TextContent.Trim());
    }

    [Fact]
    public async Task AModelThatGotEveryTestImageRightSaysSo()
    {
        await using var context = MudBunitContext.Create();

        var view = context.Render<NeuralModelCardView>(p => p.Add(v => v.ModelId, "m1").Add(v => v.Card, Card([])));

        Assert.Empty(view.FindAll("[data-testid=misclassified-image]"));
        Assert.Contains("every test image was classified correctly", view.Find("[data-testid=misclassified-none]").TextContent);
    }
}
