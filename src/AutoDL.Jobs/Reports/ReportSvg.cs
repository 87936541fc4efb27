using System.Globalization;
using System.Net;
using System.Text;

namespace AutoDL.Jobs.Reports;

/// <summary>
/// The report's charts as inline SVG (no scripts, no fonts or files from elsewhere), drawn the same for the report
/// viewer and the downloaded HTML: they print as they show.
/// </summary>
public static class ReportSvg
{
    private const int Width = 640;
    private const int LabelWidth = 170;
    private const int RowHeight = 22;
    private const string Positive = "#c62828";
    private const string Negative = "#1565c0";
    private const string Neutral = "#455a64";

    /// <summary>Horizontal bars, largest first, with an interval whisker where one is given.</summary>
    public static string Bars(IReadOnlyList<(string Label, double Value, double? Lower, double? Upper)> bars, string axis)
    {
        if (bars.Count == 0)
        {
            return string.Empty;
        }

        var low = Math.Min(0, bars.Min(b => Math.Min(b.Value, b.Lower ?? b.Value)));
        var high = Math.Max(0, bars.Max(b => Math.Max(b.Value, b.Upper ?? b.Value)));
        var scale = new Scale(low, high, LabelWidth + 8, Width - 60);
        var height = bars.Count * RowHeight + 36;
        var svg = Start(height, axis);
        for (var i = 0; i < bars.Count; i++)
        {
            var (label, value, lower, upper) = bars[i];
            var y = 8 + i * RowHeight;
            var x0 = scale.X(0);
            var x1 = scale.X(value);
            svg.Append(Label(label, y + 15));
            svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{F(Math.Min(x0, x1))}\" y=\"{y + 4}\" width=\"{F(Math.Max(1, Math.Abs(x1 - x0)))}\" height=\"{RowHeight - 8}\" fill=\"{(value >= 0 ? Positive : Negative)}\" opacity=\"0.8\"><title>{E(label)}: {Format(value)}</title></rect>");
            if (lower is { } l && upper is { } u)
            {
                var cy = y + RowHeight / 2;
                svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{F(scale.X(l))}\" x2=\"{F(scale.X(u))}\" y1=\"{cy}\" y2=\"{cy}\" stroke=\"#212121\" stroke-width=\"1.5\"/>");
                svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{F(scale.X(l))}\" x2=\"{F(scale.X(l))}\" y1=\"{cy - 4}\" y2=\"{cy + 4}\" stroke=\"#212121\"/>");
                svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{F(scale.X(u))}\" x2=\"{F(scale.X(u))}\" y1=\"{cy - 4}\" y2=\"{cy + 4}\" stroke=\"#212121\"/>");
            }

            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{F(Math.Max(x1, upper is { } up ? scale.X(up) : x1) + 4)}\" y=\"{y + 15}\" font-size=\"11\" fill=\"#424242\">{Format(value)}</text>");
        }

        return End(svg, scale, height);
    }

    /// <summary>
    /// A beeswarm: one dot per explained row and column at its SHAP value, coloured by where the row's value of the
    /// column sits among the explained rows (blue low, red high, grey for categories and missing values).
    /// </summary>
    public static string Beeswarm(ReportShap shap, int maxColumns = 15)
    {
        var columns = shap.Global.OrderByDescending(c => c.Value).Take(maxColumns).Select(c => c.Column).ToList();
        if (columns.Count == 0 || shap.Rows.Count == 0)
        {
            return string.Empty;
        }

        var values = shap.Rows.SelectMany(r => r.Attributions).Where(a => columns.Contains(a.Column)).Select(a => a.Attribution).ToList();
        var scale = new Scale(Math.Min(0, values.Min()), Math.Max(0, values.Max()), LabelWidth + 8, Width - 20);
        var height = columns.Count * RowHeight + 36;
        var svg = Start(height, "SHAP value (effect on the model's output)");
        svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{F(scale.X(0))}\" x2=\"{F(scale.X(0))}\" y1=\"4\" y2=\"{height - 30}\" stroke=\"#9e9e9e\"/>");
        for (var i = 0; i < columns.Count; i++)
        {
            var y = 8 + i * RowHeight;
            svg.Append(Label(columns[i], y + 15));
            var dots = shap.Rows.Select(r => r.Attributions.FirstOrDefault(a => a.Column == columns[i])).Where(a => a is not null).ToList();
            // Jitter within the row deterministically so overlapping dots stay visible.
            for (var j = 0; j < dots.Count; j++)
            {
                var a = dots[j]!;
                var jitter = ((j * 7919) % 13 - 6) * 0.9;
                var colour = a.Position is { } p ? Blend(p) : "#9e9e9e";
                svg.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{F(scale.X(a.Attribution))}\" cy=\"{F(y + RowHeight / 2.0 + jitter)}\" r=\"3\" fill=\"{colour}\" opacity=\"0.8\"><title>{E(a.Column)} = {E(a.Value)}: {Format(a.Attribution)}</title></circle>");
            }
        }

        return End(svg, scale, height);
    }

    /// <summary>One row's waterfall: from the base value E f, each column's SHAP value (largest first), to the prediction f(x).</summary>
    public static string Waterfall(ReportShapRow row, int maxColumns = 12)
    {
        var baseValue = row.BaseValue;
        var ordered = row.Attributions.OrderByDescending(a => Math.Abs(a.Attribution)).ToList();
        var shown = ordered.Take(maxColumns).ToList();
        var rest = ordered.Skip(maxColumns).Sum(a => a.Attribution);
        var steps = shown.Select(a => ($"{a.Column} = {a.Value}", a.Attribution)).ToList();
        if (ordered.Count > maxColumns)
        {
            steps.Add(($"{ordered.Count - maxColumns} other columns", rest));
        }

        var points = new List<double> { baseValue };
        foreach (var (_, value) in steps)
        {
            points.Add(points[^1] + value);
        }

        var scale = new Scale(points.Min(), points.Max(), LabelWidth + 8, Width - 70);
        var height = (steps.Count + 2) * RowHeight + 36;
        var svg = Start(height, "model output");
        svg.Append(Label("E f (base value)", 8 + 15));
        svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{F(scale.X(baseValue))}\" x2=\"{F(scale.X(baseValue))}\" y1=\"8\" y2=\"{8 + RowHeight}\" stroke=\"{Neutral}\" stroke-width=\"2\"/>");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{F(scale.X(baseValue) + 4)}\" y=\"{8 + 15}\" font-size=\"11\">{Format(baseValue)}</text>");
        for (var i = 0; i < steps.Count; i++)
        {
            var y = 8 + (i + 1) * RowHeight;
            var from = scale.X(points[i]);
            var to = scale.X(points[i + 1]);
            svg.Append(Label(steps[i].Item1, y + 15));
            svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{F(Math.Min(from, to))}\" y=\"{y + 4}\" width=\"{F(Math.Max(1, Math.Abs(to - from)))}\" height=\"{RowHeight - 8}\" fill=\"{(steps[i].Item2 >= 0 ? Positive : Negative)}\" opacity=\"0.85\"><title>{Format(steps[i].Item2)}</title></rect>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{F(Math.Max(from, to) + 4)}\" y=\"{y + 15}\" font-size=\"11\" fill=\"#424242\">{(steps[i].Item2 >= 0 ? "+" : "")}{Format(steps[i].Item2)}</text>");
        }

        var last = 8 + (steps.Count + 1) * RowHeight;
        svg.Append(Label("f(x) (prediction)", last + 15));
        svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{F(scale.X(points[^1]))}\" x2=\"{F(scale.X(points[^1]))}\" y1=\"{last}\" y2=\"{last + RowHeight}\" stroke=\"{Neutral}\" stroke-width=\"2\"/>");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{F(scale.X(points[^1]) + 4)}\" y=\"{last + 15}\" font-size=\"11\">{Format(points[^1])}</text>");
        return End(svg, scale, height);
    }

    private static StringBuilder Start(int height, string axis)
    {
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {Width} {height}\" width=\"100%\" style=\"max-width:{Width}px\" role=\"img\" aria-label=\"{E(axis)}\" font-family=\"sans-serif\">");
        return svg;
    }

    private static string End(StringBuilder svg, Scale scale, int height)
    {
        var axisY = height - 26;
        svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{scale.Left}\" x2=\"{scale.Right}\" y1=\"{axisY}\" y2=\"{axisY}\" stroke=\"#757575\"/>");
        foreach (var tick in scale.Ticks())
        {
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{F(scale.X(tick))}\" x2=\"{F(scale.X(tick))}\" y1=\"{axisY}\" y2=\"{axisY + 4}\" stroke=\"#757575\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{F(scale.X(tick))}\" y=\"{axisY + 16}\" font-size=\"10\" text-anchor=\"middle\" fill=\"#616161\">{Format(tick)}</text>");
        }

        svg.Append("</svg>");
        return svg.ToString();
    }

    private static string Label(string text, int y) =>
        string.Create(CultureInfo.InvariantCulture, $"<text x=\"{LabelWidth}\" y=\"{y}\" font-size=\"12\" text-anchor=\"end\" fill=\"#212121\">{E(Shorten(text, 28))}<title>{E(text)}</title></text>");

    private static string Shorten(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";

    private static string Blend(double position)
    {
        var p = Math.Clamp(position, 0, 1);
        var r = (int)Math.Round(0x15 + (0xc6 - 0x15) * p);
        var g = (int)Math.Round(0x65 + (0x28 - 0x65) * p);
        var b = (int)Math.Round(0xc0 + (0x28 - 0xc0) * p);
        return $"#{r:x2}{g:x2}{b:x2}";
    }

    internal static string E(string text) => WebUtility.HtmlEncode(text);

    private static string F(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);

    public static string Format(double value) => Math.Abs(value) >= 1000 || (Math.Abs(value) < 0.001 && value != 0)
        ? value.ToString("0.###E+0", CultureInfo.InvariantCulture)
        : value.ToString("0.####", CultureInfo.InvariantCulture);

    private sealed record Scale(double Low, double High, double Left, double Right)
    {
        private double Span => High - Low == 0 ? 1 : High - Low;

        public double X(double value) => Left + (value - Low) / Span * (Right - Left);

        public IEnumerable<double> Ticks()
        {
            var step = Math.Pow(10, Math.Floor(Math.Log10(Span / 4)));
            if (Span / step > 10)
            {
                step *= Span / step > 20 ? 5 : 2;
            }

            for (var t = Math.Ceiling(Low / step) * step; t <= High + step * 1e-9; t += step)
            {
                yield return Math.Abs(t) < step * 1e-9 ? 0 : t;
            }
        }
    }
}
