namespace AutoDL.Core.Search;

/// <summary>
/// Proposes known-good points first — trial <c>i</c> gets <c>first[i]</c>, as Optuna's <c>enqueue_trial</c> does —
/// then leaves every later trial to <paramref name="then"/>. Still a pure function of the sampling context (the trial
/// number picks the point), so any worker may ask. A point the space refuses is skipped for <paramref name="then"/>'s.
/// </summary>
/// <remarks>
/// Short budgets are where this matters: a search that can afford eight trials should spend its first ones on each
/// learner's sensible defaults, not on random corners of the space.
/// </remarks>
public sealed class WarmStartSampler(IReadOnlyList<IReadOnlyDictionary<string, double>> first, ISampler then) : ISampler
{
    public IReadOnlyDictionary<string, double> Sample(SamplingContext context) =>
        context.TrialNumber < first.Count && context.Space.Check(first[context.TrialNumber]) is null
            ? first[context.TrialNumber]
            : then.Sample(context);
}
