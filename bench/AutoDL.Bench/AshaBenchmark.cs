using AutoDL.Core.Search;

namespace AutoDL.Bench;

/// <summary>
/// Synthetic learning curves: each configuration has a final loss and a learning speed, and its loss at step t is
/// final + exp(-t / speed). Slow learners start worse and some finish better, so early ranking is informative but
/// imperfect, as with real training. Compares total steps trained and the best final loss with and without ASHA.
/// </summary>
public static class AshaBenchmark
{
    public const int Trials = 100;
    public const int MaxSteps = 81;

    private static readonly SearchSpace Space = SearchSpace.Create(
        new ParameterSpec("x", new FloatDistribution(0, 1)),
        new ParameterSpec("y", new FloatDistribution(0, 1)));

    public sealed record Result(SuccessiveHalvingOptions Options, double StepsWithout, double StepsWith, double BestWithout, double BestWith);

    /// <summary>The settings compared: the minimum resource decides how early the first cut is made.</summary>
    public static IReadOnlyList<SuccessiveHalvingOptions> Settings { get; } =
    [
        new(MinResource: 1, ReductionFactor: 3),
        new(MinResource: 3, ReductionFactor: 3),
        new(MinResource: 9, ReductionFactor: 3),
        new(MinResource: null, ReductionFactor: 4),
    ];

    public static async Task<IReadOnlyList<Result>> RunAsync(int seeds)
    {
        var without = new List<(double Steps, double Best)>();
        for (var seed = 0; seed < seeds; seed++)
        {
            without.Add(await RunOnceAsync(new NopPruner(), seed));
        }

        var results = new List<Result>();
        foreach (var options in Settings)
        {
            var with = new List<(double Steps, double Best)>();
            for (var seed = 0; seed < seeds; seed++)
            {
                with.Add(await RunOnceAsync(new SuccessiveHalvingPruner(options), seed));
            }

            results.Add(new Result(options,
                Stats.Median(without.Select(r => r.Steps).ToList()), Stats.Median(with.Select(r => r.Steps).ToList()),
                Stats.Median(without.Select(r => r.Best).ToList()), Stats.Median(with.Select(r => r.Best).ToList())));
        }

        return results;
    }

    private static double Final(IReadOnlyDictionary<string, object> p) =>
        Math.Pow((double)p["x"] - 0.3, 2) + Math.Pow((double)p["y"] - 0.7, 2) + 0.1;

    private static double Speed(IReadOnlyDictionary<string, object> p) => 3 + 25 * (double)p["y"];

    private static async Task<(double Steps, double Best)> RunOnceAsync(IPruner pruner, int seed)
    {
        var store = new InMemoryTrialStore();
        var id = await store.CreateSearchAsync(new SearchSpec(Space, [Direction.Minimize], seed, new Budget(Trials)), CancellationToken.None);
        var steps = 0;
        var runner = new SearchRunner(store, new RandomSampler(), pruner, TimeProvider.System, new SearchRunnerOptions());
        await runner.RunAsync(id, "bench", async (trial, ct) =>
        {
            var loss = 0.0;
            for (var step = 1; step <= MaxSteps; step++)
            {
                steps++;
                loss = Final(trial.Parameters) + Math.Exp(-step / Speed(trial.Parameters));
                await trial.ReportAsync(step, loss, ct);
            }

            return [loss];
        }, CancellationToken.None);
        var best = (await store.GetTrialsAsync(id, CancellationToken.None)).Where(t => t.State == TrialState.Complete).Min(t => t.Value!.Value);
        return (steps, best);
    }
}
