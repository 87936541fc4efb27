using System.Globalization;
using AutoDL.Jobs.Searches;
using AutoDL.Web.Auth;
using AutoDL.Web.Components.Searches;
using Bunit;

namespace AutoDL.Web.Tests.Components.Searches;

public sealed class ParetoFrontViewTests
{
    private static readonly Dictionary<string, object> Net = new() { ["learner"] = "cnn", ["cnn.depth"] = 2, ["cnn.lr"] = 0.00123456 };

    // Trials 1 and 2 trade accuracy for latency and size; 3 and 4 are beaten by 1; 5 was pruned.
    private static readonly ParetoFront Front = new(
        ["accuracy", "latency", "params"], ["maximize", "minimize", "minimize"],
        [new ParetoTrial(1, [0.9, 5, 200_000], Net, "m1"), new ParetoTrial(2, [0.95, 12, 800_000], Net, null)]);

    private static readonly TrialDetails[] Trials =
    [
        Trial(1, [0.9, 5, 200_000]), Trial(2, [0.95, 12, 800_000]), Trial(3, [0.85, 6, 300_000]), Trial(4, [0.8, 20, 900_000]),
        new(5, "pruned", Net, null, null, [], 100, null, null),
    ];

    private static TrialDetails Trial(int number, double[] values) => new(number, "complete", Net, values[0], values, [], 1000, "w", null);

    private static BunitContext Context(bool writer) => MudBunitContext.Create(c =>
    {
        var authorization = c.AddAuthorization().SetAuthorized("someone@example.com");
        if (writer)
        {
            authorization.SetPolicies(AuthSchemes.WriterPolicy);
        }
    });

    [Fact]
    public async Task EveryCompleteTrialIsADotAndTheFrontsMembersAreLargerInTheirOwnColourAndNumbered()
    {
        await using var context = Context(writer: false);

        var view = context.Render<ParetoFrontView>(p => p.Add(v => v.Front, Front).Add(v => v.Trials, Trials));

        var chart = view.Find("[data-testid=pareto-chart]");
        Assert.Equal(4, chart.QuerySelectorAll("circle").Length);
        var members = chart.QuerySelectorAll("circle[data-series='Pareto front']");
        Assert.Equal(2, members.Length);
        Assert.All(members, m => Assert.Equal(("4.5", ParetoFrontView.FrontColor), (m.GetAttribute("r"), m.GetAttribute("fill"))));
        Assert.All(chart.QuerySelectorAll("circle[data-series=trial]"), m => Assert.Equal(ParetoFrontView.TrialColor, m.GetAttribute("fill")));
        Assert.Equal(["#1", "#2"], chart.QuerySelectorAll("text[data-label='Pareto front']").Select(t => t.TextContent));
        // Two objectives beside the metric: a member may be on the front for the axis not shown, so no line joins them.
        Assert.Empty(chart.QuerySelectorAll("polyline"));
        Assert.Equal("Latency (ms per image)", chart.QuerySelector("text[data-axis=x]")!.TextContent);
        Assert.Equal("accuracy", chart.QuerySelector("text[data-axis=y]")!.TextContent);
        Assert.Contains("Pareto front: Latency (ms per image) 5, accuracy 0.9, #1", chart.InnerHtml);
        Assert.Contains("accuracy (higher is better) and latency (lower is better) and size (parameters) (lower is better)", view.Find("[data-testid=pareto-summary]").TextContent);
    }

