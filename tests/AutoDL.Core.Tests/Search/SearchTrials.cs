using AutoDL.Core.Search;

namespace AutoDL.Core.Tests.Search;

/// <summary>Trials and contexts built by hand for sampler tests.</summary>
internal static class SearchTrials
{
    public static Trial Complete(int number, IReadOnlyDictionary<string, double> parameters, params double[] values) =>
        new() { Number = number, State = TrialState.Complete, Params = parameters, Values = values };

    public static Trial Unfinished(int number, TrialState state, IReadOnlyDictionary<string, double> parameters) =>
        new() { Number = number, State = state, Params = parameters };

    public static SamplingContext Context(SearchSpace space, IReadOnlyList<Trial> trials, int seed, params Direction[] directions) =>
        new(space, directions.Length == 0 ? [Direction.Minimize] : directions, trials, trials.Count, SamplerRandom.For(seed, trials.Count));

    /// <summary>The names whose values differ between two assignments, or that only one of them has.</summary>
    public static List<string> Differences(IReadOnlyDictionary<string, double> a, IReadOnlyDictionary<string, double> b) =>
        a.Keys.Union(b.Keys).Where(k => !a.TryGetValue(k, out var x) || !b.TryGetValue(k, out var y) || x != y).ToList();

    /// <summary>Parameters of every kind and no conditions: float, log float, stepped float, int, log int, stepped int, categorical, fixed, single.</summary>
    public static SearchSpace FlatSpace { get; } = SearchSpace.Create(
        new ParameterSpec("kind", new CategoricalDistribution(["a", "b", "c"])),
        new ParameterSpec("rate", new FloatDistribution(0, 1)),
        new ParameterSpec("lr", new FloatDistribution(1e-5, 1, Log: true)),
        new ParameterSpec("dropout", new FloatDistribution(0, 0.5, Step: 0.25)),
        new ParameterSpec("depth", new IntDistribution(1, 8)),
        new ParameterSpec("pair", new IntDistribution(1, 2, Log: true)),
        new ParameterSpec("units", new IntDistribution(10, 100, Step: 10)),
        new ParameterSpec("seed", new FixedDistribution(Number: 7)),
        new ParameterSpec("width", new IntDistribution(4, 4)));

    public static IReadOnlyList<string> FlatSearchable { get; } = ["kind", "rate", "lr", "dropout", "depth", "pair", "units"];
}
