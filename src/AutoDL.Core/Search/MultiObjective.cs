namespace AutoDL.Core.Search;

/// <summary>
/// Ranking trials on several objectives at once (Deb et al. 2002, as Optuna 3.1 does it): domination, non-dominated
/// sorting into fronts, crowding distance, and the Pareto front, which is a search's result when it has more than one
/// objective.
/// </summary>
public static class MultiObjective
{
    /// <summary>
    /// True when <paramref name="a"/> is at least as good as <paramref name="b"/> on every objective and better on one
    /// (equal values dominate neither way).
    /// </summary>
    public static bool Dominates(IReadOnlyList<double> a, IReadOnlyList<double> b, IReadOnlyList<Direction> directions)
    {
        if (a.Count != directions.Count || b.Count != directions.Count)
        {
            throw new ArgumentException(
                $"Values to compare need one value per objective ({directions.Count}), got {a.Count} and {b.Count}.", nameof(directions));
        }

        var better = false;
        for (var i = 0; i < directions.Count; i++)
        {
            var x = Minimized(a[i], directions[i]);
            var y = Minimized(b[i], directions[i]);
            if (x > y)
            {
                return false;
            }

            better |= x < y;
        }

        return better;
    }

    /// <summary>Whether Complete trial <paramref name="a"/> dominates Complete trial <paramref name="b"/>.</summary>
    public static bool Dominates(Trial a, Trial b, IReadOnlyList<Direction> directions) =>
        Dominates(ValuesOf(a), ValuesOf(b), directions);

    /// <summary>
    /// The Complete trials no other Complete trial dominates, in number order; trials with equal values are all kept.
    /// Other trials are ignored.
    /// </summary>
    public static IReadOnlyList<Trial> ParetoFront(IEnumerable<Trial> trials, IReadOnlyList<Direction> directions)
    {
        var complete = trials.Where(IsComplete).ToList();
        return complete.Count == 0 ? [] : NonDominatedFronts(complete, directions)[0];
    }

    /// <summary>
    /// Fast non-dominated sorting: the first front is the trials nothing dominates, the next is what only the first
    /// dominates, and so on. Every trial lands in exactly one front; each front is in number order.
    /// </summary>
    /// <exception cref="ArgumentException">A trial is not Complete.</exception>
    public static IReadOnlyList<IReadOnlyList<Trial>> NonDominatedFronts(IReadOnlyList<Trial> trials, IReadOnlyList<Direction> directions)
    {
        var values = trials.Select(ValuesOf).ToList();
        var dominatedBy = new int[trials.Count];
        var dominates = trials.Select(_ => new List<int>()).ToList();
        for (var p = 0; p < trials.Count; p++)
        {
            for (var q = p + 1; q < trials.Count; q++)
            {
                if (Dominates(values[p], values[q], directions))
                {
                    dominates[p].Add(q);
                    dominatedBy[q]++;
                }
                else if (Dominates(values[q], values[p], directions))
                {
                    dominates[q].Add(p);
                    dominatedBy[p]++;
                }
            }
        }

        var fronts = new List<IReadOnlyList<Trial>>();
        var current = Enumerable.Range(0, trials.Count).Where(i => dominatedBy[i] == 0).ToList();
        while (current.Count > 0)
        {
            fronts.Add(current.Select(i => trials[i]).OrderBy(t => t.Number).ToList());
            var next = new List<int>();
            foreach (var i in current)
            {
                foreach (var j in dominates[i])
                {
                    if (--dominatedBy[j] == 0)
                    {
                        next.Add(j);
                    }
                }
            }

            current = next;
        }

        return fronts;
    }

    /// <summary>
    /// The crowding distance of each trial of <paramref name="front"/> (same order): summed over objectives, the gap
    /// between its two neighbours on that objective divided by the objective's range. The extreme trials of an
    /// objective get infinity; an objective on which all trials are equal adds nothing. Ties on an objective are
    /// ordered by trial number.
    /// </summary>
    /// <exception cref="ArgumentException">A trial is not Complete.</exception>
    public static double[] CrowdingDistances(IReadOnlyList<Trial> front)
    {
        var distances = new double[front.Count];
        if (front.Count == 0)
        {
            return distances;
        }

        var values = front.Select(ValuesOf).ToList();
        for (var objective = 0; objective < values[0].Count; objective++)
        {
            var order = Enumerable.Range(0, front.Count)
                .OrderBy(i => values[i][objective])
                .ThenBy(i => front[i].Number)
                .ToList();
            var low = values[order[0]][objective];
            var high = values[order[^1]][objective];
            if (low == high)
            {
                continue;
            }

            var width = high - low;
            for (var k = 0; k < order.Count; k++)
            {
                var below = k == 0 ? double.NegativeInfinity : values[order[k - 1]][objective];
                var above = k == order.Count - 1 ? double.PositiveInfinity : values[order[k + 1]][objective];
                distances[order[k]] += (above - below) / width;
            }
        }

        return distances;
    }

    /// <summary>
    /// Trials ranked as NSGA-II's crowded comparison does: by front (lower is better), then by crowding distance within
    /// the front (larger is better). Keyed by trial number.
    /// </summary>
    /// <exception cref="ArgumentException">A trial is not Complete.</exception>
    public static IReadOnlyDictionary<int, CrowdedRank> CrowdedRanks(IReadOnlyList<Trial> trials, IReadOnlyList<Direction> directions)
    {
        var ranks = new Dictionary<int, CrowdedRank>(trials.Count);
        var fronts = NonDominatedFronts(trials, directions);
        for (var f = 0; f < fronts.Count; f++)
        {
            var distances = CrowdingDistances(fronts[f]);
            for (var i = 0; i < fronts[f].Count; i++)
            {
                ranks[fronts[f][i].Number] = new CrowdedRank(f, distances[i]);
            }
        }

        return ranks;
    }

    /// <summary>True when <paramref name="a"/> wins NSGA-II's crowded comparison against <paramref name="b"/>.</summary>
    public static bool IsBetter(CrowdedRank a, CrowdedRank b) => a.Front < b.Front || (a.Front == b.Front && a.Crowding > b.Crowding);

    /// <summary>The value as if every objective were minimized.</summary>
    internal static double Minimized(double value, Direction direction) => direction == Direction.Maximize ? -value : value;

    private static bool IsComplete(Trial trial) => trial.State == TrialState.Complete && trial.Values is not null;

    private static IReadOnlyList<double> ValuesOf(Trial trial) =>
        IsComplete(trial) ? trial.Values! : throw new ArgumentException($"Trial {trial.Number} is {trial.State}, not Complete with values.", nameof(trial));
}

/// <summary>Where a trial stands among others: its non-dominated front (0 is the Pareto front) and crowding distance.</summary>
public readonly record struct CrowdedRank(int Front, double Crowding);
