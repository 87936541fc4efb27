namespace AutoDL.Core.Search;

/// <summary>How much a search may spend: a number of trials, wall-clock time, or both (whichever runs out first).</summary>
public sealed record Budget(int? Trials = null, TimeSpan? WallClock = null)
{
    public string? Problem() =>
        Trials is null && WallClock is null ? "a budget needs a number of trials, a time limit, or both"
        : Trials is <= 0 ? $"the trial budget must be at least 1, not {Trials}"
        : WallClock is { } t && t <= TimeSpan.Zero ? "the time budget must be positive"
        : null;
}

/// <summary>What the store keeps about a search for the search loop: its space, objectives, seed and budget.</summary>
public sealed record SearchSpec(SearchSpace Space, IReadOnlyList<Direction> Directions, int Seed, Budget Budget);

/// <summary>A search as stored: its spec, and when its first trial started (the wall-clock budget counts from then).</summary>
public sealed record StoredSearch(string Id, SearchSpec Spec, DateTimeOffset CreatedAt, DateTimeOffset? StartedAt);

/// <summary>How a trial ended, as its worker tells it; <see cref="Error"/> on a Complete trial is a note (see <see cref="TrialContext.Note"/>).</summary>
public sealed record TrialOutcome(TrialState State, IReadOnlyList<double>? Values = null, string? Error = null)
{
    public static TrialOutcome Complete(params double[] values) => new(TrialState.Complete, values);
    public static TrialOutcome Pruned() => new(TrialState.Pruned);
    public static TrialOutcome Failed(string error) => new(TrialState.Failed, Error: error);
}

/// <summary>
/// Trials are sampled from the store's history by the caller; the store numbers them. The function receives the
/// trial number it will get and every trial so far (running ones included, for the constant liar).
/// </summary>
public delegate IReadOnlyDictionary<string, double> TrialSampler(int number, IReadOnlyList<Trial> trials);

/// <summary>
/// Ask / report / heartbeat / tell over a search's trials, safe for many workers on many machines at once: trial
/// numbers are never duplicated, tells are never lost, and the trial budget is never exceeded.
/// </summary>
public interface ITrialStore
{
    /// <exception cref="ArgumentException">The spec is not valid (the message says why).</exception>
    Task<string> CreateSearchAsync(SearchSpec spec, CancellationToken cancellationToken);

    /// <exception cref="KeyNotFoundException">No search has that id.</exception>
    Task<StoredSearch> GetSearchAsync(string searchId, CancellationToken cancellationToken);

    /// <summary>Every trial of the search, in number order.</summary>
    Task<IReadOnlyList<Trial>> GetTrialsAsync(string searchId, CancellationToken cancellationToken);

    /// <summary>
    /// Atomically: when the trial budget has room (trials that are not stale-failed count), gives the next number,
    /// samples with <paramref name="sample"/> and stores a Running trial. Null when the trial budget is spent.
    /// </summary>
    Task<Trial?> AskAsync(string searchId, string worker, TrialSampler sample, CancellationToken cancellationToken);

    /// <exception cref="InvalidOperationException">The trial is not Running.</exception>
    Task ReportAsync(string searchId, int number, int step, double value, CancellationToken cancellationToken);

    /// <exception cref="InvalidOperationException">The trial is not Running (e.g. it was failed as stale).</exception>
    Task HeartbeatAsync(string searchId, int number, CancellationToken cancellationToken);

    /// <exception cref="InvalidOperationException">The trial is not Running, or the outcome does not fit the search.</exception>
    Task TellAsync(string searchId, int number, TrialOutcome outcome, CancellationToken cancellationToken);

    /// <summary>Fails (as stale) every Running trial whose last heartbeat is older than <paramref name="timeout"/>.</summary>
    /// <returns>How many trials were failed.</returns>
    Task<int> FailStaleTrialsAsync(string searchId, TimeSpan timeout, CancellationToken cancellationToken);
}

/// <summary>The checks every store makes the same way.</summary>
public static class TrialStoreRules
{
    public static void ValidateSpec(SearchSpec spec)
    {
        if (spec.Directions.Count == 0)
        {
            throw new ArgumentException("A search needs at least one objective direction.", nameof(spec));
        }

        if (spec.Budget.Problem() is { } budget)
        {
            throw new ArgumentException($"The budget is not valid: {budget}.", nameof(spec));
        }
    }

    public static void ValidateOutcome(SearchSpec spec, int number, TrialOutcome outcome)
    {
        switch (outcome.State)
        {
            case TrialState.Running:
                throw new InvalidOperationException($"Trial {number}: a tell must finish the trial (Complete, Pruned or Failed), not leave it Running.");
            case TrialState.Complete when outcome.Values is null || outcome.Values.Count != spec.Directions.Count:
                throw new InvalidOperationException(
                    $"Trial {number}: a complete trial of this search needs {spec.Directions.Count} value(s), got {outcome.Values?.Count ?? 0}.");
            case TrialState.Complete when outcome.Values.Any(v => !double.IsFinite(v)):
                throw new InvalidOperationException($"Trial {number}: values must be finite numbers, got [{string.Join(", ", outcome.Values)}].");
        }
    }

    public static void ValidateParams(SearchSpec spec, int number, IReadOnlyDictionary<string, double> parameters)
    {
        if (spec.Space.Check(parameters) is { } problem)
        {
            throw new InvalidOperationException($"Trial {number}: the sampler proposed invalid parameters: {problem}.");
        }
    }

    /// <summary>
    /// The part of an ask every store shares, run under the store's own lock or transaction: null when the trial budget
    /// is spent; otherwise trial <paramref name="number"/>, Running, with parameters sampled from
    /// <paramref name="trials"/> and checked against the space.
    /// </summary>
    public static Trial? StartTrial(
        SearchSpec spec, IReadOnlyList<Trial> trials, int number, string worker, TrialSampler sample, DateTimeOffset now)
    {
        if (spec.Budget.Trials is { } budget && trials.Count(CountsAgainstBudget) >= budget)
        {
            return null;
        }

        var parameters = sample(number, trials);
        ValidateParams(spec, number, parameters);
        return new Trial
        {
            Number = number,
            State = TrialState.Running,
            Params = new Dictionary<string, double>(parameters, StringComparer.Ordinal),
            StartedAt = now,
            HeartbeatAt = now,
            Worker = worker,
        };
    }

    public static InvalidOperationException NotRunning(int number, TrialState state, bool stale) =>
        new($"Trial {number} is {(stale ? "Failed (stale: its heartbeat expired)" : state.ToString())}, not Running.");

    /// <summary>Trials that use up the trial budget: all but those failed as stale (their slot is re-run).</summary>
    public static bool CountsAgainstBudget(Trial trial) => !trial.Stale;
}
