using AutoDL.Core.Search;

namespace AutoDL.Core.Tests.Search;

/// <summary>
/// What every sampler must do. A sampler's tests subclass this with one line: the sampler to test (and, for
/// multi-objective samplers, the directions).
/// </summary>
public abstract class SamplerContract
{
    private const int SearchLength = 150;

    protected abstract ISampler CreateSampler();

    /// <summary>The objectives of the simulated searches; one minimized objective unless a sampler needs more.</summary>
    protected virtual IReadOnlyList<Direction> Directions => [Direction.Minimize];

    [Fact]
    public void ProposesOnlyValidParametersThroughoutASearch()
    {
        var trials = Simulate(seed: 1);

        Assert.All(trials, t => Assert.Null(MixedSpace.Check(t.Params)));
    }

    [Fact]
    public void ExercisesEveryStateOfTrialInItsHistory()
    {
        var states = Simulate(seed: 2).Select(t => t.State).ToHashSet();

        Assert.Equal(Enum.GetValues<TrialState>().ToHashSet(), states);
    }

    [Fact]
    public void KeepsValuesInsideBoundsOnTheirGridAndOnTheirScale()
    {
        var trials = Simulate(seed: 3).Select(t => MixedSpace.ToExternal(t.Params)).ToList();

        Assert.All(trials, p => Assert.InRange((double)p["momentum"], 0, 1));
        Assert.All(trials, p => Assert.InRange((double)p["lr"], 1e-5, 1));
        Assert.All(trials, p => Assert.InRange((long)p["batch"], 1, 1024));
        Assert.All(trials, p => Assert.Equal(0, Math.Round((double)p["dropout"] / 0.05, 9) % 1));
        Assert.All(trials, p => Assert.Equal(0, (long)p["units"] % 8));
        // Drawn on a linear scale, under 1e-3 would be one value in a thousand and under 32 one in thirty.
        Assert.Contains(trials, p => (double)p["lr"] < 1e-3);
        Assert.Contains(trials, p => (long)p["batch"] < 32);
        Assert.All(trials, p => Assert.Equal(42.0, p["seed"]));
        Assert.All(trials, p => Assert.Equal("tabular", p["task"]));
    }

    [Fact]
    public void GivesConditionalParametersExactlyWhenTheirConditionsHold()
    {
        var trials = Simulate(seed: 4).Select(t => MixedSpace.ToExternal(t.Params)).ToList();

        foreach (var learner in new[] { "a", "b", "c" })
        {
            Assert.Contains(trials, p => (string)p["learner"] == learner);
        }

        Assert.All(trials, p => Assert.Equal((string)p["learner"] == "a", p.ContainsKey("a.depth")));
        Assert.All(trials, p => Assert.Equal(p.TryGetValue("a.depth", out var depth) && (long)depth >= 4, p.ContainsKey("a.leaves")));
        Assert.All(trials, p => Assert.Equal((long)p["blocks"] >= 3, p.ContainsKey("block3.kernel")));
        Assert.Contains(trials, p => p.ContainsKey("a.leaves"));
        Assert.Contains(trials, p => p.ContainsKey("block3.kernel"));
        Assert.Contains(trials, p => !p.ContainsKey("block3.kernel"));
    }

    [Fact]
    public void ProposesTheSameParametersGivenTheSameContext()
    {
        var history = Simulate(seed: 5);

        var first = CreateSampler().Sample(Context(history, SearchLength, seed: 5));
        var again = CreateSampler().Sample(Context(history, SearchLength, seed: 5));

        Assert.Equal(first.OrderBy(kv => kv.Key), again.OrderBy(kv => kv.Key));
    }

    [Fact]
    public void KeepsNoStateBetweenProposals()
    {
        var history = Simulate(seed: 6);
        var used = CreateSampler();
        used.Sample(Context(history.Take(40).ToList(), 40, seed: 9));

        var fromUsed = used.Sample(Context(history, SearchLength, seed: 6));
        var fromFresh = CreateSampler().Sample(Context(history, SearchLength, seed: 6));

        Assert.Equal(fromFresh.OrderBy(kv => kv.Key), fromUsed.OrderBy(kv => kv.Key));
    }

    [Fact]
    public void ProposesValidParametersForTheFirstTrial()
    {
        var proposal = CreateSampler().Sample(Context([], 0, seed: 7));

        Assert.Null(MixedSpace.Check(proposal));
    }

    [Fact]
    public void ProposesValidParametersWhenNoTrialHasCompleted()
    {
        var random = new RandomSampler();
        var history = Enumerable.Range(0, 30).Select(n =>
        {
            var state = (n % 3) switch { 0 => TrialState.Running, 1 => TrialState.Pruned, _ => TrialState.Failed };
            return new Trial
            {
                Number = n,
                State = state,
                Params = random.Sample(Context([], n, seed: 8)),
                Intermediate = state == TrialState.Pruned ? [new IntermediateValue(0, n)] : [],
            };
        }).ToList();

        var proposal = CreateSampler().Sample(Context(history, history.Count, seed: 8));

        Assert.Null(MixedSpace.Check(proposal));
    }

