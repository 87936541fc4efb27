using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using AutoDL.Core.Search;
using AutoDL.Core.Search.Tpe;

namespace AutoDL.Bench;

/// <summary>
/// Issue 4's benchmark: our Random, TPE and evolution against Optuna 3.1's Random and TPE (Debian's python3-optuna) on
/// the same functions, seeds and budgets, plus the cost of one ask and ASHA's savings, all in one run.
/// </summary>
public static class SearchBenchmark
{
    private const string OptunaPython = "/usr/bin/python3";

    private static readonly Dictionary<string, Func<ISampler>> OurSamplers = new()
    {
        ["random"] = () => new RandomSampler(),
        // The product's TPE configuration for one objective: Optuna's defaults, with 3.1's kernel density (our default).
        ["tpe"] = () => new TpeSampler(),
        ["tpe-normalised"] = () => new TpeSampler(new TpeOptions { Optuna31Density = false }),
        ["evolution"] = () => new EvolutionSampler(),
    };

    public static async Task<int> RunAsync(string[] args)
    {
        var seeds = args.SkipWhile(a => a != "--seeds").Skip(1).Select(int.Parse).FirstOrDefault(20);
        var quick = args.Contains("--quick");
        var functions = SearchFunctions.All.Select(f => quick ? f with { Trials = f.Trials / 4 } : f).ToList();
        Console.WriteLine($"Search benchmark: {seeds} seeds; {string.Join(", ", functions.Select(f => $"{f.Name} × {f.Trials} trials"))}.");
        Console.WriteLine($"Machine: {Environment.ProcessorCount} cores, .NET {Environment.Version}; peer: Optuna via {OptunaPython}.");

        var optuna = await RunOptunaAsync(functions, seeds, costFinished: quick ? 200 : 1000);
        var curves = new Dictionary<(string Function, string Sampler), List<double[]>>();
        foreach (var (key, list) in optuna.Curves)
        {
            curves[key] = list;
        }

        foreach (var function in functions)
        {
            foreach (var (name, create) in OurSamplers)
            {
                var runs = new List<double[]>();
                for (var seed = 0; seed < seeds; seed++)
                {
                    runs.Add(await BestCurveAsync(function, create(), seed));
                }

                curves[(function.Name, name)] = runs;
            }
        }

        PrintQuality(functions, curves);
        PrintCost(optuna.CostMilliseconds, quick ? 200 : 1000);
        await StoreBenchmark.PrintAsync();
        await PrintAshaAsync(seeds);
        return 0;
    }

    /// <summary>The best value after each trial, for one seed, through the product's own search loop and store.</summary>
    private static async Task<double[]> BestCurveAsync(SearchFunction function, ISampler sampler, int seed)
    {
        var store = new InMemoryTrialStore();
        var id = await store.CreateSearchAsync(new SearchSpec(function.Space, [Direction.Minimize], seed, new Budget(function.Trials)), CancellationToken.None);
        var runner = new SearchRunner(store, sampler, new NopPruner(), TimeProvider.System, new SearchRunnerOptions());
        await runner.RunAsync(id, "bench", (trial, _) => Task.FromResult<IReadOnlyList<double>>([function.Evaluate(trial.Parameters)]), CancellationToken.None);
        var trials = await store.GetTrialsAsync(id, CancellationToken.None);
        var best = double.PositiveInfinity;
        return trials.Select(t => best = Math.Min(best, t.Value ?? double.PositiveInfinity)).ToArray();
    }

    /// <summary>The issue's protocol is 20 seeds; a longer run prints its first 20 seeds, then all of them.</summary>
    private const int ProtocolSeeds = 20;

    private static void PrintQuality(List<SearchFunction> functions, Dictionary<(string, string), List<double[]>> curves)
    {
        var seeds = curves.Values.First().Count;
        Console.WriteLine();
        Console.WriteLine("Quality: median best value (IQR at the full budget); regret = best - optimum.");
        foreach (var function in functions)
        {
            if (seeds > ProtocolSeeds)
            {
                PrintFunction(function, curves, ProtocolSeeds);
            }

            PrintFunction(function, curves, seeds);
        }
    }

