using AutoDL.Core.Search;
using static AutoDL.Core.Tests.Search.SearchTrials;

namespace AutoDL.Core.Tests.Search;

public sealed class NsgaIISamplerContractTests : SamplerContract
{
    protected override ISampler CreateSampler() => new NsgaIISampler(new NsgaIIOptions(PopulationSize: 10));

    protected override IReadOnlyList<Direction> Directions => [Direction.Minimize, Direction.Maximize];
}

public sealed class SingleObjectiveNsgaIISamplerContractTests : SamplerContract
{
    protected override ISampler CreateSampler() => new NsgaIISampler();
}

public sealed class NsgaIISamplerTests
{
    private static readonly Direction[] TwoMinimized = [Direction.Minimize, Direction.Minimize];
    private static readonly Dictionary<string, double> Empty = [];

    [Fact]
    public void HasOptunasDefaults()
    {
        Assert.Equal(new NsgaIIOptions(50, null, 0.9, 0.5), new NsgaIISampler().Options);
    }

    [Fact]
    public void DrawsAtRandomUntilTheFirstGenerationIsFull()
    {
        var random = new RandomSampler();
        var trials = new List<Trial>();
        for (var n = 0; n < 12; n++)
        {
            var parameters = random.Sample(Context(FlatSpace, trials, seed: 1));
            trials.Add(n % 3 == 2 ? Unfinished(n, TrialState.Pruned, parameters) : Complete(n, parameters, n, -n));
        }

        var sampler = new NsgaIISampler(new NsgaIIOptions(PopulationSize: 9));

        for (var seed = 0; seed < 20; seed++)
        {
            Assert.Equal(random.Sample(Context(FlatSpace, trials, seed, TwoMinimized)), sampler.Sample(Context(FlatSpace, trials, seed, TwoMinimized)));
        }
    }

    [Fact]
    public void ClosesEachGenerationAtItsPopulationSizedCompleteTrial()
    {
        TrialState[] states =
        [
            TrialState.Complete, TrialState.Failed, TrialState.Complete, // generation 0 fills at trial 2
            TrialState.Running, TrialState.Complete, TrialState.Pruned, TrialState.Complete, // generation 1 at trial 6
            TrialState.Complete,
        ];
        var trials = states.Select((s, n) => s == TrialState.Complete ? Complete(n, Empty, n, n) : Unfinished(n, s, Empty)).ToList();

        var generations = new NsgaIISampler(new NsgaIIOptions(PopulationSize: 2)).Generations(trials, objectives: 2);

        Assert.Equal([0, 0, 0, 1, 1, 1, 1, 2], Enumerable.Range(0, 8).Select(n => generations[n]));
    }

    [Fact]
    public void TakesTheEliteOfTheLastGenerationAndItsParentsAsParents()
    {
        var trials = new List<Trial>
        {
            Complete(0, Empty, 1, 5), // generation 0
            Complete(1, Empty, 5, 1),
            Unfinished(2, TrialState.Failed, Empty),
            Complete(3, Empty, 0, 0), // generation 1: dominates everything
            Complete(4, Empty, 6, 6), // dominated by everything
            Complete(5, Empty, -1, -1), // generation 2, not full yet
        };
        var sampler = new NsgaIISampler(new NsgaIIOptions(PopulationSize: 2));

        // Fronts of {3, 4, 0, 1}: {3}, {0, 1}, {4}. One place is left for the second front, whose two trials are
        // both extremes (infinite crowding distance): the lower number takes it.
        Assert.Equal([3, 0], sampler.ParentPopulation(trials, TwoMinimized).Select(t => t.Number));
        Assert.Equal([0, 1], sampler.ParentPopulation(trials.Take(4), TwoMinimized).Select(t => t.Number));
        Assert.Empty(sampler.ParentPopulation(trials.Take(1), TwoMinimized));
    }

    [Fact]
    public void KeepsTheMostSpreadOutTrialsOfTheFrontThatDoesNotFit()
    {
        // Generation 0 is trials 0-3 (all parents); generation 1 is 4-7. Trials 0-4 form one front of five, with
        // crowding distances 0 and 4: infinite, 1: 1.15, 2: 0.975, 3: 0.85 (see MultiObjectiveTests); 5-7 are dominated.
        double[][] values = [[1, 5], [2, 3], [3, 2], [5, 1.5], [6, 1], [11, 15], [12, 13], [13, 12]];
        var trials = values.Select((v, n) => Complete(n, Empty, v)).ToList();
        var sampler = new NsgaIISampler(new NsgaIIOptions(PopulationSize: 4));

        var parents = sampler.ParentPopulation(trials, TwoMinimized);

        Assert.Equal([0, 4, 1, 2], parents.Select(t => t.Number));
    }

    [Fact]
    public void TakesEveryValueFromAParentWhenNothingMutates()
    {
        var parents = Enumerable.Range(0, 4)
            .Select(n => Complete(n, new RandomSampler().Sample(Context(FlatSpace, [], seed: n)), n, 4 - n))
            .ToList();
        var sampler = new NsgaIISampler(new NsgaIIOptions(PopulationSize: 4, MutationProbability: 0, CrossoverProbability: 1));
        var mixed = 0;

        for (var seed = 0; seed < 100; seed++)
        {
            var child = sampler.Sample(Context(FlatSpace, parents, seed, TwoMinimized));

            Assert.All(child, kv => Assert.Contains(parents, p => p.Params[kv.Key] == kv.Value));
            mixed += parents.All(p => Differences(p.Params, child).Count > 0) ? 1 : 0;
        }

        Assert.InRange(mixed, 50, 100);
    }

    [Fact]
    public void CopiesOneParentWithoutCrossoverOrMutation()
    {
        var parents = Enumerable.Range(0, 4)
            .Select(n => Complete(n, new RandomSampler().Sample(Context(SamplerContract.MixedSpace, [], seed: n)), n, 4 - n))
            .ToList();
        var sampler = new NsgaIISampler(new NsgaIIOptions(PopulationSize: 4, MutationProbability: 0, CrossoverProbability: 0));

        for (var seed = 0; seed < 30; seed++)
        {
            var child = sampler.Sample(Context(SamplerContract.MixedSpace, parents, seed, TwoMinimized));

            Assert.Contains(parents, p => Differences(p.Params, child).Count == 0);
        }
    }

    [Fact]
    public void MutatesAboutOneParameterPerChildByDefault()
    {
        var parent = new RandomSampler().Sample(Context(FlatSpace, [], seed: 3));
        var parents = Enumerable.Range(0, 4).Select(n => Complete(n, parent, n, 4 - n)).ToList();
        var sampler = new NsgaIISampler(new NsgaIIOptions(PopulationSize: 4));

        var changed = Enumerable.Range(0, 400).Sum(seed => Differences(parent, sampler.Sample(Context(FlatSpace, parents, seed, TwoMinimized))).Count);

        // Seven searchable parameters, each redrawn with chance 1/7; a redraw can give the old value back (a third of the
        // time for three choices, and so on), which leaves about 0.83 changes per child.
        Assert.InRange(changed / 400.0, 0.7, 0.95);
    }

    [Theory]
    [InlineData(1, null, 0.9, 0.5)]
    [InlineData(10, 1.5, 0.9, 0.5)]
    [InlineData(10, null, -0.1, 0.5)]
    [InlineData(10, null, 0.9, 2.0)]
    public void RejectsSettingsThatCannotWork(int population, double? mutation, double crossover, double swapping)
    {
        Assert.Throws<ArgumentException>(() => new NsgaIISampler(new NsgaIIOptions(population, mutation, crossover, swapping)));
    }
}
