using AutoDL.Core.Search;
using static AutoDL.Core.Tests.Search.SearchTrials;

namespace AutoDL.Core.Tests.Search;

public sealed class EvolutionSamplerContractTests : SamplerContract
{
    protected override ISampler CreateSampler() => new EvolutionSampler();
}

public sealed class MultiObjectiveEvolutionSamplerContractTests : SamplerContract
{
    protected override ISampler CreateSampler() => new EvolutionSampler(new EvolutionOptions(PopulationSize: 10, SampleSize: 3));

    protected override IReadOnlyList<Direction> Directions => [Direction.Minimize, Direction.Maximize];
}

public sealed class EvolutionSamplerTests
{
    [Fact]
    public void DrawsAtRandomUntilThePopulationIsFull()
    {
        var random = new RandomSampler();
        var trials = new List<Trial>();
        for (var n = 0; n < 20; n++)
        {
            var parameters = random.Sample(Context(FlatSpace, trials, seed: 1));
            trials.Add(n % 2 == 0 ? Complete(n, parameters, n) : Unfinished(n, n % 4 == 1 ? TrialState.Failed : TrialState.Running, parameters));
        }

        var sampler = new EvolutionSampler(new EvolutionOptions(PopulationSize: 11, SampleSize: 3));

        for (var seed = 0; seed < 20; seed++)
        {
            Assert.Equal(random.Sample(Context(FlatSpace, trials, seed)), sampler.Sample(Context(FlatSpace, trials, seed)));
        }
    }

    [Fact]
    public void ChangesExactlyOneSearchableParameterOfTheWinner()
    {
        var parent = new RandomSampler().Sample(Context(FlatSpace, [], seed: 2));
        var trials = Enumerable.Range(0, 4).Select(n => Complete(n, parent, n)).ToList();
        var sampler = new EvolutionSampler(new EvolutionOptions(PopulationSize: 4, SampleSize: 2));
        var mutated = new HashSet<string>();

        for (var seed = 0; seed < 200; seed++)
        {
            var child = sampler.Sample(Context(FlatSpace, trials, seed));

            Assert.Null(FlatSpace.Check(child));
            var changed = Assert.Single(Differences(parent, child));
            mutated.Add(changed);
        }

        Assert.Equal(FlatSearchable.Order(), mutated.Order());
    }

    [Theory]
    [InlineData(Direction.Minimize, new[] { 0, 1, 2, 3, 4 })]
    [InlineData(Direction.Maximize, new[] { 4, 3, 2, 1, 0 })]
    public void BreedsFromTheBestOfEachTournament(Direction direction, int[] bestToWorst)
    {
        // Member k has every gene at choice k, so a child (one gene away) names its parent; its value is k.
        var space = SearchSpace.Create(Enumerable.Range(0, 4)
            .Select(i => new ParameterSpec($"x{i}", new CategoricalDistribution(["0", "1", "2", "3", "4"]))));
        var trials = Enumerable.Range(0, 5)
            .Select(k => Complete(k, Enumerable.Range(0, 4).ToDictionary(i => $"x{i}", _ => (double)k), k))
            .ToList();
        var sampler = new EvolutionSampler(new EvolutionOptions(PopulationSize: 5, SampleSize: 5));
        var parents = new int[5];

        for (var seed = 0; seed < 300; seed++)
        {
            var child = sampler.Sample(Context(space, trials, seed, direction));
            parents[trials.Single(t => Differences(t.Params, child).Count == 1).Number]++;
        }

        // With replacement, the best of 5 draws is member k with chance 67%, 25%, 7%, 1% and 0.03%.
        var counts = bestToWorst.Select(k => parents[k]).ToList();
        Assert.True(counts[0] > counts[1] && counts[1] > counts[2] && counts[2] > counts[4], string.Join(", ", counts));
        Assert.InRange(counts[0], 170, 230);
    }

