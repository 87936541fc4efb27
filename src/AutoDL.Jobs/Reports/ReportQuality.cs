using System.Globalization;

namespace AutoDL.Jobs.Reports;

/// <summary>One method's quality figure in words, as the report viewer and the downloaded HTML both lead with it.</summary>
public sealed record ReportQualityLine(string Method, string Quality);

public static class ReportQuality
{
    /// <summary>Each method the report ran, with how good its explanation is (its own quality figure).</summary>
    public static IReadOnlyList<ReportQualityLine> Lines(ReportDocument report)
    {
        var lines = new List<ReportQualityLine>();
        if (report.Importance is { } importance)
        {
            lines.Add(new("Permutation importance", string.Create(CultureInfo.InvariantCulture,
                $"{importance.Columns.Count(c => c.Lower > 0)} of {importance.Columns.Count} columns have a 95% interval above 0 ({importance.Repeats} shuffles each, {importance.Rows} test rows)")));
        }

        if (report.Shap is { } shap)
        {
            lines.Add(new(shap.Method, $"largest additivity error |Σφ − (f(x) − E f)|: {ReportSvg.Format(shap.MaxAdditivityError)}"));
        }

        if (report.Saliency is { Rows.Count: > 0 } ig)
        {
            lines.Add(new("Integrated Gradients", string.Create(CultureInfo.InvariantCulture,
                $"completeness gap {ReportSvg.Format(ig.Rows.Max(r => r.RelativeGap) * 100)}% of |f(x) − f(baseline)| at most; {ig.Rows.Count(r => r.Converged)} of {ig.Rows.Count} images within {ig.Tolerance:0%}")));
        }

        if (report.Lime is { Rows.Count: > 0 } lime)
        {
            lines.Add(new("LIME",
                $"local fit (weighted R²) {ReportSvg.Format(lime.Rows.Min(r => r.LocalFit))} to {ReportSvg.Format(lime.Rows.Max(r => r.LocalFit))}; "
                + $"top-column stability across {lime.Seeds} seeds {ReportSvg.Format(lime.Rows.Average(r => r.Stability))} on average"));
        }

        lines.AddRange(report.Fairness.Select(f => new ReportQualityLine($"Fairness by {f.Column}", f.Verdict)));
        return lines;
    }
}
