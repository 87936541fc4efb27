using AutoDL.Core.Search;
using AutoDL.Core.Search.Tpe;
using AutoDL.Learners.Tabular;

namespace AutoDL.Jobs.Searches;

/// <summary>The sampler and pruner a search's settings call for: one place, for the search job and the benchmarks.</summary>
public static class SearchStrategies
{
    /// <summary>
    /// Random search samples at random from the first trial; TPE and evolution first try each learner at its defaults
    /// (<see cref="TabularSearchSpace.StartingPoints"/>), then explore.
    /// </summary>
    public static ISampler Sampler(SearchSettings settings, SearchSpace space) => Sampler(settings, TabularSearchSpace.StartingPoints(space));

    /// <summary>As <see cref="Sampler(SearchSettings, SearchSpace)"/>, starting from <paramref name="startingPoints"/> (a workload's).</summary>
    public static ISampler Sampler(SearchSettings settings, IReadOnlyList<IReadOnlyDictionary<string, double>> startingPoints) => settings.Strategy switch
    {
        SearchStrategy.Random => new RandomSampler(),
        SearchStrategy.Nsga2 => new WarmStartSampler(startingPoints, new NsgaIISampler()),
        _ => new WarmStartSampler(startingPoints, Explorer(settings)),
    };

    private static ISampler Explorer(SearchSettings settings) => settings.Strategy switch
    {
        SearchStrategy.Evolution => new EvolutionSampler(),
        // Univariate TPE, each parameter modelled over the trials that have it (the conditional space: each learner its
        // own parameters). Measured over 100 seeds on issue 4's functions (bench/search.sh variants), the multivariate,
        // grouped TPE was worse on all but Rosenbrock-10, also on the conditional one (37 of 100 seeds at its optimum
        // against 45). The constant liar keeps parallel workers from proposing the same point. Small budgets get fewer
        // random startup trials.
        _ => new TpeSampler(new TpeOptions
        {
            ConstantLiar = settings.Parallelism > 1,
            StartupTrials = settings.Budget.Trials is { } trials ? Math.Clamp(trials / 2, 3, 10) : 10,
        }),
    };

    /// <summary>
    /// Tabular steps are the cross-validation folds: no pruning on the first fold alone. Image steps are epochs: no
    /// pruning in the first three, whose scores say little of where a network ends; ASHA's first rung at epoch 3.
    /// </summary>
    public static IPruner Pruner(SearchSettings settings) => (settings.Pruner, settings.Kind) switch
    {
        (SearchPrunerKind.None, _) => new NopPruner(),
        (SearchPrunerKind.Asha, SearchKind.Images) => new SuccessiveHalvingPruner(new SuccessiveHalvingOptions(MinResource: 3, ReductionFactor: 3)),
        (SearchPrunerKind.Asha, _) => new SuccessiveHalvingPruner(new SuccessiveHalvingOptions(MinResource: 1, ReductionFactor: 3)),
        (_, SearchKind.Images) => new MedianPruner(new PercentilePrunerOptions(StartupTrials: 3, WarmupSteps: 3)),
        _ => new MedianPruner(new PercentilePrunerOptions(StartupTrials: 5, WarmupSteps: 1)),
    };
}
