namespace AutoDL.Jobs.Searches;

/// <summary>The budget as asked: trials, seconds, or both (whichever runs out first).</summary>
public sealed record SearchBudgetRequest(int? Trials = null, double? Seconds = null);

/// <summary>
/// A request to start a search, as the API's <c>POST /api/v1/searches</c> body and the new-search page give it. Every
/// field but <see cref="DatasetId"/> and <see cref="Target"/> has a default; <see cref="SearchLauncher"/> checks them.
/// </summary>
public sealed record SearchRequest
{
    public string? DatasetId { get; init; }
    public string? Target { get; init; }

    /// <summary><c>binary</c>, <c>multiclass</c> or <c>regression</c>; null: inferred from the target column.</summary>
    public string? Task { get; init; }

    /// <summary>
    /// Classes: <c>auc</c> (two classes), <c>accuracy</c>, <c>balanced_accuracy</c>, <c>macro_f1</c> or <c>log_loss</c>;
    /// numbers: <c>rmse</c>, <c>mae</c> or <c>r2</c>; null: the task's default.
    /// </summary>
    public string? Metric { get; init; }

    /// <summary>
    /// Image searches: objectives minimised beside the metric, <c>latency</c> (ms per image on the CPU) and
    /// <c>params</c> (the network's parameter count); any makes the search multi-objective (NSGA-II).
    /// </summary>
    public IReadOnlyList<string>? Objectives { get; init; }

    /// <summary><c>tpe</c> (default), <c>evolution</c>, <c>random</c>, or <c>nsga2</c> (the default of multi-objective searches).</summary>
    public string? Strategy { get; init; }

    /// <summary>Null: every learner that fits the task.</summary>
    public IReadOnlyList<string>? Learners { get; init; }

    /// <summary>Null: <see cref="SearchOptions.DefaultTrials"/> trials and <see cref="SearchOptions.DefaultSeconds"/> seconds.</summary>
    public SearchBudgetRequest? Budget { get; init; }

    public int? Parallelism { get; init; }

    /// <summary><c>auto</c> (default), <c>cpu</c> or <c>cuda</c>.</summary>
    public string? Device { get; init; }

    /// <summary>Null: a random seed, stored with the search.</summary>
    public int? Seed { get; init; }

    /// <summary><c>none</c>, <c>median</c> (default) or <c>asha</c>.</summary>
    public string? Pruner { get; init; }

    public double? TestFraction { get; init; }
    public int? Folds { get; init; }
    public IReadOnlyList<string>? SensitiveColumns { get; init; }

    /// <summary>
    /// Tabular: refit the deployed model on every row after its one test (null: true); false keeps the model fitted
    /// on the training rows. Image searches keep their trained network: leave it out or false.
    /// </summary>
    public bool? RefitOnAllRows { get; init; }
}

/// <summary>What asking for a search came to: its id, or the problems, keyed by field (<c>target</c>, <c>budget.trials</c>, ...).</summary>
public sealed record SearchLaunch(string? SearchId, IReadOnlyDictionary<string, string[]> Errors)
{
    public bool Started => SearchId is not null;
}

public enum CancelOutcome
{
    Cancelled,
    AlreadyFinished,
    NotFound,
}
