namespace AutoDL.Data.Models;

/// <summary>
/// A trial's parameters refitted on all of a search's training rows and tested once on its held-out rows, then, by
/// default, refitted on every row as the deployed model (table <c>Models</c>): the search's winner, or any leaderboard
/// trial a user asks for. Times are UTC <see cref="DateTime"/>s.
/// </summary>
public sealed class ModelRow
{
    public const int IdLength = 32;

    public required string Id { get; init; }

    public required string SearchId { get; init; }

    /// <summary>The trial whose parameters it was fitted with.</summary>
    public required int TrialNumber { get; init; }

    /// <summary>The learner's name (<c>lightgbm</c>, <c>sdca</c>, ...).</summary>
    public required string Learner { get; init; }

    /// <summary>Learner-facing parameter values, as a JSON object.</summary>
    public required string ParamsJson { get; init; }

    /// <summary>The trial's cross-validated score on the search's metric.</summary>
    public double? ValidationValue { get; init; }

    public ModelState State { get; set; }

    /// <summary>Every test metric (classification or regression), as JSON; set when Ready.</summary>
    public string? TestMetricsJson { get; set; }

    /// <summary>The columns a prediction needs (name and kind), as JSON; set when Ready.</summary>
    public string? InputSchemaJson { get; set; }

    /// <summary>The ML.NET zip, relative to the data folder with forward slashes (<c>models/{id}.zip</c>); set when Ready.</summary>
    public string? StoredPath { get; set; }

    /// <summary>
    /// Which rows the deployed model (the stored file) was fitted on and the rows its test figures come from, as JSON
    /// (<c>{ fittedOn: "all-rows"|"training-rows", rows, trainingRows, testRows, validationRows? }</c>); set when Ready,
    /// null for models stored before it was recorded.
    /// </summary>
    public string? FitJson { get; set; }

    /// <summary>Refit time: the fit on the training rows and, for a model deployed on every row, that refit too.</summary>
    public double? TrainingSeconds { get; set; }

    /// <summary>Mean time to predict one test row, in microseconds (batch prediction).</summary>
    public double? PredictMicrosecondsPerRow { get; set; }

    /// <summary>The search's winner (the best trial when the search ended).</summary>
    public bool IsBest { get; init; }

    public DateTime CreatedAt { get; init; }

    public string? CreatedBy { get; init; }

    /// <summary>Why the refit failed, in words for the user.</summary>
    public string? Error { get; set; }
}

public enum ModelState
{
    Queued,
    Training,
    Ready,
    Failed,
}