    [Fact]
    public void NeverBreedsFromTrialsThatAgedOutOfThePopulation()
    {
        var space = SearchSpace.Create(Enumerable.Range(0, 4)
            .Select(i => new ParameterSpec($"x{i}", new CategoricalDistribution(["0", "1", "2", "3"]))));
        // Trial 0 is by far the best, but the population holds the 3 most recent Complete trials: 2, 4 and 5.
        var trials = new List<Trial>
        {
            Complete(0, Genes(0), -100),
            Complete(1, Genes(1), 5),
            Complete(2, Genes(2), 6),
            Unfinished(3, TrialState.Failed, Genes(0)),
            Complete(4, Genes(3), 7),
            Complete(5, Genes(1), 8),
        };
        var sampler = new EvolutionSampler(new EvolutionOptions(PopulationSize: 3, SampleSize: 3));

        Assert.Equal([2, 4, 5], sampler.Population(trials, 1).Select(t => t.Number));
        for (var seed = 0; seed < 100; seed++)
        {
            var child = sampler.Sample(Context(space, trials, seed));
            Assert.True(Differences(Genes(0), child).Count >= 3, $"seed {seed}: a child of trial 0");
        }

        static Dictionary<string, double> Genes(int choice) => Enumerable.Range(0, 4).ToDictionary(i => $"x{i}", _ => (double)choice);
    }

    [Fact]
    public void WalksConditionsAgainAfterAMutation()
    {
        var space = SearchSpace.Create(
            new ParameterSpec("learner", new CategoricalDistribution(["a", "b"])),
            new ParameterSpec("a.depth", new IntDistribution(3, 3), new Condition("learner", In: ["a"])),
            new ParameterSpec("b.rate", new FloatDistribution(0, 1), new Condition("learner", In: ["b"])),
            new ParameterSpec("b.deep", new IntDistribution(1, 2), new Condition("b.rate", Min: 0.5)));
        var winner = new Dictionary<string, double> { ["learner"] = 0, ["a.depth"] = 3 };
        var rates = new List<double>();

        for (var seed = 0; seed < 50; seed++)
        {
            // a.depth has one value, so the learner is the only gene that can change.
            var child = EvolutionSampler.Mutate(space, winner, SamplerRandom.For(seed, 0), new EvolutionOptions().MutationScale);

            Assert.Null(space.Check(child));
            Assert.Equal(1, child["learner"]);
            Assert.DoesNotContain("a.depth", child.Keys);
            rates.Add(child["b.rate"]);
        }

        Assert.Contains(rates, r => r < 0.5);
        Assert.Contains(rates, r => r >= 0.5);
    }

    [Fact]
    public void CopiesTheWinnerWhenNoGeneCanChange()
    {
        var space = SearchSpace.Create(
            new ParameterSpec("kind", new CategoricalDistribution(["only"])),
            new ParameterSpec("seed", new FixedDistribution(Number: 1)));
        var winner = new Dictionary<string, double> { ["kind"] = 0, ["seed"] = 0 };

        Assert.Equal(winner, EvolutionSampler.Mutate(space, winner, new Random(1), new EvolutionOptions().MutationScale));
    }

    [Fact]
    public void BreedsFromTheParetoFrontWhenThereAreSeveralObjectives()
    {
        var space = SearchSpace.Create(Enumerable.Range(0, 4)
            .Select(i => new ParameterSpec($"x{i}", new CategoricalDistribution(["0", "1", "2", "3", "4"]))));
        double[][] values = [[1, 4], [4, 1], [2, 5], [5, 5], [6, 6]]; // fronts: {0, 1}, {2}, {3}, {4}
        var trials = Enumerable.Range(0, 5)
            .Select(k => Complete(k, Enumerable.Range(0, 4).ToDictionary(i => $"x{i}", _ => (double)k), values[k]))
            .ToList();
        var sampler = new EvolutionSampler(new EvolutionOptions(PopulationSize: 5, SampleSize: 5));
        var parents = new int[5];

        for (var seed = 0; seed < 300; seed++)
        {
            var child = sampler.Sample(Context(space, trials, seed, Direction.Minimize, Direction.Minimize));
            parents[trials.Single(t => Differences(t.Params, child).Count == 1).Number]++;
        }

        // The front wins whenever it is drawn: 1 - (3/5)^5 = 92% of tournaments.
        Assert.InRange(parents[0] + parents[1], 255, 295);
        Assert.True(parents[2] > parents[4], string.Join(", ", parents));
    }

