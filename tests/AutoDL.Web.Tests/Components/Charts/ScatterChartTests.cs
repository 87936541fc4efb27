using System.Globalization;
using AutoDL.Web.Components.Charts;
using Bunit;

namespace AutoDL.Web.Tests.Components.Charts;

public sealed class ScatterChartTests
{
    [Fact]
    public async Task DotsArePlacedOnTheAxesRangeWithTheirValuesInTooltipsAndTheAxesNamed()
    {
        await using var context = MudBunitContext.Create();

        var chart = context.Render<ScatterChart>(p => p
            .Add(c => c.Series, [new ScatterChart.PointSeries("row", [new(0, 0), new(1, 1), new(0.5, 0.25)])])
            .Add(c => c.XLabel, "Actual")
            .Add(c => c.YLabel, "Predicted")
            .Add(c => c.XRange, (0, 1))
            .Add(c => c.YRange, (0, 1))
            .Add(c => c.Title, "Predicted against actual"));

        var circles = chart.FindAll("circle");
        Assert.Equal(3, circles.Count);
        double Attribute(int i, string name) => double.Parse(circles[i].GetAttribute(name)!, CultureInfo.InvariantCulture);
        // The plot spans x 56..406 and y 10..300 (420 × 340 less the margins): (0, 0) bottom left, (1, 1) top right.
        Assert.Equal((56, 300), (Attribute(0, "cx"), Attribute(0, "cy")));
        Assert.Equal((406, 10), (Attribute(1, "cx"), Attribute(1, "cy")));
        Assert.Equal((231, 227.5), (Attribute(2, "cx"), Attribute(2, "cy")));
        Assert.Contains("row: Actual 0.5, Predicted 0.25", chart.Markup);
        Assert.Equal("Predicted against actual", chart.Find("svg").GetAttribute("aria-label"));
        Assert.Equal("Actual", chart.Find("text[data-axis=x]").TextContent);
        Assert.Equal("Predicted", chart.Find("text[data-axis=y]").TextContent);
        Assert.Empty(chart.FindAll("[data-testid=diagonal]"));
    }

    [Fact]
    public async Task AJoinedSeriesIsOneLineAndTheDiagonalRunsWhereBothRangesMeet()
    {
        await using var context = MudBunitContext.Create();

        var chart = context.Render<ScatterChart>(p => p
            .Add(c => c.Series, [new ScatterChart.PointSeries("roc", [new(0, 0, "first"), new(0.2, 0.7), new(1, 1)], Joined: true)])
            .Add(c => c.XLabel, "False positive rate")
            .Add(c => c.YLabel, "True positive rate")
            .Add(c => c.XRange, (0, 1))
            .Add(c => c.YRange, (0, 1))
            .Add(c => c.Diagonal, true)
            .Add(c => c.DiagonalLabel, "chance"));

        Assert.Equal("56,300 126,97 406,10", chart.Find("polyline").GetAttribute("points"));
        // Only labelled points of a line are dots.
        Assert.Contains("first", Assert.Single(chart.FindAll("circle")).TextContent);
        var diagonal = chart.Find("[data-testid=diagonal]");
        Assert.Equal(("56", "300", "406", "10"), (diagonal.GetAttribute("x1"), diagonal.GetAttribute("y1"), diagonal.GetAttribute("x2"), diagonal.GetAttribute("y2")));
        Assert.Contains("chance", chart.Markup);
    }

    [Fact]
    public async Task WithoutFinitePointsNothingIsDrawn()
    {
        await using var context = MudBunitContext.Create();

        var chart = context.Render<ScatterChart>(p => p
            .Add(c => c.Series, [new ScatterChart.PointSeries("row", [new(double.NaN, 1)])])
            .Add(c => c.XLabel, "x")
            .Add(c => c.YLabel, "y"));

        Assert.Empty(chart.FindAll("svg"));
    }
}
