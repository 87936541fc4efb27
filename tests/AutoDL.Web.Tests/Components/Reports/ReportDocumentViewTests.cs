using System.Text.Json;
using AutoDL.Jobs.Reports;
using AutoDL.Web.Components.Reports;
using Bunit;

namespace AutoDL.Web.Tests.Components.Reports;

public sealed class ReportDocumentViewTests
{
    private static ReportDocument Document(bool unfair)
    {
        ReportAttribution[] Row(double a, double b) => [new("age", "41", a, 0.8), new("island", "Dream", b, null)];
        var shap = new ReportShap(
            "Exact Shapley values (all 4 coalitions of 2 columns)", null, 0.4, 20, 2e-9,
            [new("age", 0.2), new("island", 0.05)],
            [new(0, "predicted yes (0.7), actual yes", 0.4, 0.7, 1e-9, Row(0.25, 0.05)), new(3, "predicted no (0.2), actual no", 0.4, 0.2, 2e-9, Row(-0.15, -0.05))]);
        var lime = new ReportLime(5000, 1.06, 5, [new(3, "predicted no", 0.83, 0.9, [new("age", "age ≤ 38", -0.3), new("island", "island = Dream", 0.02)])]);
        var fairness = new ReportFairness(
            "island", null, "yes",
            [new("Dream", 40, unfair ? 0.2 : 0.5, 0.9, 0.8, 0.1, null, null, null), new("Biscoe", 60, 0.55, 0.88, 0.85, 0.12, null, null, null)],
            unfair ? 0.35 : 0.05, unfair ? 0.36 : 0.91, 0.05, unfair,
            unfair ? "Selection rate of group 'Dream' is 36% of group 'Biscoe''s: below the four-fifths rule." : "Every group's selection rate is at least 80% of the highest: the four-fifths rule holds.");
        var audit = new ReportAudit(
            new ReportDataset("d1", "penguins", "penguins.csv", new string('a', 64), 100, [new("age", "integer")]),
            new ReportSearch("s1", null, 7, 5, 2, 1, "analyst@example.com", new DateTime(2026, 12, 1), null),
            new ReportSoftware("1.0", ".NET 10", "5.0.1", "Linux"), "auditor@example.com", new DateTime(2026, 12, 2), new DateTime(2026, 12, 2), new DateTime(2026, 12, 2),
            [0, 3], 100);
        var model = new ReportModel("m1", "s1", 4, "lightgbm", "binary", "approved", "Auc", ["no", "yes"], JsonDocument.Parse("{}").RootElement, null, [new("age", "integer")]);
        return new ReportDocument(
            "r1", model, "the probability that approved is 'yes'", ["permutation", "shap", "lime", "fairness"],
            new ReportImportance("AUC", 5, 100, 0.91, [new("age", 0.12, 0.08, 0.16), new("island", 0.001, -0.01, 0.012)]),
            shap, lime, null, [fairness], ["A note for the reader."], audit);
    }

    [Fact]
    public async Task TheViewerLeadsWithEachMethodsQualityAndDrawsTheChartsOfTheDownload()
    {
        await using var context = MudBunitContext.Create();
        var view = context.Render<ReportDocumentView>(p => p.Add(v => v.Document, Document(unfair: false)));

        var quality = view.Find("[data-testid=report-quality]").TextContent;
        Assert.Contains("1 of 2 columns have a 95% interval above 0", quality);
        Assert.Contains("largest additivity error", quality);
        Assert.Contains("local fit (weighted R²) 0.83", quality);
        Assert.Contains("the four-fifths rule holds", quality);
        Assert.Contains("the probability that approved is 'yes'", view.Markup);
        Assert.Contains("A note for the reader.", view.Markup);
        Assert.NotEmpty(view.Find("[data-testid=report-importance]").GetElementsByTagName("svg"));
        Assert.Equal(2, view.Find("[data-testid=report-shap]").GetElementsByTagName("svg").Length);
        // The first explained row is picked: its waterfall (row 0 has no LIME table).
        var rows = view.Find("[data-testid=report-rows]");
        Assert.Contains("prediction 0.7", rows.TextContent);
        Assert.Empty(view.FindAll("[data-testid=report-lime]"));
        Assert.Contains(new string('a', 64), view.Find("[data-testid=report-audit]").TextContent);
        Assert.Contains("auditor@example.com", view.Find("[data-testid=report-audit]").TextContent);
    }

    [Fact]
    public async Task AGroupBelowTheFourFifthsRuleIsAWarningInWords()
    {
        await using var context = MudBunitContext.Create();
        var view = context.Render<ReportDocumentView>(p => p.Add(v => v.Document, Document(unfair: true)));

        var fairness = view.Find("[data-testid=report-fairness]");
        Assert.Contains("below the four-fifths rule", fairness.TextContent);
        Assert.Contains("mud-alert-text-warning", fairness.InnerHtml);
        Assert.Contains("20.0%", fairness.TextContent);
    }
}
