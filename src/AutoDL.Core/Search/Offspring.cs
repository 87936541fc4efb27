using System.Diagnostics;

namespace AutoDL.Core.Search;

/// <summary>Building a child's parameters from its parents', for the evolutionary samplers.</summary>
internal static class Offspring
{
    /// <summary>Draws before a numeric mutation gives up on finding a different value at random.</summary>
    private const int MutationDraws = 64;

    /// <summary>
    /// Walks the space in order, so conditions are judged on the child's own values: each active parameter takes what
    /// <paramref name="inherit"/> gives, or a fresh draw where it gives null (a parameter no parent had active).
    /// Inactive parameters are left out, fixed ones get 0.
    /// </summary>
    public static Dictionary<string, double> Walk(
        SearchSpace space, Random random, Func<ParameterSpec, IReadOnlyDictionary<string, double>, double?> inherit) =>
        space.Assign((spec, soFar) => inherit(spec, soFar) ?? RandomSampler.Draw(spec.Distribution, random));

    /// <summary>The parent's value of <paramref name="spec"/> when it had one the distribution still contains.</summary>
    public static double? ValueOf(IReadOnlyDictionary<string, double> parent, ParameterSpec spec) =>
        parent.TryGetValue(spec.Name, out var value) && spec.Distribution.Contains(value) ? value : null;

    /// <summary>
    /// A value of <paramref name="distribution"/> other than <paramref name="old"/> (which must not be single): another
    /// choice uniformly for categoricals; for numbers a fresh draw from the distribution (log scale and step
    /// respected) repeated while it equals the old value, and after <see cref="MutationDraws"/> equal draws (odds
    /// below 1e-10 for any distribution) the lowest value, or the highest when the old one is the lowest.
    /// </summary>
    public static double DrawOtherThan(Distribution distribution, double old, Random random)
    {
        if (distribution is CategoricalDistribution categorical)
        {
            var index = random.Next(categorical.Choices.Count - 1);
            return index >= old ? index + 1 : index;
        }

        for (var draw = 0; draw < MutationDraws; draw++)
        {
            var value = RandomSampler.Draw(distribution, random);
            if (value != old)
            {
                return value;
            }
        }

        var (lowest, highest) = distribution switch
        {
            FloatDistribution f => (f.Low, f.Snap(f.High)),
            IntDistribution i => (i.Low, i.Snap(i.High)),
            _ => throw new ArgumentOutOfRangeException(nameof(distribution), distribution, "Only searchable distributions mutate."),
        };
        return old == lowest ? highest : lowest;
    }

    /// <summary>
    /// A value of <paramref name="distribution"/> near <paramref name="old"/> and other than it: for numbers a normal
    /// step with standard deviation <paramref name="scale"/> × the range, on the log axis for log scales (integers over
    /// [low − ½, high + ½], so every value keeps its share), reflected back into range and snapped to the grid; drawn
    /// again while it lands on the old value, then <see cref="DrawOtherThan"/>. Categoricals: another choice uniformly.
    /// </summary>
    public static double StepOtherThan(Distribution distribution, double old, double scale, Random random)
    {
        if (distribution is not (FloatDistribution or IntDistribution))
        {
            return DrawOtherThan(distribution, old, random);
        }

        var (log, low, high) = distribution switch
        {
            FloatDistribution f => (f.Log, f.Low, f.High),
            IntDistribution i => (i.Log, i.Low - 0.5, i.High + 0.5),
            _ => throw new UnreachableException(),
        };
        Func<double, double> axis = log ? Math.Log : v => v, back = log ? Math.Exp : v => v;
        Func<double, double> snap = distribution is FloatDistribution fd ? fd.Snap : ((IntDistribution)distribution).Snap;
        (low, high) = (axis(low), axis(high));
        for (var draw = 0; draw < MutationDraws; draw++)
        {
            var x = axis(old) + Normal(random) * scale * (high - low);
            x = Reflect(x, low, high);
            var value = snap(back(x));
            if (value != old && distribution.Contains(value))
            {
                return value;
            }
        }

        return DrawOtherThan(distribution, old, random);
    }

    /// <summary>Folds <paramref name="x"/> back into [low, high] at the ends, as often as it takes.</summary>
    private static double Reflect(double x, double low, double high)
    {
        var width = high - low;
        if (width <= 0)
        {
            return low;
        }

        var t = (x - low) % (2 * width);
        t = t < 0 ? t + 2 * width : t;
        return low + (t <= width ? t : 2 * width - t);
    }

    /// <summary>A standard normal draw (Box–Muller).</summary>
    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
