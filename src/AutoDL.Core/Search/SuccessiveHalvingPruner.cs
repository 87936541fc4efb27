namespace AutoDL.Core.Search;

/// <summary>Settings of <see cref="SuccessiveHalvingPruner"/>; the defaults are Optuna 3.1's.</summary>
/// <param name="MinResource">r: the step of the first rung is r × η^s; null for Optuna's "auto": the largest last step
/// of the Complete trials divided by 100 (at least 1), and no pruning before a trial completes.</param>
/// <param name="ReductionFactor">η: a rung promotes the best 1/η of the trials that reached it; rung k sits at step
/// r × η^(s + k).</param>
/// <param name="MinEarlyStoppingRate">s: how many rungs to skip at the start.</param>
/// <param name="BootstrapCount">How many trials must reach a rung before it promotes any (the trials until then are
/// pruned); needs an explicit <paramref name="MinResource"/>.</param>
public sealed record SuccessiveHalvingOptions(int? MinResource = null, int ReductionFactor = 4, int MinEarlyStoppingRate = 0, int BootstrapCount = 0)
{
    public string? Problem() =>
        MinResource is < 1 ? $"the minimum resource must be at least 1 (or automatic), not {MinResource}"
        : ReductionFactor < 2 ? $"the reduction factor must be at least 2, not {ReductionFactor}"
        : MinEarlyStoppingRate < 0 ? $"the minimum early-stopping rate cannot be negative, not {MinEarlyStoppingRate}"
        : BootstrapCount < 0 ? $"the bootstrap count cannot be negative, not {BootstrapCount}"
        : BootstrapCount > 0 && MinResource is null ? "a bootstrap count needs an explicit minimum resource"
        : null;
}

/// <summary>
/// Asynchronous successive halving (ASHA, Li et al. 2020) as Optuna 3.1's SuccessiveHalvingPruner decides it, but a
/// pure function of the trial list. Optuna records, in each trial, the value it had when it first reached each rung
/// and compares against those records; here a trial's value at rung k is derived from its intermediate values: the
/// first non-NaN value reported at a step at or past the rung's step. This matches Optuna whenever the pruner is asked
/// after every report. Where a trial jumped past several rungs in one report and was pruned there, Optuna records only
/// the rungs up to the one that pruned it while this counts it in all of them. With "auto" the minimum resource is
/// recomputed from the Complete trials on every decision, and every trial counts at every rung it reached. Optuna
/// fixes the minimum resource at its first estimate (the same whenever trials run the same number of steps) and,
/// having had no rung steps before that estimate, records no rungs for the trials that ran before the first one
/// completed: they never compete there. (Trials here compete as if the estimate had been known from the start.)
/// </summary>
public sealed class SuccessiveHalvingPruner : IPruner
{
    public SuccessiveHalvingPruner(SuccessiveHalvingOptions? options = null)
    {
        Options = options ?? new SuccessiveHalvingOptions();
        if (Options.Problem() is { } problem)
        {
            throw new ArgumentException($"The successive halving settings are not valid: {problem}.", nameof(options));
        }
    }

    public SuccessiveHalvingOptions Options { get; }

    public bool ShouldPrune(PruningContext context)
    {
        var trial = context.Trial;
        if (trial.LastIntermediate is not { } last || (Options.MinResource ?? EstimateMinResource(context.Trials)) is not { } minResource)
        {
            return false;
        }

        var (step, value) = (last.Step, last.Value);
        var earlier = trial.Intermediate.Where(i => i.Step < step).ToList();
        var rung = 0;
        while (RungValue(earlier, RungStep(minResource, rung)) is not null)
        {
            rung++;
        }

        var others = context.Trials.Where(t => t.Number != trial.Number).ToList();
        for (; ; rung++)
        {
            var rungStep = RungStep(minResource, rung);
            if (step < rungStep)
            {
                return false;
            }

            if (double.IsNaN(value))
            {
                return true;
            }

            var competing = others.Select(t => RungValue(t.Intermediate, rungStep)).OfType<double>().Append(value).ToList();
            if (competing.Count <= Options.BootstrapCount || !IsPromotable(value, competing, context.Direction))
            {
                return true;
            }
        }
    }

    /// <summary>The step of rung <paramref name="rung"/>: r × η^(s + rung), saturating instead of overflowing.</summary>
    private long RungStep(int minResource, int rung)
    {
        var step = (long)minResource;
        for (var i = 0; i < Options.MinEarlyStoppingRate + rung && step <= int.MaxValue; i++)
        {
            step *= Options.ReductionFactor;
        }

        return step;
    }

    /// <summary>What a trial recorded at the rung at <paramref name="rungStep"/>: its first non-NaN value reported there or later.</summary>
    private static double? RungValue(IEnumerable<IntermediateValue> reported, long rungStep) =>
        reported.Where(i => i.Step >= rungStep && !double.IsNaN(i.Value)).OrderBy(i => i.Step).Select(i => (double?)i.Value).FirstOrDefault();

    /// <summary>Optuna's rule: in the best 1/η of the competing values (the current one included); the best one while fewer than η compete.</summary>
    private bool IsPromotable(double value, List<double> competing, Direction direction)
    {
        var index = Math.Max(competing.Count / Options.ReductionFactor - 1, 0);
        competing.Sort();
        return direction == Direction.Maximize ? value >= competing[^(index + 1)] : value <= competing[index];
    }

    /// <summary>Optuna's "auto": the largest last step among Complete trials, divided by 100, at least 1; null before any completes.</summary>
    private static int? EstimateMinResource(IEnumerable<Trial> trials)
    {
        var lastSteps = trials.Where(t => t.State == TrialState.Complete && t.LastIntermediate is not null)
            .Select(t => t.LastIntermediate!.Step)
            .ToList();
        return lastSteps.Count == 0 ? null : Math.Max(lastSteps.Max() / 100, 1);
    }
}
