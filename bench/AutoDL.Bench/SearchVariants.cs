using System.Globalization;
using AutoDL.Core.Search;
using AutoDL.Core.Search.Tpe;

namespace AutoDL.Bench;

/// <summary>
/// Our TPE's and evolution's configurations against each other on issue 4's functions, over many seeds: the measurements behind the
/// product's choices (Optuna 3.1's kernel density by default; univariate rather than multivariate, grouped TPE for the
/// tabular search). No peer runs here; <c>bench/search.sh</c> is the comparison with Optuna.
/// </summary>
public static class SearchVariants
{
    private static readonly Dictionary<string, Func<ISampler>> Variants = new()
    {
        ["tpe"] = () => new TpeSampler(),
        ["tpe-normalised"] = () => new TpeSampler(new TpeOptions { Optuna31Density = false }),
        ["tpe-multivariate-group"] = () => new TpeSampler(new TpeOptions { Multivariate = true, Group = true }),
        ["tpe-multivariate-group-normalised"] = () => new TpeSampler(new TpeOptions { Multivariate = true, Group = true, Optuna31Density = false }),
        ["tpe-endpoints"] = () => new TpeSampler(new TpeOptions { ConsiderEndpoints = true }),
        ["tpe-100-candidates"] = () => new TpeSampler(new TpeOptions { EiCandidates = 100 }),
        ["tpe-prior-weight-2"] = () => new TpeSampler(new TpeOptions { PriorWeight = 2 }),
        ["evolution-fresh-draws"] = () => new EvolutionSampler(new EvolutionOptions(MutationScale: 0)),
        ["evolution-steps-0.05"] = () => new EvolutionSampler(new EvolutionOptions(MutationScale: 0.05)),
        ["evolution-steps-0.1"] = () => new EvolutionSampler(new EvolutionOptions(MutationScale: 0.1)),
        ["evolution-steps-0.2"] = () => new EvolutionSampler(new EvolutionOptions(MutationScale: 0.2)),
        ["evolution-steps-0.1-p10"] = () => new EvolutionSampler(new EvolutionOptions(PopulationSize: 10, SampleSize: 3, MutationScale: 0.1)),
    };

    public static async Task<int> RunAsync(string[] args)
    {
        var seeds = args.SkipWhile(a => a != "--seeds").Skip(1).Select(int.Parse).FirstOrDefault(100);
        var pick = args.SkipWhile(a => a != "--variants").Skip(1).FirstOrDefault()?.Split(',');
        var variants = Variants.Where(v => pick is null || pick.Contains(v.Key)).ToList();
        Console.WriteLine($"TPE variants: {seeds} seeds per function; final best: median, IQR, seeds within 0.01 of the optimum.");
        foreach (var function in SearchFunctions.All)
        {
            Console.WriteLine();
            Console.WriteLine($"{function.Name}, {function.Trials} trials (optimum {function.Optimum.ToString(CultureInfo.InvariantCulture)})");
            foreach (var (name, create) in variants)
            {
                var finals = new List<double>();
                for (var seed = 0; seed < seeds; seed++)
                {
                    var store = new InMemoryTrialStore();
                    var id = await store.CreateSearchAsync(new SearchSpec(function.Space, [Direction.Minimize], seed, new Budget(function.Trials)), CancellationToken.None);
                    var runner = new SearchRunner(store, create(), new NopPruner(), TimeProvider.System, new SearchRunnerOptions());
                    await runner.RunAsync(id, "bench", (trial, _) => Task.FromResult<IReadOnlyList<double>>([function.Evaluate(trial.Parameters)]), CancellationToken.None);
                    finals.Add((await store.GetTrialsAsync(id, CancellationToken.None)).Min(t => t.Value ?? double.PositiveInfinity));
                }

                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {name,-36} {Stats.Median(finals),12:0.####}  [{Stats.Quantile(finals, 0.25):0.####}, {Stats.Quantile(finals, 0.75):0.####}]  {finals.Count(v => v - function.Optimum < 0.01),4}/{seeds}"));
            }
        }

        return 0;
    }
}
