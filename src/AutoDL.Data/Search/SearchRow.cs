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
