using AutoDL.Core.Search;

namespace AutoDL.Core.Tests.Search;

/// <summary>
/// Runs learning curves through a pruner as workers would, and as optuna_pruner_reference.py does with Optuna: trials
/// in batches of <c>concurrency</c> advancing in lockstep, each asking the pruner after every report and stopping when
/// pruned; the rest complete with their last value.
/// </summary>
internal static class PrunerReplay
{
    /// <param name="curve">The value trial t reports at step s.</param>
    /// <param name="withOwnEntry">Whether the context lists the judged trial among all trials, as a store would.</param>
    /// <returns>Per trial, the step at which it was pruned, or -1.</returns>
    public static int[] Run(
        IPruner pruner, Direction direction, int concurrency, int trialCount, int steps, Func<int, int, double> curve, bool withOwnEntry = true)
    {
        var trials = new List<Trial>();
        var prunedAt = Enumerable.Repeat(-1, trialCount).ToArray();
        for (var start = 0; start < trialCount; start += concurrency)
        {
            var batch = Enumerable.Range(start, Math.Min(concurrency, trialCount - start)).ToList();
            trials.AddRange(batch.Select(n => new Trial { Number = n, State = TrialState.Running, Params = new Dictionary<string, double>() }));
            for (var step = 0; step < steps; step++)
            {
                foreach (var n in batch.Where(n => trials[n].State == TrialState.Running))
                {
                    trials[n] = trials[n] with { Intermediate = [.. trials[n].Intermediate, new IntermediateValue(step, curve(n, step))] };
                    var others = withOwnEntry ? trials.ToList() : trials.Where(t => t.Number != n).ToList();
                    if (pruner.ShouldPrune(new PruningContext(trials[n], others, direction)))
                    {
                        trials[n] = trials[n] with { State = TrialState.Pruned };
                        prunedAt[n] = step;
                    }
                }
            }

            foreach (var n in batch.Where(n => trials[n].State == TrialState.Running))
            {
                trials[n] = trials[n] with { State = TrialState.Complete, Values = [curve(n, steps - 1)] };
            }
        }

        return prunedAt;
    }
}
