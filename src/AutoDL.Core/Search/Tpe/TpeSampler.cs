namespace AutoDL.Core.Search.Tpe;

/// <summary>
/// The Tree-structured Parzen Estimator, as Optuna 3.1's <c>TPESampler</c> (single objective). Until
/// <see cref="TpeOptions.StartupTrials"/> trials have finished it samples at random; then, per parameter (or, with
/// <see cref="TpeOptions.Multivariate"/>, per group of parameters), it splits the finished trials into the best
/// <c>gamma(n)</c> and the rest, fits a Parzen estimator l(x) to the good ones' values and g(x) to the others', draws
/// <see cref="TpeOptions.EiCandidates"/> candidates from l and keeps the one with the highest l(x)/g(x).
/// A pure function of its <see cref="SamplingContext"/>: every random number comes from <see cref="SamplingContext.Random"/>.
/// </summary>
/// <remarks>
/// Given the same uniforms, it proposes what Optuna 3.1 proposes (the tests replay Optuna's draws), except:
/// <list type="bullet">
/// <item>By default the continuous kernels have Optuna 3.1's density (<see cref="TpeOptions.Optuna31Density"/>: measured better);
/// turned off, they are normalised as in Optuna 3.5+.</item>
/// <item>A trial lacking some of a group's parameters (a running one, under the constant liar) is left out of that group's
/// observations; Optuna keys on the group's first parameter only and would feed NaN to the estimator.</item>
/// <item>Observed values the current distribution does not contain are ignored, and proposals are clamped into range
/// (Optuna can return a log-scale value one rounding step past its bound).</item>
/// <item>One objective only (Optuna's multi-objective TPE is not ported), and no constraints function.</item>
/// </list>
/// </remarks>
public sealed class TpeSampler : ISampler
{
    private static readonly RandomSampler Startup = new();

    private readonly ParzenEstimatorSettings _settings;

    /// <exception cref="ArgumentException">The options are not usable (the message says why).</exception>
    public TpeSampler(TpeOptions? options = null)
    {
        Options = options ?? new TpeOptions();
        if (Options.Problem() is { } problem)
        {
            throw new ArgumentException($"The TPE options are not valid: {problem}.", nameof(options));
        }

        _settings = ParzenEstimatorSettings.From(Options);
    }

    public TpeOptions Options { get; }

    /// <exception cref="NotSupportedException">The search has more than one objective.</exception>
    public IReadOnlyDictionary<string, double> Sample(SamplingContext context)
    {
        if (context.Directions.Count != 1)
        {
            throw new NotSupportedException(
                $"The TPE sampler optimises one objective; this search has {context.Directions.Count}. Use a multi-objective sampler (NSGA-II) instead.");
        }

        var history = TpeHistory.Create(context.Trials, context.Directions[0], Options.ConstantLiar, Options.Gamma);
        if (history.FinishedCount < Options.StartupTrials)
        {
            return Startup.Sample(context);
        }

        var relative = Options.Multivariate ? SampleRelative(context, history) : [];
        return context.Space.Assign((spec, _) =>
            spec.Distribution.IsSingle ? SingleValue(spec.Distribution)
            : relative.TryGetValue(spec.Name, out var value) && spec.Distribution.Contains(value) ? value
            : SampleIndependent(spec, history, context.Random));
    }

    /// <summary>
    /// Optuna's <c>sample_relative</c>: one joint draw per group of parameters (the intersection of the finished trials'
    /// parameters, or with <see cref="TpeOptions.Group"/> each group of the decomposition). Values of parameters that
    /// turn out inactive in this trial are drawn and then not used, as in Optuna.
    /// </summary>
    private Dictionary<string, double> SampleRelative(SamplingContext context, TpeHistory history)
    {
        var groups = Options.Group
            ? SearchSpaceDecomposition.Groups(context.Space, history.Trials)
            : [SearchSpaceDecomposition.Intersection(context.Space, history.Trials)];
        var values = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var group in groups)
        {
            // Optuna samples a group's parameters sorted by name (and the intersection in the trials' order, which is
            // the space's); the order decides which random draws go to which parameter.
            var members = Options.Group ? group.OrderBy(p => context.Space.Parameters[p].Name, StringComparer.Ordinal) : group.AsEnumerable();
            var names = new List<string>(group.Count);
            var distributions = new List<Distribution>(group.Count);
            foreach (var p in members)
            {
                var spec = context.Space.Parameters[p];
                if (!spec.Distribution.IsSingle)
                {
                    names.Add(spec.Name);
                    distributions.Add(spec.Distribution);
                }
            }

            if (names.Count == 0)
            {
                continue;
            }

            var best = SampleByExpectedImprovement(names, distributions, history, context.Random);
            for (var p = 0; p < names.Count; p++)
            {
                values[names[p]] = best[p];
            }
        }

        return values;
    }

    /// <summary>Optuna's <c>sample_independent</c>: a draw of one parameter from the trials that have it.</summary>
    private double SampleIndependent(ParameterSpec spec, TpeHistory history, Random random) =>
        SampleByExpectedImprovement([spec.Name], [spec.Distribution], history, random)[0];

    /// <summary>Fits l and g over <paramref name="names"/>, draws candidates from l, returns the one maximising log l − log g.</summary>
    private double[] SampleByExpectedImprovement(IReadOnlyList<string> names, IReadOnlyList<Distribution> distributions, TpeHistory history, Random random)
    {
        var below = new ParzenEstimator(distributions, history.Observations(names, distributions, below: true), _settings);
        var above = new ParzenEstimator(distributions, history.Observations(names, distributions, below: false), _settings);
        var candidates = below.Sample(random, Options.EiCandidates);
        var logL = below.LogPdf(candidates);
        var logG = above.LogPdf(candidates);
        var best = ArgMax(logL, logG);
        var result = new double[names.Count];
        for (var p = 0; p < result.Length; p++)
        {
            result[p] = candidates[p][best];
        }

        return result;
    }

    /// <summary>The first index of the largest log l − log g; the first NaN if there is one (NumPy's <c>argmax</c>).</summary>
    private static int ArgMax(double[] logL, double[] logG)
    {
        var best = 0;
        var bestScore = logL[0] - logG[0];
        for (var i = 1; i < logL.Length && !double.IsNaN(bestScore); i++)
        {
            var score = logL[i] - logG[i];
            if (score > bestScore || double.IsNaN(score))
            {
                best = i;
                bestScore = score;
            }
        }

        return best;
    }

    /// <summary>The only value of a one-value distribution; Optuna never asks its sampler for these.</summary>
    private static double SingleValue(Distribution distribution) => distribution switch
    {
        FloatDistribution f => f.Low,
        IntDistribution i => i.Low,
        _ => 0,
    };
}
