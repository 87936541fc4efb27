using System.Globalization;
using System.Text;
using System.Text.Json;
using static AutoDL.Jobs.Reports.ReportSvg;

namespace AutoDL.Jobs.Reports;

/// <summary>
/// The downloadable report: one self-contained HTML file (styles and SVG charts inline, no script, no font or file from
/// elsewhere, so it opens offline and prints as it shows) carrying the canonical JSON it was drawn from and its SHA-256.
/// </summary>
public static class ReportHtml
{
    /// <summary>Rows with a waterfall (SHAP) and a surrogate table (LIME) in the file; the JSON has them all.</summary>
    public const int MaxRowsDrawn = 10;

    public static string Render(ReportDocument report, byte[] canonicalJson, string sha256)
    {
        var html = new StringBuilder();
        var model = report.Model;
        var audit = report.Audit;
        html.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">");
        html.Append(CultureInfo.InvariantCulture, $"<title>Model report · {E(model.Learner)} · {E(audit.Dataset.Name)}</title>");
        html.Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><style>").Append(Styles).Append("</style></head><body>");
        html.Append(CultureInfo.InvariantCulture, $"<h1>Model report: {E(model.Learner)} predicting <code>{E(model.Target)}</code></h1>");
        html.Append(CultureInfo.InvariantCulture, $"<p class=\"lead\">Dataset <b>{E(audit.Dataset.Name)}</b> ({E(audit.Dataset.FileName)}), {E(model.Task)} task, "
            + $"trial {model.TrialNumber} of search <code>{E(model.SearchId)}</code>. Report <code>{E(report.Id)}</code>, finished {Time(audit.FinishedAt)}.</p>");
        html.Append(CultureInfo.InvariantCulture, $"<p class=\"hash\">SHA-256 of this report's canonical JSON (embedded at the end of this file, and downloadable as JSON): <code>{sha256}</code></p>");
        if (report.ExplainedOutput is { } output)
        {
            html.Append(CultureInfo.InvariantCulture, $"<p>Explanations describe <b>{E(output)}</b>.</p>");
        }

        Quality(html, report);
        foreach (var note in report.Notes)
        {
            html.Append(CultureInfo.InvariantCulture, $"<p class=\"note\">{E(note)}</p>");
        }

        if (report.Importance is { } importance)
        {
            html.Append("<h2>Permutation feature importance</h2>");
            html.Append(CultureInfo.InvariantCulture, $"<p>How much the test {E(importance.Metric)} ({Format(importance.Baseline)} on {importance.Rows:N0} test rows) drops when one column's values are shuffled, "
                + $"mean of {importance.Repeats} shuffles with its 95% confidence interval. An interval that contains 0 is not a measurable effect.</p>");
            html.Append(Bars([.. importance.Columns.Select(c => (c.Column, c.Mean, (double?)c.Lower, (double?)c.Upper))], $"drop in {importance.Metric}"));
            Table(html, ["column", "mean drop", "95% interval"], importance.Columns.Select(c => new[] { c.Column, Format(c.Mean), $"{Format(c.Lower)} to {Format(c.Upper)}" }));
        }

        if (report.Shap is { } shap)
        {
            html.Append("<h2>SHAP values</h2>");
            if (shap.Output is { } shapOutput)
            {
                html.Append(CultureInfo.InvariantCulture, $"<p>These values explain <b>{E(shapOutput)}</b>.</p>");
            }

            html.Append(CultureInfo.InvariantCulture, $"<p>{E(shap.Method)}. Base value E f = {Format(shap.BaseValue)} over {shap.BackgroundRows:N0} background rows; "
                + $"{shap.Rows.Count:N0} rows explained. Largest additivity error |Σφ − (f(x) − E f)|: <b>{Format(shap.MaxAdditivityError)}</b>.</p>");
            html.Append("<h3>Mean |SHAP| per column</h3>");
            html.Append(Bars([.. shap.Global.Select(c => (c.Column, c.Value, (double?)null, (double?)null))], "mean |SHAP value|"));
            html.Append("<h3>Every explained row</h3><p>One dot per row and column; colour: the row's value of the column among the explained rows, blue low to red high, grey for categories.</p>");
            html.Append(Beeswarm(shap));
            foreach (var row in shap.Rows.Take(MaxRowsDrawn))
            {
                html.Append(CultureInfo.InvariantCulture, $"<h3>Row {row.Row}{(row.Explained is { } e ? $" ({E(e)})" : "")}: prediction {Format(row.Prediction)}, additivity error {Format(row.AdditivityError)}</h3>");
                html.Append(Waterfall(row));
            }
        }

