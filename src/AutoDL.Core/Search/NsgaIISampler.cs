namespace AutoDL.Core.Search;

/// <summary>Settings of <see cref="NsgaIISampler"/>; the defaults are Optuna 3.1's.</summary>
/// <param name="PopulationSize">Complete trials per generation, and the size of the parent population.</param>
/// <param name="MutationProbability">Chance that each parameter of a child is redrawn at random; null: 1 / (the
/// child's active searchable parameters).</param>
/// <param name="CrossoverProbability">Chance that a child mixes two parents; otherwise it copies one parent.</param>
/// <param name="SwappingProbability">In a crossover, the chance that a parameter comes from the first parent rather
/// than the second.</param>
public sealed record NsgaIIOptions(
    int PopulationSize = 50,
    double? MutationProbability = null,
    double CrossoverProbability = 0.9,
    double SwappingProbability = 0.5)
{
    public string? Problem() =>
        PopulationSize < 2 ? $"the population size must be at least 2, not {PopulationSize}"
        : MutationProbability is { } m && !(m is >= 0 and <= 1) ? $"the mutation probability must be within [0, 1], not {m}"
        : !(CrossoverProbability is >= 0 and <= 1) ? $"the crossover probability must be within [0, 1], not {CrossoverProbability}"
        : !(SwappingProbability is >= 0 and <= 1) ? $"the swapping probability must be within [0, 1], not {SwappingProbability}"
        : null;
}

/// <summary>
/// NSGA-II (Deb et al. 2002, "A fast and elitist multiobjective genetic algorithm"), following Optuna 3.1's
/// NSGAIISampler, with the generations derived from the trial list alone.
/// <list type="bullet">
/// <item>Generations: walking the trials by number, a generation takes trials until it holds P Complete ones; the next
/// trial opens the next generation. Failed and pruned trials belong to their generation without filling it, so, as in
/// Optuna, it takes more trials. Trials of generation 0 are drawn at random.</item>
/// <item>Parent population of generation g: the P elite of generation g - 1's Complete trials together with g - 1's
/// own parents (g = 1: generation 0 alone), by non-dominated front and, within the front that does not fit whole, by
/// crowding distance (ties to the lower number).</item>
/// <item>A child: with the crossover probability, two parents each chosen by binary tournament on domination (the
/// second from the population without the first), mixed by uniform crossover; otherwise one parent uniformly. Then
/// each parameter is redrawn at random with the mutation probability.</item>
/// <item>Conditionals: crossover and mutation walk the space in order, so a parameter is judged active on the child's
/// own values. An active parameter takes a value from a parent that had it (from either at random when both did), a
/// fresh draw when neither did; inactive ones are dropped. (Optuna instead crosses only parameters every trial has and
/// draws conditional ones at random.)</item>
/// </list>
/// </summary>
public sealed class NsgaIISampler : ISampler
{
    private static readonly RandomSampler RandomStart = new();

    public NsgaIISampler(NsgaIIOptions? options = null)
    {
        Options = options ?? new NsgaIIOptions();
        if (Options.Problem() is { } problem)
        {
            throw new ArgumentException($"The NSGA-II settings are not valid: {problem}.", nameof(options));
        }
    }

    public NsgaIIOptions Options { get; }

    public IReadOnlyDictionary<string, double> Sample(SamplingContext context)
    {
        var parents = ParentPopulation(context.Trials, context.Directions);
        if (parents.Count == 0)
        {
            return RandomStart.Sample(context);
        }

        var random = context.Random;
        var space = context.Space;
        Dictionary<string, double> child;
        if (parents.Count >= 2 && random.NextDouble() < Options.CrossoverProbability)
        {
            var first = BinaryTournament(parents, context.Directions, random);
            var second = BinaryTournament(parents.Where(p => p.Number != first.Number).ToList(), context.Directions, random);
            child = Offspring.Walk(space, random, (spec, _) =>
                (Offspring.ValueOf(first.Params, spec), Offspring.ValueOf(second.Params, spec)) switch
                {
                    ({ } a, { } b) => random.NextDouble() < Options.SwappingProbability ? a : b,
                    ({ } a, null) => a,
                    (null, var b) => b,
                });
        }
        else
        {
            var parent = parents[random.Next(parents.Count)];
            child = Offspring.Walk(space, random, (spec, _) => Offspring.ValueOf(parent.Params, spec));
        }

        var searchable = child.Keys.Count(name => !space[name].Distribution.IsSingle);
        var mutation = Options.MutationProbability ?? 1.0 / Math.Max(1, searchable);
        return Offspring.Walk(space, random, (spec, _) =>
            child.TryGetValue(spec.Name, out var value) && random.NextDouble() >= mutation ? value : null);
    }

    /// <summary>
    /// The generation of every trial, by trial number: a generation takes trials in number order until P of them are
    /// Complete. A running trial that completes later closes its generation sooner, moving the trials after it to the
    /// next generation: generations of the trials still in flight are provisional.
    /// </summary>
    public IReadOnlyDictionary<int, int> Generations(IEnumerable<Trial> trials, int objectives)
    {
        var generations = new Dictionary<int, int>();
        var (generation, complete) = (0, 0);
        foreach (var trial in trials.OrderBy(t => t.Number))
        {
            generations[trial.Number] = generation;
            if (IsComplete(trial, objectives) && ++complete == Options.PopulationSize)
            {
                (generation, complete) = (generation + 1, 0);
            }
        }

        return generations;
    }

    /// <summary>
    /// The parents of the next trial: the elite carried through every full generation so far; empty while the first
    /// generation is not full (the next trial is then drawn at random).
    /// </summary>
    public IReadOnlyList<Trial> ParentPopulation(IEnumerable<Trial> trials, IReadOnlyList<Direction> directions)
    {
        IReadOnlyList<Trial> parents = [];
        var members = new List<Trial>();
        foreach (var trial in trials.OrderBy(t => t.Number))
        {
            if (!IsComplete(trial, directions.Count))
            {
                continue;
            }

            members.Add(trial);
            if (members.Count == Options.PopulationSize)
            {
                parents = Elite([.. members, .. parents], directions);
                members.Clear();
            }
        }

        return parents;
    }

    private List<Trial> Elite(List<Trial> candidates, IReadOnlyList<Direction> directions)
    {
        var elite = new List<Trial>(Options.PopulationSize);
        foreach (var front in MultiObjective.NonDominatedFronts(candidates, directions))
        {
            if (elite.Count + front.Count <= Options.PopulationSize)
            {
                elite.AddRange(front);
                continue;
            }

            var distances = MultiObjective.CrowdingDistances(front);
            elite.AddRange(Enumerable.Range(0, front.Count)
                .OrderByDescending(i => distances[i])
                .ThenBy(i => front[i].Number)
                .Take(Options.PopulationSize - elite.Count)
                .Select(i => front[i]));
            break;
        }

        return elite;
    }

    /// <summary>Optuna's parent selection: two candidates drawn with replacement; the first wins only if it dominates.</summary>
    private static Trial BinaryTournament(IReadOnlyList<Trial> population, IReadOnlyList<Direction> directions, Random random)
    {
        var first = population[random.Next(population.Count)];
        var second = population[random.Next(population.Count)];
        return MultiObjective.Dominates(first, second, directions) ? first : second;
    }

    private static bool IsComplete(Trial trial, int objectives) => trial.State == TrialState.Complete && trial.Values?.Count == objectives;
}
