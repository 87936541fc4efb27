using AutoDL.Core.Search;

namespace AutoDL.Learners.Tabular;

/// <summary>What predicting the target means: one of two classes, one of several, or a number.</summary>
public enum TabularTask
{
    Binary,
    Multiclass,
    Regression,
}

/// <summary>The score a search optimises; <see cref="TabularMetricDirections.Direction"/> says which way is better.</summary>
public enum TabularMetric
{
    /// <summary>Area under the ROC curve (binary).</summary>
    Auc,

    /// <summary>Share of rows whose class is predicted right.</summary>
    Accuracy,

    /// <summary>Unweighted mean of the classes' F1 scores, so every class counts the same however rare.</summary>
    MacroF1,

    /// <summary>Root mean squared error (regression).</summary>
    Rmse,

    /// <summary>Mean of the classes' recalls, so every class counts the same however rare.</summary>
    BalancedAccuracy,

    /// <summary>Mean negative log of the probability given to the true class (lower is better).</summary>
    LogLoss,

    /// <summary>Mean absolute error (regression; lower is better).</summary>
    Mae,

    /// <summary>Coefficient of determination, 1 − SSE / SST (regression).</summary>
    RSquared,
}

public static class TabularMetricDirections
{
    /// <summary>Whether a search maximises or minimises <paramref name="metric"/>.</summary>
    public static Direction Direction(this TabularMetric metric) => metric switch
    {
        TabularMetric.Rmse or TabularMetric.Mae or TabularMetric.LogLoss => Core.Search.Direction.Minimize,
        _ => Core.Search.Direction.Maximize,
    };

    /// <summary>Whether <paramref name="metric"/> fits <paramref name="task"/> (AUC only binary; RMSE, MAE and R² only regression).</summary>
    public static bool Fits(this TabularMetric metric, TabularTask task) => (metric, task) switch
    {
        (TabularMetric.Rmse or TabularMetric.Mae or TabularMetric.RSquared, TabularTask.Regression) => true,
        (TabularMetric.Rmse or TabularMetric.Mae or TabularMetric.RSquared, _) or (_, TabularTask.Regression) => false,
        (TabularMetric.Auc, TabularTask.Binary) => true,
        (TabularMetric.Auc, _) => false,
        _ => true,
    };
}

/// <summary>
/// Infers the task from the target column and picks its default metric.
/// <list type="bullet">
/// <item>Exactly two distinct values (of any kind but an identifier, a constant or a date): <see cref="TabularTask.Binary"/>.</item>
/// <item>Boolean, categorical or text targets with more than two values: <see cref="TabularTask.Multiclass"/>.</item>
/// <item>Integer targets with at most <see cref="MaxClasses"/> distinct values: <see cref="TabularTask.Multiclass"/>
/// (codes such as 0..9); with more, <see cref="TabularTask.Regression"/> (counts, amounts).</item>
/// <item>Numeric (real) targets with more than two values: <see cref="TabularTask.Regression"/>.</item>
/// </list>
/// The distinct count ignores missing values. A fixed threshold, not a share of the rows: a share would turn a
/// 40-valued integer into classes on a large table and into a number on a small one.
/// </summary>
public static class TaskInference
{
    /// <summary>The most distinct values an integer target may have and still be read as class codes.</summary>
    public const int MaxClasses = 20;

    /// <summary>The largest ratio of the biggest to the smallest class that still counts as balanced.</summary>
    public const double MaxBalancedClassRatio = 3;

    /// <exception cref="ArgumentException">The target cannot be predicted: fewer than two values, or an identifier, constant or date.</exception>
    public static TabularTask Infer(TabularColumnKind targetKind, int distinctCount)
    {
        if (targetKind is TabularColumnKind.Identifier or TabularColumnKind.Constant or TabularColumnKind.DateTime)
        {
            throw new ArgumentException($"A {targetKind} column cannot be the target: pick a column with a class or a number to predict.", nameof(targetKind));
        }

        if (distinctCount < 2)
        {
            throw new ArgumentException(
                $"The target has {distinctCount} distinct value(s); predicting it needs at least two.", nameof(distinctCount));
        }

        return (targetKind, distinctCount) switch
        {
            (_, 2) => TabularTask.Binary,
            (TabularColumnKind.Boolean or TabularColumnKind.Categorical or TabularColumnKind.Text, _) => TabularTask.Multiclass,
            (TabularColumnKind.Integer, <= MaxClasses) => TabularTask.Multiclass,
            _ => TabularTask.Regression,
        };
    }

    /// <summary>
    /// The default metric: AUC for binary tasks, RMSE for regression; for multiclass, macro-F1 when the classes are
    /// imbalanced (the biggest over <see cref="MaxBalancedClassRatio"/> times the smallest), else accuracy.
    /// </summary>
    /// <param name="classCounts">Rows per class (multiclass only; ignored otherwise).</param>
    public static TabularMetric DefaultMetric(TabularTask task, IReadOnlyCollection<int>? classCounts = null) => task switch
    {
        TabularTask.Binary => TabularMetric.Auc,
        TabularTask.Regression => TabularMetric.Rmse,
        _ when classCounts is { Count: > 0 } && classCounts.Max() > MaxBalancedClassRatio * Math.Max(1, classCounts.Min()) => TabularMetric.MacroF1,
        _ => TabularMetric.Accuracy,
    };
}
