using System.Text.Json;
using AutoDL.Jobs.Models;
using AutoDL.Learners.Tabular;

namespace AutoDL.Web.Components.Searches;

/// <summary>What the pages read out of a model's stored metrics.</summary>
public static class ModelViews
{
    /// <summary>The model's scores on its search's held-out test rows; null until it is Ready.</summary>
    public static TabularEvaluation? Test(this ModelDetails model) =>
        model.Metrics.Test is { ValueKind: JsonValueKind.Object } test ? test.Deserialize<TabularEvaluation>(ModelJson.Options) : null;

    /// <summary>The headline test figure for the model's task: accuracy for classes, R² for numbers.</summary>
    public static string Headline(this TabularEvaluation evaluation) => evaluation switch
    {
        { Classification: { } c } => $"accuracy {c.Accuracy:0.###}, macro-F1 {c.MacroF1:0.###}{(c.Auc is { } auc ? $", AUC {auc:0.###}" : "")}",
        { Regression: { } r } => $"RMSE {r.Rmse:0.###}, MAE {r.Mae:0.###}, R² {r.RSquared:0.###}",
        _ => "",
    };

    /// <summary>The test value of the search's own metric (by its API name), or null.</summary>
    public static double? TestValue(this ModelDetails model) =>
        model.Test() is { } test && model.Metric is { } name && Jobs.Searches.SearchNames.ParseMetric(name) is { } metric ? test.Value(metric) : null;

    public static string Format(double? value) => value is { } v && double.IsFinite(v) ? v.ToString("0.####") : "–";

    /// <summary>Whether the model is a search's ensemble of trials (stored with a trial number no trial has).</summary>
    public static bool IsEnsemble(this ModelDetails model) => model.TrialNumber == Jobs.Searches.SearchEnsembler.TrialNumber;

    /// <summary>Whether the model classifies images (a neural model of an image search), which takes an image, not a row of columns.</summary>
    public static bool IsImageModel(this ModelDetails model) => model.Task == Jobs.Searches.SearchNames.ImageTask || model.Network is not null;

    /// <summary>The ensemble's members: trial, learner and weight (picks); empty for a single model.</summary>
    public static IReadOnlyList<(int Trial, string Learner, int Weight)> EnsembleMembers(this ModelDetails model) =>
        model.IsEnsemble() && model.Params.ValueKind == JsonValueKind.Object && model.Params.TryGetProperty("members", out var members)
            ? [.. members.EnumerateArray().Select(m => (
                m.GetProperty("trial").GetInt32(),
                m.TryGetProperty("learner", out var l) ? l.GetString() ?? "" : "",
                m.GetProperty("weight").GetInt32()))]
            : [];

    /// <summary>"#3" for a trial's model, "#3 + #7" for an ensemble.</summary>
    public static string TrialLabel(ModelDetails model) =>
        model.IsEnsemble() ? string.Join(" + ", model.EnsembleMembers().Select(m => $"#{m.Trial}")) : $"#{model.TrialNumber}";
}
