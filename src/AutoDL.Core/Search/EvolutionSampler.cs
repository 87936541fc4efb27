namespace AutoDL.Core.Search;

/// <summary>
/// Settings of <see cref="EvolutionSampler"/>. Real et al. (2019) ran P = 100, S = 25 for 20,000 models; AutoML
/// budgets are a few hundred trials, so the defaults shrink the population to 20 (the random start stays a small part
/// of the budget and the population turns over several times) and keep the paper's S / P = 1/4 selection pressure.
/// </summary>
/// <param name="PopulationSize">P: how many of the most recent Complete trials form the population.</param>
/// <param name="SampleSize">S: how many population members (drawn with replacement) compete in each tournament.</param>
/// <param name="MutationScale">
/// How far a number mutates: the standard deviation of a normal step from the old value, as a share of the range (on
/// the log axis for log scales). 0 gives a fresh draw from the whole distribution, as the paper does. The default 0.2
/// was measured over 60 seeds of issue 4's functions (<c>bench/search.sh variants</c>): against fresh draws, Branin
/// 0.479 against 0.578 (optimum 0.398), Hartmann-6 −3.176 against −3.027, the conditional function 0.064 against
/// 0.409, Rosenbrock-10 even (23,214 against 20,790); smaller steps refine better but cannot cross Rosenbrock's range.
/// </param>
public sealed record EvolutionOptions(int PopulationSize = 20, int SampleSize = 5, double MutationScale = 0.2)
{
    public string? Problem() =>
        PopulationSize < 1 ? $"the population size must be at least 1, not {PopulationSize}"
        : !(MutationScale >= 0) || double.IsInfinity(MutationScale) ? $"the mutation scale must be 0 or more, not {MutationScale}"
        : SampleSize < 1 ? $"the sample size must be at least 1, not {SampleSize}"
        : SampleSize > PopulationSize ? $"the sample size ({SampleSize}) cannot exceed the population size ({PopulationSize})"
        : null;
}

/// <summary>
/// Regularized (aging) evolution, Real et al. 2019, "Regularized Evolution for Image Classifier Architecture Search".
/// <list type="bullet">
/// <item>Until the search has P Complete trials, trials are drawn at random (the paper's random initial population;
/// with parallel workers a few more than P may be random).</item>
/// <item>The population is the P Complete trials with the highest numbers: the oldest dies as each child completes
/// (aging), whatever its score. Failed, pruned and running trials are not members.</item>
/// <item>Tournament: S members drawn uniformly with replacement (as in the paper); the best wins: by the objective
/// for one objective, by non-dominated front then crowding distance over the population for several (NSGA-II's
/// crowded comparison). Ties go to the younger trial.</item>
/// <item>The child is the winner with exactly one active, searchable gene changed (picked uniformly among active
/// parameters that have more than one value): categoricals take another choice uniformly, numbers a normal step from
/// the old value (<see cref="EvolutionOptions.MutationScale"/> of the range, on the log axis for log scales, on the grid
/// for steps) to a different value. The paper resamples the element uniformly (scale 0 does that); on continuous
/// parameters local steps search better. Then the space is walked in order: parameters the change activates get fresh
/// draws, ones it deactivates are dropped. With no searchable gene the child is a copy of the winner.</item>
/// </list>
/// </summary>
public sealed class EvolutionSampler : ISampler
{
    private static readonly RandomSampler RandomStart = new();

    public EvolutionSampler(EvolutionOptions? options = null)
    {
        Options = options ?? new EvolutionOptions();
        if (Options.Problem() is { } problem)
        {
            throw new ArgumentException($"The evolution settings are not valid: {problem}.", nameof(options));
        }
    }

    public EvolutionOptions Options { get; }

    public IReadOnlyDictionary<string, double> Sample(SamplingContext context)
    {
        var population = Population(context.Trials, context.Directions.Count);
        if (population.Count < Options.PopulationSize)
        {
            return RandomStart.Sample(context);
        }

        var winner = Tournament(population, context.Directions, context.Random);
        return Mutate(context.Space, winner.Params, context.Random, Options.MutationScale);
    }

    /// <summary>The P most recent (highest-numbered) Complete trials, oldest first; fewer while the search is young.</summary>
    public IReadOnlyList<Trial> Population(IEnumerable<Trial> trials, int objectives) =>
        trials.Where(t => t.State == TrialState.Complete && t.Values?.Count == objectives)
            .OrderBy(t => t.Number)
            .TakeLast(Options.PopulationSize)
            .ToList();

    /// <summary>
    /// The winner's parameters with one active, searchable gene given a different value, the space re-walked so
    /// conditions hold. A copy when no gene can change.
    /// </summary>
    /// <param name="scale">The numbers' step (<see cref="EvolutionOptions.MutationScale"/>); 0 for a fresh draw.</param>
    public static Dictionary<string, double> Mutate(SearchSpace space, IReadOnlyDictionary<string, double> winner, Random random, double scale)
    {
        var genes = space.Parameters
            .Where(p => !p.Distribution.IsSingle && Offspring.ValueOf(winner, p) is not null && space.IsActive(p, winner))
            .ToList();
        if (genes.Count == 0)
        {
            return Offspring.Walk(space, random, (spec, _) => Offspring.ValueOf(winner, spec));
        }

        var gene = genes[random.Next(genes.Count)];
        var mutated = scale > 0
            ? Offspring.StepOtherThan(gene.Distribution, winner[gene.Name], scale, random)
            : Offspring.DrawOtherThan(gene.Distribution, winner[gene.Name], random);
        return Offspring.Walk(space, random, (spec, _) => spec.Name == gene.Name ? mutated : Offspring.ValueOf(winner, spec));
    }

    private Trial Tournament(IReadOnlyList<Trial> population, IReadOnlyList<Direction> directions, Random random)
    {
        var ranks = directions.Count > 1 ? MultiObjective.CrowdedRanks(population, directions) : null;
        Trial? winner = null;
        for (var i = 0; i < Options.SampleSize; i++)
        {
            var candidate = population[random.Next(population.Count)];
            if (winner is null || Beats(candidate, winner))
            {
                winner = candidate;
            }
        }

        return winner!;

        bool Beats(Trial a, Trial b)
        {
            if (ranks is not null)
            {
                var (ra, rb) = (ranks[a.Number], ranks[b.Number]);
                if (MultiObjective.IsBetter(ra, rb) || MultiObjective.IsBetter(rb, ra))
                {
                    return MultiObjective.IsBetter(ra, rb);
                }
            }
            else
            {
                var (va, vb) = (MultiObjective.Minimized(a.Values![0], directions[0]), MultiObjective.Minimized(b.Values![0], directions[0]));
                if (va != vb)
                {
                    return va < vb;
                }
            }

            return a.Number > b.Number;
        }
    }
}
