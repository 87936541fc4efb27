namespace AutoDL.Core.Search;

/// <summary>
/// What a sampler may look at: the space, the objective directions, every trial so far (finished and running), the
/// number of the trial being sampled, and a random generator seeded from the search's seed and that number.
/// </summary>
public sealed record SamplingContext(
    SearchSpace Space,
    IReadOnlyList<Direction> Directions,
    IReadOnlyList<Trial> Trials,
    int TrialNumber,
    Random Random);

/// <summary>
/// Proposes the parameters of the next trial. A pure function of its <see cref="SamplingContext"/>: no hidden state,
/// so any worker on any machine can ask for the next trial and a restart loses nothing.
/// </summary>
public interface ISampler
{
    /// <returns>Internal values for every active parameter and no inactive one.</returns>
    IReadOnlyDictionary<string, double> Sample(SamplingContext context);
}

public static class SamplerRandom
{
    /// <summary>
    /// The generator for trial <paramref name="trialNumber"/> of a search seeded with <paramref name="seed"/>: the same
    /// pair always gives the same sequence, on every machine and in every process (unlike <see cref="HashCode"/>).
    /// </summary>
    public static Random For(int seed, int trialNumber)
    {
        // SplitMix64 finaliser over the pair: neighbouring trial numbers get unrelated streams.
        var z = unchecked(((ulong)(uint)seed << 32 | (uint)trialNumber) + 0x9E3779B97F4A7C15UL);
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        z ^= z >> 31;
        return new Random(unchecked((int)z ^ (int)(z >> 32)));
    }
}