        if (report.Lime is { } lime)
        {
            html.Append("<h2>LIME</h2>");
            html.Append(CultureInfo.InvariantCulture, $"<p>A weighted ridge surrogate fitted around each row on {lime.Samples:N0} perturbed samples (kernel width {Format(lime.KernelWidth)}). "
                + $"Local fit: the surrogate's weighted R² (1 is a perfect local fit). Stability: agreement of the top columns across {lime.Seeds} seeds (1 = always the same).</p>");
            foreach (var row in lime.Rows.Take(MaxRowsDrawn))
            {
                html.Append(CultureInfo.InvariantCulture, $"<h3>Row {row.Row}{(row.Explained is { } e ? $" ({E(e)})" : "")}: local fit {Format(row.LocalFit)}, stability {Format(row.Stability)}</h3>");
                Table(html, ["column", "condition", "weight"], row.Weights.Select(w => new[] { w.Column, w.Condition, Format(w.Weight) }));
            }
        }

        if (report.Saliency is { } saliency)
        {
            html.Append("<h2>Integrated Gradients</h2>");
            html.Append(CultureInfo.InvariantCulture, $"<p>Saliency of the {E(saliency.Target)} of each image's predicted class, integrated along the straight path from {E(saliency.Baseline)} "
                + $"to the image; steps doubled until the completeness gap |Σ attributions − (f(x) − f(baseline))| is under {saliency.Tolerance:0%} of |f(x) − f(baseline)|. "
                + $"Bright: pixels that moved the output most.</p><div class=\"grid\">");
            foreach (var row in saliency.Rows)
            {
                html.Append(CultureInfo.InvariantCulture, $"<figure><img alt=\"saliency of test image {row.Row}\" src=\"data:image/png;base64,{row.Png}\">"
                    + $"<figcaption>Test image {row.Row}: {E(row.Explained)}. {row.Steps} steps, gap {Format(row.RelativeGap * 100)}%{(row.Converged ? "" : " (not within the tolerance)")}</figcaption></figure>");
            }

            html.Append("</div>");
        }

        foreach (var fairness in report.Fairness)
        {
            html.Append(CultureInfo.InvariantCulture, $"<h2>Fairness by <code>{E(fairness.Column)}</code></h2>");
            if (fairness.Binning is { } binning)
            {
                html.Append(CultureInfo.InvariantCulture, $"<p>{E(binning)}</p>");
            }

            html.Append(CultureInfo.InvariantCulture, $"<p class=\"{(fairness.FourFifthsViolated == true ? "warn" : "ok")}\">{E(fairness.Verdict)}</p>");
            var classification = fairness.Groups.Any(g => g.SelectionRate is not null);
            if (classification)
            {
                Table(html, ["group", "rows", $"selection rate{(fairness.PositiveClass is { } p ? $" ({p})" : "")}", "accuracy", "TPR", "FPR"],
                    fairness.Groups.Select(g => new[] { g.Group, g.Count.ToString("N0", CultureInfo.InvariantCulture), P(g.SelectionRate), P(g.Accuracy), P(g.TruePositiveRate), P(g.FalsePositiveRate) }));
                Table(html, ["demographic-parity difference", "demographic-parity ratio", "equalized-odds difference"],
                    [[N(fairness.DemographicParityDifference), N(fairness.DemographicParityRatio), N(fairness.EqualizedOddsDifference)]]);
            }
            else
            {
                Table(html, ["group", "rows", "mean prediction", "mean error", "MAE"],
                    fairness.Groups.Select(g => new[] { g.Group, g.Count.ToString("N0", CultureInfo.InvariantCulture), N(g.MeanPrediction), N(g.MeanError), N(g.MeanAbsoluteError) }));
            }
        }

        html.Append("<h2>The model</h2>");
        Table(html, ["learner", "task", "target", "metric", "classes"], [[model.Learner, model.Task, model.Target, model.Metric, string.Join(", ", model.Classes)]]);
        html.Append("<h3>Parameters</h3>");
        Table(html, ["parameter", "value"], model.Params.ValueKind == JsonValueKind.Object
            ? model.Params.EnumerateObject().Select(p => new[] { p.Name, p.Value.ToString() })
            : []);
        if (model.TestMetrics is { } metrics)
        {
            html.Append("<h3>Test metrics (held-out rows, tested once)</h3>");
            Table(html, ["metric", "value"], Scalars(metrics));
        }

