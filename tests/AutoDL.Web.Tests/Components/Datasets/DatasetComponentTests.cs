using AutoDL.Core.Datasets;
using AutoDL.Jobs.Datasets;
using AutoDL.Web.Components.Datasets;
using Bunit;

namespace AutoDL.Web.Tests.Components.Datasets;

public sealed class DatasetComponentTests
{
    private static DatasetInfo Dataset(string name) => new(
        Id: "d1", Name: name, Kind: "tabular", FileName: "f.csv", Sha256: new string('a', 64), Rows: 1234, SizeBytes: 2048,
        CreatedAt: new DateTime(2026, 11, 29, 10, 0, 0, DateTimeKind.Utc),
        Columns: [new("x", "numeric", 0, 10, false), new("y", "categorical", 2, 3, false)],
        Classes: [], Warnings: [], ProfileState: "ready", ProfileProgress: 1, ProfileError: null);

    [Fact]
    public async Task TheListShowsEachDatasetWithItsSizeAndLinksToIt()
    {
        await using var context = MudBunitContext.Create();

        var list = context.Render<DatasetList>(p => p.Add(l => l.Items, [Dataset("Sales"), Dataset("Churn")]));

        var rows = list.FindAll("[data-testid=dataset-row]");
        Assert.Equal(2, rows.Count);
        Assert.Contains("Sales", rows[0].TextContent);
        Assert.Contains("1,234", rows[0].TextContent);
        Assert.Contains("2 KiB", rows[0].TextContent);
        Assert.Contains("Churn", rows[1].TextContent);
        Assert.Equal("datasets/d1", rows[0].QuerySelector("a")!.GetAttribute("href"));
    }

    [Fact]
    public async Task AnEmptyListSaysHowToAddOne()
    {
        await using var context = MudBunitContext.Create();

        var list = context.Render<DatasetList>(p => p.Add(l => l.Items, []));

        Assert.Contains("No datasets yet", list.Markup);
    }

    [Fact]
    public async Task DeletingFromTheListHandsTheDatasetToTheCallback()
    {
        await using var context = MudBunitContext.Create();
        DatasetInfo? deleted = null;

        var list = context.Render<DatasetList>(p => p
            .Add(l => l.Items, [Dataset("Sales")])
            .Add(l => l.CanDelete, true)
            .Add(l => l.OnDelete, d => deleted = d));
        await list.Find("button[aria-label='Delete Sales']").ClickAsync(new());

        Assert.Equal("Sales", deleted?.Name);
    }

    [Fact]
    public async Task AReaderWhoMayNotDeleteSeesNoDeleteButton()
    {
        await using var context = MudBunitContext.Create();

        var list = context.Render<DatasetList>(p => p.Add(l => l.Items, [Dataset("Sales")]));

        Assert.Empty(list.FindAll("button[aria-label='Delete Sales']"));
    }

    [Fact]
    public async Task ANumericColumnShowsItsStatisticsAndAHistogram()
    {
        await using var context = MudBunitContext.Create();
        var column = new ColumnProfile("age", ColumnType.Integer, 3, 1.5, 40, false,
            new NumericProfile(197, 18, 70, 41.25, 12.5, new Quantiles(18, 20, 30, 41, 52, 65, 69), true,
                [new HistogramBin(10, 40, 90), new HistogramBin(40, 70, 107)]),
            null, null);

        var view = context.Render<ColumnProfileView>(p => p.Add(v => v.Column, column));

        Assert.Contains("3 missing (1.5%)", view.Markup);
        Assert.Equal(["18", "30", "41", "52", "70", "41.25", "12.5"], view.FindAll("[data-testid=numeric-stats] td").Select(td => td.TextContent));
        Assert.NotNull(view.Find("[data-testid=histogram] svg"));
    }

    [Fact]
    public async Task ACategoricalColumnShowsItsTopValuesAndTheRest()
    {
        await using var context = MudBunitContext.Create();
        var column = new ColumnProfile("city", ColumnType.Categorical, 0, 0, 25, false, null,
            new TopValues([new ValueCount("Paris", 50), new ValueCount("Lyon", 30)], 20, true), null);

        var view = context.Render<ColumnProfileView>(p => p.Add(v => v.Column, column).Add(v => v.Title, "Class balance"));

        Assert.Contains("Class balance", view.Markup);
        Assert.Contains("Other values: 20 rows", view.Markup);
        Assert.NotNull(view.Find("[data-testid=top-values] svg"));
    }

    [Fact]
    public async Task TheHeatmapHasACellPerPairTintedByItsSign()
    {
        await using var context = MudBunitContext.Create();
        var matrix = new CorrelationMatrix(["a", "b"], [[1.0, -0.8], [-0.8, null]]);

        var heatmap = context.Render<CorrelationHeatmap>(p => p.Add(h => h.Matrix, matrix).Add(h => h.TestId, "corr"));

        var cells = heatmap.FindAll("tbody td");
        Assert.Equal(4, cells.Count);
        Assert.Contains("rgba(33,150,243", cells[0].GetAttribute("style"));
        Assert.Contains("rgba(244,67,54", cells[1].GetAttribute("style"));
        Assert.Equal("", cells[3].TextContent);
        Assert.Contains("undefined", cells[3].GetAttribute("title"));
    }
}