    [Fact]
    public void ProposesTheOnlyAssignmentOfASpaceWithNothingToSearch()
    {
        var space = SearchSpace.Create(
            new ParameterSpec("kind", new CategoricalDistribution(["only"])),
            new ParameterSpec("depth", new IntDistribution(3, 3)),
            new ParameterSpec("rate", new FloatDistribution(0.5, 0.9, Step: 1)),
            new ParameterSpec("name", new FixedDistribution(Text: "x")));
        var sampler = CreateSampler();
        var trials = new List<Trial>();

        for (var n = 0; n < 80; n++)
        {
            var proposal = sampler.Sample(new SamplingContext(space, Directions, trials, n, SamplerRandom.For(10, n)));
            Assert.Equal(new Dictionary<string, double> { ["kind"] = 0, ["depth"] = 3, ["rate"] = 0.5, ["name"] = 0 }, proposal);
            trials.Add(new Trial { Number = n, State = TrialState.Complete, Params = proposal, Values = [.. Directions.Select(_ => (double)n % 7)] });
        }
    }

    /// <summary>
    /// Float, log float, stepped float, int, log int, stepped int, categorical and fixed parameters, with conditions
    /// two levels deep (a.leaves needs a.depth &gt;= 4, which needs learner = a) and on a number (blocks &gt;= 3).
    /// </summary>
    public static SearchSpace MixedSpace { get; } = SearchSpace.Create(
        new ParameterSpec("learner", new CategoricalDistribution(["a", "b", "c"])),
        new ParameterSpec("a.depth", new IntDistribution(1, 8), new Condition("learner", In: ["a"])),
        new ParameterSpec("a.leaves", new IntDistribution(2, 256, Log: true), new Condition("a.depth", Min: 4)),
        new ParameterSpec("b.rate", new FloatDistribution(1e-4, 1, Log: true), new Condition("learner", In: ["b"])),
        new ParameterSpec("blocks", new IntDistribution(1, 4)),
        new ParameterSpec("block3.kernel", new CategoricalDistribution(["3", "5", "7"]), new Condition("blocks", Min: 3)),
        new ParameterSpec("momentum", new FloatDistribution(0, 1)),
        new ParameterSpec("lr", new FloatDistribution(1e-5, 1, Log: true)),
        new ParameterSpec("dropout", new FloatDistribution(0, 0.5, Step: 0.05)),
        new ParameterSpec("batch", new IntDistribution(1, 1024, Log: true)),
        new ParameterSpec("units", new IntDistribution(8, 512, Step: 8)),
        new ParameterSpec("seed", new FixedDistribution(Number: 42)),
        new ParameterSpec("task", new FixedDistribution(Text: "tabular")));

    /// <summary>
    /// A sequential search of <see cref="SearchLength"/> trials on <see cref="MixedSpace"/>: most complete, and by
    /// trial number some fail, some are pruned (with intermediate values) and some stay running, as with parallel
    /// workers. Every proposal is checked against the space as it is made.
    /// </summary>
    private List<Trial> Simulate(int seed)
    {
        var sampler = CreateSampler();
        var trials = new List<Trial>();
        for (var n = 0; n < SearchLength; n++)
        {
            var proposal = sampler.Sample(Context(trials, n, seed));
            Assert.True(MixedSpace.Check(proposal) is null, $"Trial {n}: {MixedSpace.Check(proposal)}");
            var values = Objectives(MixedSpace.ToExternal(proposal));
            var state = n % 9 == 4 ? TrialState.Failed : n % 9 == 7 ? TrialState.Pruned : n % 13 == 6 ? TrialState.Running : TrialState.Complete;
            trials.Add(new Trial
            {
                Number = n,
                State = state,
                Params = proposal,
                Values = state == TrialState.Complete ? values : null,
                Intermediate = state is TrialState.Failed ? [] : [new IntermediateValue(0, values[0] * 2), new IntermediateValue(1, values[0])],
            });
        }

        return trials;
    }

    private SamplingContext Context(IReadOnlyList<Trial> trials, int number, int seed) =>
        new(MixedSpace, Directions, trials, number, SamplerRandom.For(seed, number));

    /// <summary>
    /// A smooth first objective with its best at learner a, depth 5, 3 blocks, momentum 0.3 and lr 1e-3; the others
    /// pull towards more blocks and units, against it.
    /// </summary>
    private double[] Objectives(Dictionary<string, object> p)
    {
        var learner = (string)p["learner"] switch
        {
            "a" => Math.Pow((long)p["a.depth"] - 5, 2) / 10,
            "b" => 0.5,
            _ => 1,
        };
        var first = learner + Math.Pow((double)p["momentum"] - 0.3, 2) + Math.Pow(Math.Log10((double)p["lr"]) + 3, 2) / 10
                    + Math.Abs((long)p["blocks"] - 3) * 0.2;
        var second = (long)p["blocks"] + (long)p["units"] / 512.0;
        return [.. Directions.Select((_, i) => i == 0 ? first : second * (i + 1))];
    }
}
