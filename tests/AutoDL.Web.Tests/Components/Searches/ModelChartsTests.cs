using System.Text.Json;
using AutoDL.Jobs.Models;
using AutoDL.Learners.Tabular;
using AutoDL.Web.Components.Searches;
using Bunit;

namespace AutoDL.Web.Tests.Components.Searches;

public sealed class ModelChartsTests
{
    private static readonly int[] Truth = [0, 0, 1, 1, 0, 1, 0, 1, 1, 0, 1, 0];
    private static readonly double[] Scores = [0.1, 0.4, 0.35, 0.8, 0.4, 0.9, 0.2, 0.35, 0.6, 0.7, 0.55, 0.05];

    private static TabularEvaluation Binary() => TabularEvaluation.ForClasses(
        TabularTask.Binary, ["no", "yes"], Truth, [.. Scores.Select(s => s >= 0.5 ? 1 : 0)], [.. Scores.Select(s => new[] { 1 - s, s })], Scores, curves: true);

    [Fact]
    public async Task ABinaryModelShowsItsRocCurveWithTheDiagonalAndAucAndItsPrecisionRecallCurveWithAveragePrecision()
    {
        await using var context = MudBunitContext.Create();

        var charts = context.Render<ModelCharts>(p => p.Add(c => c.Evaluation, Binary()));

        var roc = charts.Find("[data-testid=roc-curve]");
        Assert.Contains("ROC curve, AUC 0.778", roc.TextContent);
        Assert.Single(roc.QuerySelectorAll("polyline"));
        Assert.NotNull(roc.QuerySelector("[data-testid=diagonal]"));
        Assert.Equal(8, roc.QuerySelectorAll("circle").Length);
        Assert.Contains("probability ≥ 0.55", roc.InnerHtml);
        var pr = charts.Find("[data-testid=pr-curve]");
        Assert.Contains("average precision 0.814", pr.TextContent);
        Assert.Equal(2, pr.QuerySelectorAll("polyline").Length);
        Assert.Contains("chance (precision 0.5)", pr.TextContent);
        Assert.Empty(charts.FindAll("[data-testid=curve-class]"));
        Assert.Contains("'yes' against 'no' on 12 test rows", charts.Markup);
    }

    [Fact]
    public async Task AMulticlassModelShowsOneClassAgainstTheRestAtATimeAndAButtonPicksAnother()
    {
        await using var context = MudBunitContext.Create();
        int[] truth = [0, 1, 2, 2, 1, 0, 2, 1, 0, 2];
        double[][] probabilities =
        [
            [.7, .2, .1], [.2, .5, .3], [.1, .3, .6], [.3, .3, .4], [.3, .4, .3],
            [.5, .4, .1], [.2, .2, .6], [.4, .4, .2], [.6, .1, .3], [.2, .5, .3],
        ];
        var evaluation = TabularEvaluation.ForClasses(
            TabularTask.Multiclass, ["a", "b", "c"], truth, [.. probabilities.Select(p => Array.IndexOf(p, p.Max()))], probabilities, curves: true);

        var charts = context.Render<ModelCharts>(p => p.Add(c => c.Evaluation, evaluation));

        var buttons = charts.FindAll("[data-testid=curve-class]");
        Assert.Equal(["a", "b", "c"], buttons.Select(b => b.TextContent.Trim()));
        Assert.Contains("AUC 1", charts.Find("[data-testid=roc-curve]").TextContent);
        Assert.Equal("true", buttons[0].GetAttribute("aria-pressed"));

        buttons[1].Click();

        Assert.Contains("ROC curve, AUC 0.833", charts.Find("[data-testid=roc-curve]").TextContent);
        Assert.Contains("average precision 0.567", charts.Find("[data-testid=pr-curve]").TextContent);
        Assert.Contains("'b' against the other classes", charts.Markup);
        Assert.Equal("true", charts.FindAll("[data-testid=curve-class]")[1].GetAttribute("aria-pressed"));
    }

    [Fact]
    public async Task ARegressionModelShowsPredictedAgainstActualWithTheIdentityLineAndTheResidualHistogram()
    {
        await using var context = MudBunitContext.Create();
        var evaluation = TabularEvaluation.ForNumbers([3, 1, 4, 1, 5, 9, 2, 6], [2.5, 1.5, 4, 0, 6, 7, 2, 6.5], residuals: true);

        var charts = context.Render<ModelCharts>(p => p.Add(c => c.Evaluation, evaluation));

        var scatter = charts.Find("[data-testid=predicted-vs-actual]");
        Assert.Equal(8, scatter.QuerySelectorAll("circle").Length);
        Assert.NotNull(scatter.QuerySelector("[data-testid=diagonal]"));
        Assert.Contains("test row: Actual 9, Predicted 7", scatter.InnerHtml);
        Assert.NotNull(charts.Find("[data-testid=residual-histogram]"));
        Assert.Contains("Median 0, half of the rows between -0.5 and 0.625", charts.Find("[data-testid=residual-summary]").TextContent);
        Assert.Empty(charts.FindAll("[data-testid=scatter-sample]"));
    }

    [Theory]
    [InlineData("""{"task":"binary","rows":4,"classification":{"classes":["no","yes"],"accuracy":0.75,"balancedAccuracy":0.75,"macroF1":0.73,"auc":0.75,"logLoss":0.5,"perClass":[],"confusionMatrix":[[2,0],[1,1]]},"regression":null}""")]
    [InlineData("""{"task":"regression","rows":3,"classification":null,"regression":{"rmse":1.5,"mae":1.2,"rSquared":"NaN"}}""")]
    public async Task ATestStoredBeforeCurvesAndResidualsShowsWithoutChartsAndSaysWhy(string stored)
    {
        await using var context = MudBunitContext.Create();
        var evaluation = JsonSerializer.Deserialize<TabularEvaluation>(stored, ModelJson.Options)!;

        var charts = context.Render<ModelCharts>(p => p.Add(c => c.Evaluation, evaluation));

        Assert.Empty(charts.FindAll("svg"));
        Assert.Contains("stored before", charts.Find("[data-testid=no-curves]").TextContent);
    }

    [Fact]
    public async Task ATestOfOneClassSaysWhyItHasNoCurves()
    {
        await using var context = MudBunitContext.Create();
        var evaluation = TabularEvaluation.ForClasses(TabularTask.Binary, ["no", "yes"], [1, 1], [1, 0], [[0.2, 0.8], [0.6, 0.4]], [0.8, 0.4], curves: true);

        var charts = context.Render<ModelCharts>(p => p.Add(c => c.Evaluation, evaluation));

        Assert.Empty(charts.FindAll("svg"));
        Assert.Contains("one class only", charts.Find("[data-testid=no-curves]").TextContent);
    }

    [Fact]
    public async Task AnImageModelsChartsSpeakOfTestImagesNotRows()
    {
        await using var context = MudBunitContext.Create();

        var charts = context.Render<ModelCharts>(p => p.Add(c => c.Evaluation, Binary()).Add(c => c.Unit, "image"));

        Assert.Contains("'yes' against 'no' on 12 test images", charts.Markup);
        Assert.Contains("no image predicted as the class", charts.Find("[data-testid=roc-curve]").InnerHtml);
    }
}
