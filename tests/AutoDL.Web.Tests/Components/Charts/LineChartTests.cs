using System.Globalization;
using AutoDL.Web.Components.Charts;
using Bunit;

namespace AutoDL.Web.Tests.Components.Charts;

public sealed class LineChartTests
{
    [Fact]
    public async Task ValuesInANarrowRangeFillTheHeightOfThePlot()
    {
        await using var context = MudBunitContext.Create();

        var chart = context.Render<LineChart>(p => p
            .Add(c => c.Labels, ["#0", "#1", "#2"])
            .Add(c => c.Series, [new LineChart.Line("trial", [0.93, 0.98, 0.95])]));

        var ys = chart.FindAll("circle").Select(c => double.Parse(c.GetAttribute("cy")!, CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(3, ys.Count);
        // The plot spans y 10..216: the lowest value sits near the bottom, the highest near the top.
        Assert.InRange(ys[0], 190, 216);
        Assert.InRange(ys[1], 10, 36);
        Assert.Contains("trial at #1: 0.98", chart.Markup);
        Assert.Contains(">0.9825<", chart.Markup.Replace(" ", ""));
    }

    [Fact]
    public async Task WithFewerThanTwoPointsNothingIsDrawn()
    {
        await using var context = MudBunitContext.Create();

        var chart = context.Render<LineChart>(p => p
            .Add(c => c.Labels, ["#0"])
            .Add(c => c.Series, [new LineChart.Line("trial", [0.5])]));

        Assert.Empty(chart.FindAll("svg"));
    }
}