    [Fact]
    public async Task AButtonPutsTheParametersOnTheXAxisInstead()
    {
        await using var context = Context(writer: false);

        var view = context.Render<ParetoFrontView>(p => p.Add(v => v.Front, Front).Add(v => v.Trials, Trials));
        var buttons = view.FindAll("[data-testid=pareto-axis]");
        Assert.Equal(["Latency (ms per image)", "Parameters"], buttons.Select(b => b.TextContent.Trim()));
        Assert.Equal("true", buttons[0].GetAttribute("aria-pressed"));

        await buttons[1].ClickAsync(new());

        Assert.Equal("Parameters", view.Find("[data-testid=pareto-chart] text[data-axis=x]").TextContent);
        Assert.Contains("Pareto front: Parameters 800,000, accuracy 0.95, #2", view.Find("[data-testid=pareto-chart]").InnerHtml);
        Assert.Equal("true", view.FindAll("[data-testid=pareto-axis]")[1].GetAttribute("aria-pressed"));
    }

    [Fact]
    public async Task TheFrontsTableListsEachMemberLinksARefittedModelAndOffersWritersARefitOfTheOthers()
    {
        await using var context = Context(writer: true);
        var refits = new List<int>();

        var view = context.Render<ParetoFrontView>(p => p
            .Add(v => v.Front, Front).Add(v => v.Trials, Trials).Add(v => v.OnRefit, (int number) => refits.Add(number)));

        var rows = view.FindAll("[data-testid=pareto-row]");
        Assert.Equal(2, rows.Count);
        Assert.Equal(["1", "0.9", "5", "200,000", "depth=2, lr=0.001235", "model"], rows[0].QuerySelectorAll("td").Select(c => c.TextContent.Trim()));
        Assert.Equal("models/m1", rows[0].QuerySelector("[data-testid=pareto-model]")!.GetAttribute("href"));
        Assert.Null(rows[0].QuerySelector("[data-testid=pareto-refit]"));
        Assert.Contains("800,000", rows[1].TextContent);
        Assert.Null(rows[1].QuerySelector("[data-testid=pareto-model]"));

        await view.Find("[data-testid=pareto-row]:nth-child(2) button[data-testid=pareto-refit]").ClickAsync(new());

        Assert.Equal([2], refits);
    }

    [Fact]
    public async Task ReadersSeeTheFrontWithoutRefitButtons()
    {
        await using var context = Context(writer: false);

        var view = context.Render<ParetoFrontView>(p => p.Add(v => v.Front, Front).Add(v => v.Trials, Trials));

        Assert.Equal(2, view.FindAll("[data-testid=pareto-row]").Count);
        Assert.Empty(view.FindAll("[data-testid=pareto-refit]"));
    }

    [Fact]
    public async Task WithOneObjectiveBesideTheMetricTheMembersAreJoinedInOrderOfItAndNoAxisIsToPick()
    {
        await using var context = Context(writer: false);
        var front = new ParetoFront(["accuracy", "latency"], ["maximize", "minimize"],
            [new ParetoTrial(2, [0.95, 12], Net, null), new ParetoTrial(1, [0.9, 5], Net, null)]);
        TrialDetails[] trials = [Trial(1, [0.9, 5]), Trial(2, [0.95, 12]), Trial(3, [0.85, 6])];

        var view = context.Render<ParetoFrontView>(p => p.Add(v => v.Front, front).Add(v => v.Trials, trials));

        Assert.Empty(view.FindAll("[data-testid=pareto-axis]"));
        var points = view.Find("[data-testid=pareto-chart] polyline").GetAttribute("points")!.Split(' ')
            .Select(p => double.Parse(p.Split(',')[0], CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(2, points.Count);
        Assert.True(points[0] < points[1]);
        Assert.Equal(["1", "2"], view.FindAll("[data-testid=pareto-row] td:first-child").Select(c => c.TextContent));
    }

    [Fact]
    public async Task BeforeAnyTrialCompletesTheCardSaysWhenTheFrontAppears()
    {
        await using var context = Context(writer: false);

        var view = context.Render<ParetoFrontView>(p => p
            .Add(v => v.Front, new ParetoFront(["accuracy", "latency"], ["maximize", "minimize"], [])));

        Assert.Contains("once a trial has completed", view.Find("[data-testid=pareto-empty]").TextContent);
        Assert.Empty(view.FindAll("svg"));
    }
}
