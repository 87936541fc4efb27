namespace AutoDL.Core.Search;

/// <summary>Settings of <see cref="PercentilePruner"/> and <see cref="MedianPruner"/>; the defaults are Optuna 3.1's.</summary>
/// <param name="StartupTrials">No pruning until this many trials are Complete.</param>
/// <param name="WarmupSteps">No pruning at steps below this (steps are assumed to start at 0).</param>
/// <param name="IntervalSteps">Judge only at the first report in each interval of this many steps after the warmup.</param>
/// <param name="MinTrials">No pruning at a step that fewer than this many Complete trials reported (NaN values count).</param>
public sealed record PercentilePrunerOptions(int StartupTrials = 5, int WarmupSteps = 0, int IntervalSteps = 1, int MinTrials = 1)
{
    public string? Problem() =>
        StartupTrials < 0 ? $"the startup trials cannot be negative, not {StartupTrials}"
        : WarmupSteps < 0 ? $"the warmup steps cannot be negative, not {WarmupSteps}"
        : IntervalSteps < 1 ? $"the interval must be at least 1 step, not {IntervalSteps}"
        : MinTrials < 1 ? $"the minimum number of trials must be at least 1, not {MinTrials}"
        : null;
}

/// <summary>
/// Optuna 3.1's PercentilePruner, line for line: prunes when the trial's best intermediate value so far (NaNs
/// ignored) is worse than the given percentile of the Complete trials' values at the step just reported (numpy's
/// linear interpolation, NaNs ignored; for maximizing, the 100 - p percentile). A trial whose values are all NaN is
/// pruned; a percentile of only NaNs prunes nothing.
/// </summary>
public class PercentilePruner : IPruner
{
    private readonly double _percentile;

    /// <param name="percentile">0 to 100: e.g. 25 keeps trials in the best quarter.</param>
    public PercentilePruner(double percentile, PercentilePrunerOptions? options = null)
    {
        if (!(percentile is >= 0 and <= 100))
        {
            throw new ArgumentOutOfRangeException(nameof(percentile), percentile, "The percentile must be within [0, 100].");
        }

        Options = options ?? new PercentilePrunerOptions();
        if (Options.Problem() is { } problem)
        {
            throw new ArgumentException($"The pruner settings are not valid: {problem}.", nameof(options));
        }

        _percentile = percentile;
    }

    public PercentilePrunerOptions Options { get; }

    public bool ShouldPrune(PruningContext context)
    {
        var trial = context.Trial;
        var completed = context.Trials.Where(t => t.State == TrialState.Complete && t.Number != trial.Number).ToList();
        if (completed.Count == 0 || completed.Count < Options.StartupTrials || trial.Intermediate.Count == 0)
        {
            return false;
        }

        var step = context.Step;
        if (step < Options.WarmupSteps || !IsFirstInInterval(step, trial.Intermediate))
        {
            return false;
        }

        var maximize = context.Direction == Direction.Maximize;
        var reported = trial.Intermediate.Select(i => i.Value).Where(v => !double.IsNaN(v)).ToList();
        if (reported.Count == 0)
        {
            return true;
        }

        var best = maximize ? reported.Max() : reported.Min();
        var atStep = completed
            .SelectMany(t => t.Intermediate.Where(i => i.Step == step).Select(i => i.Value))
            .ToList();
        if (atStep.Count < Options.MinTrials)
        {
            return false;
        }

        var threshold = NanPercentile(atStep, maximize ? 100 - _percentile : _percentile);
        return !double.IsNaN(threshold) && (maximize ? best < threshold : best > threshold);
    }

    /// <summary>
    /// Whether no earlier report falls in the current pruning interval (Optuna's _is_first_in_interval_step), so a
    /// trial is judged once per interval, at its first report in it.
    /// </summary>
    private bool IsFirstInInterval(int step, IReadOnlyList<IntermediateValue> reported)
    {
        var intervalStart = (step - Options.WarmupSteps) / Options.IntervalSteps * Options.IntervalSteps + Options.WarmupSteps;
        var previous = reported.Where(i => i.Step != step).Select(i => i.Step).DefaultIfEmpty(-1).Max();
        return previous < intervalStart;
    }

    /// <summary>numpy.nanpercentile with its default linear method (Hyndman and Fan's 7th), to the last bit.</summary>
    internal static double NanPercentile(IEnumerable<double> values, double percentile)
    {
        var sorted = values.Where(v => !double.IsNaN(v)).Order().ToList();
        if (sorted.Count == 0)
        {
            return double.NaN;
        }

        var n = sorted.Count;
        var q = percentile / 100;
        var index = n * q + (1 - q) - 1; // numpy: n * q + (alpha + q * (1 - alpha - beta)) - 1, alpha = beta = 1
        if (index >= n - 1)
        {
            return sorted[^1];
        }

        if (index < 0)
        {
            return sorted[0];
        }

        var below = Math.Floor(index);
        var (a, b) = (sorted[(int)below], sorted[(int)below + 1]);
        var t = index - below;
        var difference = b - a;
        return t >= 0.5 ? b - difference * (1 - t) : a + difference * t;
    }
}

/// <summary>The median stopping rule: Optuna 3.1's MedianPruner, a <see cref="PercentilePruner"/> at 50.</summary>
public sealed class MedianPruner(PercentilePrunerOptions? options = null) : PercentilePruner(50, options);
