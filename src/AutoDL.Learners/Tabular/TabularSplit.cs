namespace AutoDL.Learners.Tabular;

/// <summary>One cross-validation fold: rows to fit on and rows to score, as indices into the loaded table.</summary>
public sealed record TabularFold(IReadOnlyList<int> TrainRows, IReadOnlyList<int> ValidationRows);

/// <summary>
/// How a search divides the table (row indices into the loaded table, rows without a target left out): a held-out
/// <see cref="TestRows"/> set no trial sees, and <see cref="Folds"/> over the rest (<see cref="TrainingRows"/>).
/// Both are stratified (by class, or by quantile band of a numeric target) and a pure function of the strata and
/// the seed, so a search and its final refit always agree on which rows are test rows. Every list is sorted.
/// </summary>
public sealed record TabularSplit(IReadOnlyList<int> TestRows, IReadOnlyList<int> TrainingRows, IReadOnlyList<TabularFold> Folds)
{
    /// <summary>Quantile bands a numeric target is cut into for stratifying.</summary>
    public const int RegressionBands = 10;

    /// <param name="strata">Each row's stratum (its class, or its target's quantile band).</param>
    /// <param name="testFraction">Share of rows held out for the final test, in [0, 0.9].</param>
    /// <param name="folds">Cross-validation folds (at least 2) over the other rows.</param>
    /// <param name="holdoutAboveRows">Above this many training rows, one stratified hold-out of <paramref name="holdoutFraction"/> replaces the folds.</param>
    /// <exception cref="ArgumentException">The fractions or fold count are out of range, or too few rows are left to fold.</exception>
    public static TabularSplit Create(
        IReadOnlyList<int> strata, double testFraction, int folds, int seed, int holdoutAboveRows = 100_000, double holdoutFraction = 0.2)
    {
        if (!(testFraction is >= 0 and <= 0.9))
        {
            throw new ArgumentException($"The test fraction must be within [0, 0.9], not {testFraction}.", nameof(testFraction));
        }

        if (folds < 2)
        {
            throw new ArgumentException($"Cross-validation needs at least 2 folds, not {folds}.", nameof(folds));
        }

        if (!(holdoutFraction is > 0 and < 1))
        {
            throw new ArgumentException($"The hold-out fraction must be within (0, 1), not {holdoutFraction}.", nameof(holdoutFraction));
        }

        var random = new Random(seed);
        var all = Enumerable.Range(0, strata.Count).ToList();
        var (test, training) = Stratified(all, strata, testFraction, random);
        if (training.Count < folds)
        {
            throw new ArgumentException($"{training.Count} training rows cannot be split into {folds} folds.", nameof(strata));
        }

        List<TabularFold> foldList;
        if (training.Count > holdoutAboveRows)
        {
            var (validation, train) = Stratified(training, strata, holdoutFraction, random);
            foldList = [new TabularFold(train, validation)];
        }
        else
        {
            foldList = KFold(training, strata, folds, random);
        }

        return new TabularSplit(test, training, foldList);
    }

    /// <summary>Quantile bands of a numeric target (rows in target order cut into equal-sized bands), for stratifying.</summary>
    public static int[] Bands(IReadOnlyList<float> target, int bands = RegressionBands)
    {
        var order = Enumerable.Range(0, target.Count).OrderBy(i => target[i]).ThenBy(i => i).ToArray();
        var result = new int[target.Count];
        var count = Math.Max(1, Math.Min(bands, target.Count / 2));
        for (var rank = 0; rank < order.Length; rank++)
        {
            result[order[rank]] = (int)((long)rank * count / order.Length);
        }

        return result;
    }

    /// <summary>
    /// Takes round(n × fraction) of <paramref name="rows"/>, each stratum contributing its share (largest remainders
    /// get the leftover rows, ties to the larger stratum, then the lower stratum). Rows are drawn after a seeded shuffle.
    /// </summary>
    private static (List<int> Taken, List<int> Others) Stratified(IReadOnlyList<int> rows, IReadOnlyList<int> strata, double fraction, Random random)
    {
        var groups = Groups(rows, strata, random);
        var target = (int)Math.Round(rows.Count * fraction, MidpointRounding.AwayFromZero);
        var quotas = groups.Select(g => g.Value.Count * fraction).ToList();
        var counts = quotas.Select(q => (int)Math.Floor(q)).ToList();
        var leftover = target - counts.Sum();
        foreach (var i in Enumerable.Range(0, groups.Count)
                     .OrderByDescending(i => quotas[i] - counts[i])
                     .ThenByDescending(i => groups[i].Value.Count)
                     .ThenBy(i => groups[i].Key)
                     .Take(Math.Max(0, leftover)))
        {
            counts[i]++;
        }

        var taken = new List<int>(target);
        var others = new List<int>(rows.Count - target);
        for (var g = 0; g < groups.Count; g++)
        {
            taken.AddRange(groups[g].Value.Take(counts[g]));
            others.AddRange(groups[g].Value.Skip(counts[g]));
        }

        taken.Sort();
        others.Sort();
        return (taken, others);
    }

    /// <summary>Deals each stratum's shuffled rows round the folds, carrying on where the last stratum stopped, so folds differ in size by at most one.</summary>
    private static List<TabularFold> KFold(IReadOnlyList<int> rows, IReadOnlyList<int> strata, int folds, Random random)
    {
        var members = Enumerable.Range(0, folds).Select(_ => new List<int>()).ToList();
        var next = 0;
        foreach (var group in Groups(rows, strata, random))
        {
            foreach (var row in group.Value)
            {
                members[next].Add(row);
                next = (next + 1) % folds;
            }
        }

        return members.Select(validation =>
        {
            validation.Sort();
            var held = validation.ToHashSet();
            return new TabularFold(rows.Where(r => !held.Contains(r)).ToList(), validation);
        }).ToList();
    }

    /// <summary>Rows grouped by stratum, strata in ascending order, each group shuffled (Fisher–Yates) with <paramref name="random"/>.</summary>
    private static List<KeyValuePair<int, List<int>>> Groups(IReadOnlyList<int> rows, IReadOnlyList<int> strata, Random random)
    {
        var groups = rows.GroupBy(r => strata[r]).OrderBy(g => g.Key)
            .Select(g => new KeyValuePair<int, List<int>>(g.Key, g.Order().ToList()))
            .ToList();
        foreach (var (_, members) in groups)
        {
            for (var i = members.Count - 1; i > 0; i--)
            {
                var j = random.Next(i + 1);
                (members[i], members[j]) = (members[j], members[i]);
            }
        }

        return groups;
    }
}