    private static void PrintFunction(SearchFunction function, Dictionary<(string, string), List<double[]>> curves, int seeds)
    {
        string[] samplers = ["optuna-random", "optuna-tpe", "optuna-tpe-indep", "random", "tpe", "tpe-normalised", "evolution"];
        var runs = samplers.ToDictionary(n => n, n => curves[(function.Name, n)].Take(seeds).ToList());
        var checkpoints = new[] { function.Trials / 4, function.Trials / 2, function.Trials }.Distinct().ToArray();
        Console.WriteLine();
        Console.WriteLine($"{function.Name} (optimum {Fmt(function.Optimum)}), seeds 0–{seeds - 1}");
        Console.WriteLine($"  {"sampler",-17}" + string.Concat(checkpoints.Select(c => $"{"@" + c,12}")) + $"{"IQR",26}" + "  seeds with regret < 0.01");
        foreach (var sampler in samplers)
        {
            var medians = checkpoints.Select(c => Stats.Median(runs[sampler].Select(r => r[c - 1]).ToList()));
            var final = runs[sampler].Select(r => r[^1]).ToList();
            Console.WriteLine($"  {sampler,-17}" + string.Concat(medians.Select(m => $"{Fmt(m),12}"))
                + $"{$"[{Fmt(Stats.Quantile(final, 0.25))}, {Fmt(Stats.Quantile(final, 0.75))}]",26}"
                + $"{final.Count(v => v - function.Optimum < 0.01),6}/{final.Count}");
        }

        Console.WriteLine("  median regret ratios, with a 95% bootstrap interval over the seeds:");
        PrintRatio("tpe", "optuna-tpe", 1, "≤");
        PrintRatio("tpe", "optuna-tpe-indep", null, "");
        PrintRatio("tpe", "optuna-random", 0.2, "<");
        PrintRatio("evolution", "optuna-random", 0.5, "<");
        PrintRatio("random", "optuna-random", null, "");

        void PrintRatio(string ours, string theirs, double? goal, string relation)
        {
            var ratio = RegretRatio.Of(Finals(ours), Finals(theirs), function.Optimum);
            var verdict = goal is not { } g ? ""
                : (relation == "≤" ? ratio.Point <= g : ratio.Point < g) ? $"  goal {relation} {Ratio(g)}: met"
                : ratio.Low <= g ? $"  goal {relation} {Ratio(g)}: not met, but within the seeds' noise"
                : $"  goal {relation} {Ratio(g)}: not met";
            Console.WriteLine($"    {ours + " / " + theirs,-30} {Ratio(ratio.Point),8}  [{Ratio(ratio.Low)}, {Ratio(ratio.High)}]{verdict}");
        }

        List<double> Finals(string sampler) => runs[sampler].Select(r => r[^1]).ToList();
    }

    private static void PrintCost(IReadOnlyList<double> optunaMilliseconds, int finished)
    {
        const int parameters = 10;
        var space = SearchSpace.Create(Enumerable.Range(0, parameters).Select(i => new ParameterSpec($"x{i}", new FloatDistribution(-5, 5))));
        var random = new Random(2);
        var trials = Enumerable.Range(0, finished).Select(n =>
        {
            var p = space.Assign((spec, _) => RandomSampler.Draw(spec.Distribution, random));
            return new Trial { Number = n, State = TrialState.Complete, Params = p, Values = [p.Values.Sum(v => v * v)] };
        }).ToList();
        var tpe = new TpeSampler();
        var times = new List<double>();
        for (var i = 0; i < 30; i++)
        {
            var context = new SamplingContext(space, [Direction.Minimize], trials, finished, SamplerRandom.For(1, finished + i));
            var watch = Stopwatch.StartNew();
            tpe.Sample(context);
            times.Add(watch.Elapsed.TotalMilliseconds);
        }

        var ours = Stats.Median(times.Skip(5).ToList());
        var theirs = Stats.Median(optunaMilliseconds);
        Console.WriteLine();
        Console.WriteLine($"Cost: one TPE ask with {finished} finished trials over {parameters} parameters (median).");
        Console.WriteLine($"  ours {ours:0.00} ms · Optuna ask+tell {theirs:0.0} ms · Optuna / ours = {theirs / ours:0.0}× (goal ≥ 5×)");
    }