    [Fact]
    public void FindsBetterTrialsThanRandomSearchOnASimpleFunction()
    {
        var space = SearchSpace.Create(
            new ParameterSpec("x0", new FloatDistribution(-5, 5)),
            new ParameterSpec("x1", new FloatDistribution(-5, 5)),
            new ParameterSpec("x2", new FloatDistribution(-5, 5)),
            new ParameterSpec("k", new IntDistribution(0, 20)),
            new ParameterSpec("kind", new CategoricalDistribution(["bad", "good", "worse"])));

        double Objective(IReadOnlyDictionary<string, double> p) =>
            p["x0"] * p["x0"] + p["x1"] * p["x1"] + p["x2"] * p["x2"] + Math.Pow(p["k"] - 13, 2) / 10 + (p["kind"] == 1 ? 0 : 3);

        double Best(ISampler sampler, int seed)
        {
            var trials = new List<Trial>();
            for (var n = 0; n < 120; n++)
            {
                var parameters = sampler.Sample(Context(space, trials, seed));
                trials.Add(Complete(n, parameters, Objective(parameters)));
            }

            return trials.Min(t => t.Values![0]);
        }

        var seeds = Enumerable.Range(1, 5).ToList();
        var evolution = seeds.Select(s => Best(new EvolutionSampler(), s)).Order().ToList();
        var random = seeds.Select(s => Best(new RandomSampler(), s)).Order().ToList();

        Assert.True(evolution[2] < random[2] / 2, $"evolution {string.Join(", ", evolution)}; random {string.Join(", ", random)}");
    }

    [Theory]
    [InlineData(0, 1, 0.2)]
    [InlineData(5, 0, 0.2)]
    [InlineData(5, 6, 0.2)]
    [InlineData(5, 3, -0.1)]
    [InlineData(5, 3, double.NaN)]
    [InlineData(5, 3, double.PositiveInfinity)]
    public void RejectsSettingsThatCannotWork(int population, int sample, double scale)
    {
        Assert.Throws<ArgumentException>(() => new EvolutionSampler(new EvolutionOptions(population, sample, scale)));
    }

    public static TheoryData<string, Distribution, double> NumericGenes => new()
    {
        { "uniform float at its low end", new FloatDistribution(-5, 5), -5 },
        { "log float", new FloatDistribution(1e-4, 10, Log: true), 0.01 },
        { "stepped float", new FloatDistribution(0, 1, Step: 0.25), 0.5 },
        { "int", new IntDistribution(1, 10), 7 },
        { "log int at its high end", new IntDistribution(1, 64, Log: true), 64 },
        { "int with a step", new IntDistribution(0, 10, Step: 2), 4 },
        { "two-valued int", new IntDistribution(0, 1), 0 },
    };

    [Theory]
    [MemberData(nameof(NumericGenes))]
    public void ANumberMutatesToAnotherValueOfItsDistributionNearTheOldOne(string name, Distribution distribution, double old)
    {
        var space = SearchSpace.Create(new ParameterSpec("x", distribution));
        var winner = new Dictionary<string, double> { ["x"] = old };
        var stepped = new List<double>();
        var fresh = new List<double>();

        for (var seed = 0; seed < 400; seed++)
        {
            var child = EvolutionSampler.Mutate(space, winner, SamplerRandom.For(seed, 0), scale: 0.1);
            Assert.Null(space.Check(child));
            Assert.NotEqual(old, child["x"]);
            stepped.Add(child["x"]);
            fresh.Add(EvolutionSampler.Mutate(space, winner, SamplerRandom.For(seed, 0), scale: 0)["x"]);
        }

        // On the distribution's own axis (log for log scales), steps stay closer to the old value than fresh draws.
        double Distance(double v) => distribution is FloatDistribution { Log: true } or IntDistribution { Log: true }
            ? Math.Abs(Math.Log(v) - Math.Log(old))
            : Math.Abs(v - old);
        Assert.True(stepped.Average(Distance) <= fresh.Average(Distance), $"{name}: steps {stepped.Average(Distance)}, fresh draws {fresh.Average(Distance)}");
    }

    [Fact]
    public void StepsAreNormalWithTheScaleAsAShareOfTheRange()
    {
        var space = SearchSpace.Create(new ParameterSpec("x", new FloatDistribution(0, 100)));
        var winner = new Dictionary<string, double> { ["x"] = 50 };

        var steps = Enumerable.Range(0, 4000)
            .Select(seed => EvolutionSampler.Mutate(space, winner, SamplerRandom.For(seed, 0), scale: 0.1)["x"] - 50)
            .ToList();

        var sd = Math.Sqrt(steps.Average(d => d * d));
        Assert.InRange(steps.Average(), -0.5, 0.5);
        Assert.InRange(sd, 9.5, 10.5);
        Assert.InRange(steps.Count(d => Math.Abs(d) < 10) / (double)steps.Count, 0.66, 0.71);
    }
}
