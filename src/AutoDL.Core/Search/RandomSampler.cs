namespace AutoDL.Core.Search;

/// <summary>Independent draws from each active parameter's distribution.</summary>
public sealed class RandomSampler : ISampler
{
    public IReadOnlyDictionary<string, double> Sample(SamplingContext context) =>
        context.Space.Assign((spec, _) => Draw(spec.Distribution, context.Random));

    /// <summary>One draw from <paramref name="distribution"/>, as an internal value. Shared by samplers that fall back to random.</summary>
    public static double Draw(Distribution distribution, Random random) => distribution switch
    {
        FloatDistribution { Log: true } f => Math.Exp(Uniform(Math.Log(f.Low), Math.Log(f.High), random)),
        FloatDistribution { Step: { } step } f => f.Low + random.NextInt64(0, (long)Math.Floor((f.High - f.Low) / step + 1e-9) + 1) * step,
        FloatDistribution f => Uniform(f.Low, f.High, random),
        // Log ints: draw log-uniformly over [low - 0.5, high + 0.5] and round, as Optuna does, so the ends are not halved.
        IntDistribution { Log: true } i => i.Snap(Math.Exp(Uniform(Math.Log(i.Low - 0.5), Math.Log(i.High + 0.5), random))),
        IntDistribution i => i.Low + random.NextInt64(0, (i.High - i.Low) / i.Step + 1) * i.Step,
        CategoricalDistribution c => random.Next(c.Choices.Count),
        FixedDistribution => 0,
        _ => throw new ArgumentOutOfRangeException(nameof(distribution), distribution, "Unknown distribution."),
    };

    private static double Uniform(double low, double high, Random random) =>
        low == high ? low : Math.Min(low + random.NextDouble() * (high - low), high);
}
