namespace AutoDL.Data.Search;

/// <summary>
/// A search as <see cref="EfTrialStore"/> keeps it (table <c>Searches</c>): the spec, serialised, and when its first
/// trial started. Times are UTC <see cref="DateTime"/>s, which SQLite can compare and order (DateTimeOffset it cannot).
/// </summary>
public sealed class SearchRow
{
    public const int IdLength = 32;

    public required string Id { get; init; }

    /// <summary><see cref="Core.Search.SearchSpace.ToJson"/>.</summary>
    public required string SpaceJson { get; init; }

    /// <summary>The objective directions, as a JSON array of names: <c>["Minimize","Maximize"]</c>.</summary>
    public required string DirectionsJson { get; init; }

    public int Seed { get; init; }
    public int? BudgetTrials { get; init; }
    public TimeSpan? BudgetWallClock { get; init; }
    public DateTime CreatedAt { get; init; }
    public DateTime? StartedAt { get; set; }

    /// <summary>The dataset version the search learns from; null for searches the trial store alone creates (tests, benchmarks).</summary>
    public string? DatasetId { get; set; }

    public SearchStatus Status { get; set; }

    /// <summary>What the user asked for (target, task, metric, strategy, learners, pruner, folds, ...), as JSON; null for store-only searches.</summary>
    public string? SettingsJson { get; set; }

    /// <summary>The user who started it (Identity user id); null for store-only searches.</summary>
    public string? CreatedBy { get; set; }

    /// <summary>How many workers (Hangfire jobs) run its loop at once.</summary>
    public int Parallelism { get; set; } = 1;

    /// <summary>Workers whose loop has ended; the one that brings this to <see cref="Parallelism"/> finishes the search.</summary>
    public int WorkersFinished { get; set; }

    public DateTime? FinishedAt { get; set; }

    /// <summary>
    /// Why the search failed, in words for the user; on a Completed search, a note on how its model was chosen (no trial
    /// finished inside the budget, so the best cut one was refitted). The API shows the one as <c>error</c>, the other as <c>note</c>.
    /// </summary>
    public string? Error { get; set; }

    /// <summary>The winner's model, once refitted and tested.</summary>
    public string? BestModelId { get; set; }
}

/// <summary>Where a search is in its life; the API's <c>status</c>, lower-cased.</summary>
public enum SearchStatus
{
    Queued,
    Running,
    Completed,
    Cancelled,
    Failed,
}
