namespace AutoDL.Jobs.Searches;

/// <summary>Search defaults and limits. Bound from <c>AutoDL:Searches</c>.</summary>
public sealed record SearchOptions
{
    public const string Section = "AutoDL:Searches";

    /// <summary>Trials a search may run when the request gives no budget at all.</summary>
    public int DefaultTrials { get; init; } = 20;

    /// <summary>Seconds a search may run when the request gives no budget at all (whichever of the two runs out first).</summary>
    public double DefaultSeconds { get; init; } = 600;

    public int MaxTrials { get; init; } = 10_000;

    /// <summary>Longest time budget a request may ask for (a week).</summary>
    public double MaxSeconds { get; init; } = 7 * 24 * 3600;

    /// <summary>Most workers (Hangfire jobs) one search may run at once.</summary>
    public int MaxParallelism { get; init; } = 8;

    /// <summary>How often a running worker checks whether its search was cancelled (or failed elsewhere).</summary>
    public double StatusPollSeconds { get; init; } = 2;

    /// <summary>How often a running trial tells the store it is alive.</summary>
    public double HeartbeatSeconds { get; init; } = 10;

    /// <summary>A trial silent for this long is failed as stale and its budget slot re-run.</summary>
    public double StaleAfterSeconds { get; init; } = 120;

    /// <summary>
    /// Longest one trial (all its cross-validation folds) may run, in seconds; 0 for no limit but the search's own time
    /// budget. A trial over it is stopped in the middle of its fit and recorded as Failed (timed out), so that one
    /// extravagant configuration cannot eat a long budget.
    /// </summary>
    public double TrialTimeoutSeconds { get; init; }

    /// <summary>Fewest data rows a dataset needs before a search may learn from it.</summary>
    public int MinRows { get; init; } = 10;
}

/// <summary>How neural networks train. Bound from <c>AutoDL:Neural</c>.</summary>
public sealed record NeuralOptions
{
    public const string Section = "AutoDL:Neural";

    /// <summary>
    /// Threads one trial's tensor operations use (TorchSharp's intra-op threads, one setting per process); 0: the
    /// machine's cores shared among the search's workers, so parallel trials do not oversubscribe the cores.
    /// </summary>
    public int ThreadsPerTrial { get; init; }

    /// <summary>The largest epoch cap an image search's trials may draw.</summary>
    public int MaxEpochs { get; init; } = 30;

    /// <summary>The threads for a search with <paramref name="parallelism"/> workers on this machine.</summary>
    public int Threads(int parallelism) =>
        ThreadsPerTrial > 0 ? ThreadsPerTrial : Math.Max(1, Environment.ProcessorCount / Math.Max(1, parallelism));
}
