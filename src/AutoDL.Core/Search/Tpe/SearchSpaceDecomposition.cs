namespace AutoDL.Core.Search.Tpe;

/// <summary>
/// Which parameters multivariate TPE models jointly, from the parameters the finished (complete or pruned) trials
/// have: Optuna 3.1's <c>IntersectionSearchSpace(include_pruned=True)</c> and <c>_GroupDecomposedSearchSpace(True)</c>,
/// recomputed from the trials each time (Optuna caches them in the sampler; the result is the same).
/// Parameters are indices into <see cref="SearchSpace.Parameters"/>, in space order.
/// </summary>
internal static class SearchSpaceDecomposition
{
    /// <summary>The parameters every finished trial has; none when no trial has finished.</summary>
    public static List<int> Intersection(SearchSpace space, IReadOnlyList<Trial> trials)
    {
        var result = new List<int>();
        var any = false;
        var inAll = new bool[space.Parameters.Count];
        foreach (var trial in trials)
        {
            if (!IsFinished(trial))
            {
                continue;
            }

            for (var p = 0; p < inAll.Length; p++)
            {
                var present = trial.Params.ContainsKey(space.Parameters[p].Name);
                inAll[p] = any ? inAll[p] && present : present;
            }

            any = true;
        }

        for (var p = 0; p < inAll.Length; p++)
        {
            if (inAll[p])
            {
                result.Add(p);
            }
        }

        return result;
    }

    /// <summary>
    /// The coarsest partition of the parameters the finished trials have such that every trial has either all or none of
    /// each group, built as Optuna does: each trial in turn splits every group into the part it has and the part it
    /// lacks, and adds what no group held yet as a new group.
    /// </summary>
    public static List<List<int>> Groups(SearchSpace space, IReadOnlyList<Trial> trials)
    {
        var groups = new List<List<int>>();
        var present = new bool[space.Parameters.Count];
        var previous = new bool[space.Parameters.Count];
        var hasPrevious = false;
        foreach (var trial in trials)
        {
            if (!IsFinished(trial))
            {
                continue;
            }

            for (var p = 0; p < present.Length; p++)
            {
                present[p] = trial.Params.ContainsKey(space.Parameters[p].Name);
            }

            // A trial with the same parameters as the last one splits nothing (the decomposition is idempotent).
            if (hasPrevious && present.AsSpan().SequenceEqual(previous))
            {
                continue;
            }

            var remaining = (bool[])present.Clone();
            var next = new List<List<int>>(groups.Count * 2 + 1);
            foreach (var group in groups)
            {
                var shared = new List<int>();
                var rest = new List<int>();
                foreach (var p in group)
                {
                    (present[p] ? shared : rest).Add(p);
                    remaining[p] = false;
                }

                next.Add(shared);
                next.Add(rest);
            }

            var added = new List<int>();
            for (var p = 0; p < remaining.Length; p++)
            {
                if (remaining[p])
                {
                    added.Add(p);
                }
            }

            next.Add(added);
            groups = next.Where(g => g.Count > 0).ToList();
            (previous, present) = (present, previous);
            hasPrevious = true;
        }

        return groups;
    }

    private static bool IsFinished(Trial trial) => trial.State is TrialState.Complete or TrialState.Pruned;
}
