using System.Text.Json;

namespace AutoDL.Jobs.Reports;

/// <summary>
/// A finished report as stored (<c>reports/{id}.json</c>) and downloaded: what was explained, how well each method did
/// (its own quality figure beside its numbers), the fairness figures, and the audit trail. Its canonical JSON
/// (<see cref="ReportJson.Canonical"/>) is hashed once and never rewritten.
/// </summary>
public sealed record ReportDocument(
    string Id,
    ReportModel Model,
    string? ExplainedOutput,
    IReadOnlyList<string> Methods,
    ReportImportance? Importance,
    ReportShap? Shap,
    ReportLime? Lime,
    ReportSaliency? Saliency,
    IReadOnlyList<ReportFairness> Fairness,
    IReadOnlyList<string> Notes,
    ReportAudit Audit);

/// <summary>The model explained: its learner, task, target, classes, parameters and test metrics.</summary>
public sealed record ReportModel(
    string Id, string SearchId, int TrialNumber, string Learner, string Task, string Target, string Metric,
    IReadOnlyList<string> Classes, JsonElement Params, JsonElement? TestMetrics, IReadOnlyList<ReportColumn> Columns);

public sealed record ReportColumn(string Name, string Kind);

/// <summary>Permutation feature importance: the metric's mean drop when a column is shuffled, with its 95% interval.</summary>
public sealed record ReportImportance(string Metric, int Repeats, int Rows, double Baseline, IReadOnlyList<ReportColumnImportance> Columns);

public sealed record ReportColumnImportance(string Column, double Mean, double Lower, double Upper);

/// <summary>
/// SHAP values in the user's columns: per explained row, each column's value and its attribution, the row's prediction,
/// and its additivity error |Σφ − (f(x) − E f)|; globally, mean |φ| per column.
/// </summary>
/// <param name="Output">What the values explain, when it differs from the report's explained output (TreeSHAP: the raw score).</param>
public sealed record ReportShap(
    string Method, string? Output, double BaseValue, int BackgroundRows, double MaxAdditivityError, IReadOnlyList<ReportColumnValue> Global,
    IReadOnlyList<ReportShapRow> Rows);

public sealed record ReportColumnValue(string Column, double Value);

/// <param name="BaseValue">E f of the output explained for this row (multiclass: its predicted class's probability).</param>
public sealed record ReportShapRow(
    int Row, string? Explained, double BaseValue, double Prediction, double AdditivityError, IReadOnlyList<ReportAttribution> Attributions);

/// <param name="Value">The column's value in the row, as text ("" when missing).</param>
/// <param name="Position">Where the value sits among the explained rows' values of the column, 0 (lowest) to 1 (highest); null for non-numbers.</param>
public sealed record ReportAttribution(string Column, string Value, double Attribution, double? Position);

/// <summary>LIME: per row, a weighted ridge surrogate's weights per column, its local fit (weighted R²); the top columns' stability across seeds.</summary>
public sealed record ReportLime(int Samples, double KernelWidth, int Seeds, IReadOnlyList<ReportLimeRow> Rows);

public sealed record ReportLimeRow(int Row, string? Explained, double LocalFit, double Stability, IReadOnlyList<ReportLimeWeight> Weights);

/// <param name="Condition">The surrogate's feature in words ("age ≤ 38", "island = Dream").</param>
public sealed record ReportLimeWeight(string Column, string Condition, double Weight);

/// <summary>
/// Integrated Gradients saliency of an image model's test images: per image, the class explained (the predicted one),
/// the steps used, the completeness gap |Σattr − (f(x) − f(baseline))| and its share of |f(x) − f(baseline)|, and the
/// heatmap over the image as a base64 PNG.
/// </summary>
public sealed record ReportSaliency(string Baseline, string Target, double Tolerance, IReadOnlyList<ReportSaliencyRow> Rows);

public sealed record ReportSaliencyRow(
    int Row, string Explained, string Class, int Steps, double Gap, double RelativeGap, bool Converged, string Png);

/// <summary>Fairness figures of one sensitive column.</summary>
/// <param name="Binning">How a numeric column was binned, in words; null for categories.</param>
/// <param name="Verdict">The four-fifths rule in words (classification), or the spread of errors (regression).</param>
public sealed record ReportFairness(
    string Column, string? Binning, string? PositiveClass, IReadOnlyList<ReportGroup> Groups, double? DemographicParityDifference,
    double? DemographicParityRatio, double? EqualizedOddsDifference, bool? FourFifthsViolated, string Verdict);

/// <summary>One group's figures: classification (selection rate, accuracy, TPR, FPR) or regression (mean prediction, mean error, MAE).</summary>
public sealed record ReportGroup(
    string Group, int Count, double? SelectionRate, double? Accuracy, double? TruePositiveRate, double? FalsePositiveRate,
    double? MeanPrediction, double? MeanError, double? MeanAbsoluteError);

/// <summary>What was reviewed and by whom: enough to reproduce the model and to prove which data it saw.</summary>
public sealed record ReportAudit(
    ReportDataset Dataset, ReportSearch Search, ReportSoftware Software, string? RequestedBy, DateTime RequestedAt, DateTime StartedAt,
    DateTime FinishedAt, IReadOnlyList<int> ExplainedRows, int TestRows);

public sealed record ReportDataset(string Id, string Name, string FileName, string Sha256, long? Rows, IReadOnlyList<ReportColumn> Schema);

public sealed record ReportSearch(
    string Id, JsonElement? Settings, int Seed, int Complete, int Pruned, int Failed, string? LaunchedBy, DateTime CreatedAt, DateTime? FinishedAt);

public sealed record ReportSoftware(string AutoDL, string DotNet, string MlNet, string Os);