    private static async Task PrintAshaAsync(int seeds)
    {
        var results = await AshaBenchmark.RunAsync(seeds);
        Console.WriteLine();
        Console.WriteLine($"ASHA on synthetic learning curves ({AshaBenchmark.Trials} trials × up to {AshaBenchmark.MaxSteps} steps, random sampler, {seeds} seeds, medians).");
        Console.WriteLine($"  without pruning: {results[0].StepsWithout:0} steps, final best {Fmt(results[0].BestWithout)}. Goals: ≥ 50% of steps saved, final best ≤ 10% worse.");
        foreach (var r in results)
        {
            var setting = $"min resource {(r.Options.MinResource?.ToString(CultureInfo.InvariantCulture) ?? "auto")}, reduction {r.Options.ReductionFactor}";
            Console.WriteLine($"  {setting,-32} steps {r.StepsWith,6:0} · saved {1 - r.StepsWith / r.StepsWithout,4:P0} · final best {Fmt(r.BestWith),7} · worse by {r.BestWith / r.BestWithout - 1:P1}");
        }
    }

    private sealed record OptunaResults(Dictionary<(string, string), List<double[]>> Curves, List<double> CostMilliseconds);

    private static async Task<OptunaResults> RunOptunaAsync(List<SearchFunction> functions, int seeds, int costFinished)
    {
        var script = Path.Combine(AppContext.BaseDirectory, "optuna_peer.py");
        var request = JsonSerializer.Serialize(new
        {
            quality = functions.Select(f => new { function = f.Name, trials = f.Trials, seeds = Enumerable.Range(0, seeds) }),
            cost = new { finished = costFinished, @params = 10, asks = 20 },
        });
        var start = new ProcessStartInfo(OptunaPython) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(script);
        start.ArgumentList.Add(request);
        using var python = Process.Start(start) ?? throw new InvalidOperationException($"Cannot start {OptunaPython}.");
        var curves = new Dictionary<(string, string), List<double[]>>();
        var cost = new List<double>();
        var stderr = python.StandardError.ReadToEndAsync();
        while (await python.StandardOutput.ReadLineAsync() is { } line)
        {
            using var json = JsonDocument.Parse(line);
            var root = json.RootElement;
            if (root.GetProperty("kind").GetString() == "quality")
            {
                var key = (root.GetProperty("function").GetString()!, root.GetProperty("sampler").GetString()!);
                if (!curves.TryGetValue(key, out var list))
                {
                    curves[key] = list = [];
                }

                list.Add(root.GetProperty("best").EnumerateArray().Select(e => e.GetDouble()).ToArray());
            }
            else
            {
                cost.AddRange(root.GetProperty("ask_tell_ms").EnumerateArray().Select(e => e.GetDouble()));
            }
        }

        await python.WaitForExitAsync();
        if (python.ExitCode != 0)
        {
            throw new InvalidOperationException($"Optuna's side failed (exit {python.ExitCode}): {await stderr}");
        }

        return new OptunaResults(curves, cost);
    }

    private static string Ratio(double r) => r.ToString(r >= 100 ? "0" : "0.00", CultureInfo.InvariantCulture);

    private static string Fmt(double v) => v.ToString(Math.Abs(v) >= 1000 ? "0" : "0.####", CultureInfo.InvariantCulture);
}