        html.Append("<h2>Audit trail</h2>");
        Table(html, ["", ""],
        [
            ["dataset", $"{audit.Dataset.Name} ({audit.Dataset.FileName}), id {audit.Dataset.Id}"],
            ["dataset SHA-256", audit.Dataset.Sha256],
            ["dataset rows", audit.Dataset.Rows?.ToString("N0", CultureInfo.InvariantCulture) ?? "unknown"],
            ["search", $"{audit.Search.Id}, seed {audit.Search.Seed}, created {Time(audit.Search.CreatedAt)}{(audit.Search.FinishedAt is { } f ? $", finished {Time(f)}" : "")}"],
            ["trials", $"{audit.Search.Complete} complete, {audit.Search.Pruned} pruned, {audit.Search.Failed} failed"],
            ["search launched by", audit.Search.LaunchedBy ?? "unknown"],
            ["report requested by", audit.RequestedBy ?? "unknown"],
            ["requested, started, finished", $"{Time(audit.RequestedAt)}, {Time(audit.StartedAt)}, {Time(audit.FinishedAt)}"],
            ["explained rows", $"{string.Join(", ", audit.ExplainedRows.Take(50))}{(audit.ExplainedRows.Count > 50 ? ", …" : "")} (indices among the {audit.TestRows:N0} held-out test rows)"],
            ["software", $"AutoDL {audit.Software.AutoDL}, .NET {audit.Software.DotNet}, ML.NET {audit.Software.MlNet}, {audit.Software.Os}"],
        ]);
        html.Append("<h3>Dataset schema</h3>");
        Table(html, ["column", "type"], audit.Dataset.Schema.Select(c => new[] { c.Name, c.Kind }));
        if (audit.Search.Settings is { } settings)
        {
            html.Append("<h3>Search settings</h3>");
            Table(html, ["setting", "value"], settings.ValueKind == JsonValueKind.Object ? settings.EnumerateObject().Select(p => new[] { p.Name, p.Value.ToString() }) : []);
        }

        // The canonical JSON itself, inert data (not a script that runs): hashing its text gives the SHA-256 above.
        html.Append("<script type=\"application/json\" id=\"report-json\">")
            .Append(ReportJson.Text(canonicalJson).Replace("</", "<\\/", StringComparison.Ordinal))
            .Append("</script></body></html>");
        return html.ToString();
    }

    private static void Quality(StringBuilder html, ReportDocument report)
    {
        var lines = ReportQuality.Lines(report);
        if (lines.Count > 0)
        {
            html.Append("<h2>How good each explanation is</h2>");
            Table(html, ["method", "quality"], lines.Select(l => new[] { l.Method, l.Quality }));
        }
    }

    private static IEnumerable<string[]> Scalars(JsonElement element, string prefix = "")
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            yield break;
        }

        foreach (var property in element.EnumerateObject())
        {
            var name = prefix.Length == 0 ? property.Name : $"{prefix}.{property.Name}";
            switch (property.Value.ValueKind)
            {
                case JsonValueKind.Number:
                    yield return [name, Format(property.Value.GetDouble())];
                    break;
                case JsonValueKind.String or JsonValueKind.True or JsonValueKind.False:
                    yield return [name, property.Value.ToString()];
                    break;
                case JsonValueKind.Object when prefix.Length == 0:
                    foreach (var inner in Scalars(property.Value, name))
                    {
                        yield return inner;
                    }

                    break;
            }
        }
    }

    private static void Table(StringBuilder html, string[] headers, IEnumerable<string[]> rows)
    {
        html.Append("<table><thead><tr>");
        foreach (var header in headers)
        {
            html.Append("<th>").Append(E(header)).Append("</th>");
        }

        html.Append("</tr></thead><tbody>");
        foreach (var row in rows)
        {
            html.Append("<tr>");
            foreach (var cell in row)
            {
                html.Append("<td>").Append(E(cell)).Append("</td>");
            }

            html.Append("</tr>");
        }

        html.Append("</tbody></table>");
    }

    private static string Time(DateTime time) => time.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    private static string P(double? value) => value is { } v ? v.ToString("0.0%", CultureInfo.InvariantCulture) : "–";

    private static string N(double? value) => value is { } v ? Format(v) : "–";

    private const string Styles =
        "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;max-width:960px;margin:2rem auto;padding:0 1rem;color:#212121;line-height:1.45}"
        + "h1{font-size:1.6rem}h2{font-size:1.25rem;margin-top:2rem;border-bottom:1px solid #e0e0e0;padding-bottom:.2rem}h3{font-size:1rem;margin-top:1.2rem}"
        + "table{border-collapse:collapse;margin:.5rem 0 1rem;font-size:.9rem}th,td{border:1px solid #e0e0e0;padding:.25rem .5rem;text-align:left;vertical-align:top}"
        + "th{background:#f5f5f5}code{font-size:.9em}.lead{font-size:1.05rem}.hash code{word-break:break-all}"
        + ".warn{color:#b71c1c;font-weight:600}.ok{color:#1b5e20}.note{background:#fff8e1;padding:.4rem .6rem;border-left:4px solid #f9a825}"
        + "svg{display:block;margin:.5rem 0}.grid{display:flex;flex-wrap:wrap;gap:1rem}figure{margin:0;width:180px}"
        + "figure img{width:160px;height:160px;image-rendering:pixelated;border:1px solid #e0e0e0}figcaption{font-size:.8rem}@media print{body{margin:0;max-width:none}h2{break-after:avoid}svg,table{break-inside:avoid}}";
}
