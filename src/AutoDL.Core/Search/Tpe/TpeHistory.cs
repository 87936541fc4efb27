namespace AutoDL.Core.Search.Tpe;

/// <summary>
/// The trials TPE learns from, ranked and split as Optuna 3.1's <c>_get_observation_pairs</c> and
/// <c>_split_observation_pairs</c> do: complete trials by value (negated when maximising), then pruned ones (more
/// steps first, then by their last intermediate value; NaN last; none reported after those), then, with the constant
/// liar, running ones. The best <c>gamma(n)</c> of the n finished trials are "below" (good), the rest "above"; running
/// trials always rank last, so they are always above. Failed trials, and complete ones without a value (Optuna fails those), are left out.
/// </summary>
internal sealed class TpeHistory
{
    /// <summary>The observed trials, in number order.</summary>
    public IReadOnlyList<Trial> Trials { get; }

    /// <summary>Per observed trial: whether it is among the good ones.</summary>
    public bool[] IsBelow { get; }

    /// <summary>How many observed trials are finished (complete or pruned): what startup and gamma count.</summary>
    public int FinishedCount { get; }

    private TpeHistory(IReadOnlyList<Trial> trials, bool[] isBelow, int finishedCount)
    {
        Trials = trials;
        IsBelow = isBelow;
        FinishedCount = finishedCount;
    }

    public static TpeHistory Create(IReadOnlyList<Trial> trials, Direction direction, bool constantLiar, Func<int, int> gamma)
    {
        var sign = direction == Direction.Maximize ? -1.0 : 1.0;
        var observed = new List<Trial>(trials.Count);
        var ranks = new List<(double Step, double Score)>(trials.Count);
        var finished = 0;
        foreach (var trial in InNumberOrder(trials))
        {
            switch (trial.State)
            {
                case TrialState.Complete when trial.Values is [var value, ..] && !double.IsNaN(value):
                    ranks.Add((double.NegativeInfinity, sign * value));
                    finished++;
                    break;
                case TrialState.Pruned:
                    ranks.Add(trial.LastIntermediate is { } last
                        ? (-last.Step, double.IsNaN(last.Value) ? double.PositiveInfinity : sign * last.Value)
                        : (1, 0.0));
                    finished++;
                    break;
                case TrialState.Running when constantLiar:
                    ranks.Add((double.PositiveInfinity, sign * double.PositiveInfinity));
                    break;
                default:
                    continue;
            }

            observed.Add(trial);
        }

        // Stable sort by (step, score): ties keep trial order, as NumPy's stable argsort of the structured array.
        var order = new int[observed.Count];
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        Array.Sort(order, (x, y) =>
        {
            var byStep = ranks[x].Step.CompareTo(ranks[y].Step);
            if (byStep != 0)
            {
                return byStep;
            }

            var byScore = ranks[x].Score.CompareTo(ranks[y].Score);
            return byScore != 0 ? byScore : x.CompareTo(y);
        });

        var isBelow = new bool[observed.Count];
        var belowCount = Math.Clamp(gamma(finished), 0, observed.Count);
        for (var i = 0; i < belowCount; i++)
        {
            isBelow[order[i]] = true;
        }

        return new TpeHistory(observed, isBelow, finished);
    }

    /// <summary>
    /// The values of <paramref name="names"/> in the good (<paramref name="below"/>) or bad trials that have all of
    /// them, oldest first: one column per name. Values their <paramref name="distributions"/> do not contain (from
    /// before an edit of the space) are left out with their trial.
    /// </summary>
    public double[][] Observations(IReadOnlyList<string> names, IReadOnlyList<Distribution> distributions, bool below)
    {
        var rows = new List<int>();
        for (var i = 0; i < Trials.Count; i++)
        {
            if (IsBelow[i] == below && HasAll(Trials[i], names, distributions))
            {
                rows.Add(i);
            }
        }

        var columns = new double[names.Count][];
        for (var p = 0; p < names.Count; p++)
        {
            var column = new double[rows.Count];
            for (var r = 0; r < rows.Count; r++)
            {
                column[r] = Trials[rows[r]].Params[names[p]];
            }

            columns[p] = column;
        }

        return columns;
    }

    private static bool HasAll(Trial trial, IReadOnlyList<string> names, IReadOnlyList<Distribution> distributions)
    {
        for (var p = 0; p < names.Count; p++)
        {
            if (!trial.Params.TryGetValue(names[p], out var value) || !distributions[p].Contains(value))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The trials by number (stores give them so; sorting only when they are not keeps the common case cheap).</summary>
    internal static IReadOnlyList<Trial> InNumberOrder(IReadOnlyList<Trial> trials)
    {
        for (var i = 1; i < trials.Count; i++)
        {
            if (trials[i].Number < trials[i - 1].Number)
            {
                return trials.OrderBy(t => t.Number).ToList();
            }
        }

        return trials;
    }
}
