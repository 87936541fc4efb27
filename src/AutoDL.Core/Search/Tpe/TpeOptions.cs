namespace AutoDL.Core.Search.Tpe;

/// <summary>
/// Settings of the <see cref="TpeSampler"/>, named and defaulted as Optuna's <c>TPESampler</c> arguments
/// (consider_prior, prior_weight, consider_magic_clip, consider_endpoints, n_startup_trials, n_ei_candidates, gamma,
/// weights, multivariate, group, constant_liar).
/// </summary>
public sealed record TpeOptions
{
    /// <summary>Add a wide prior kernel (centred, as wide as the range) to every Parzen estimator.</summary>
    public bool ConsiderPrior { get; init; } = true;

    /// <summary>The prior kernel's weight, against 1 for each observation (before the <see cref="Weights"/> ramp).</summary>
    public double PriorWeight { get; init; } = 1.0;

    /// <summary>Keep kernel bandwidths at least range / min(100, kernels + 1).</summary>
    public bool ConsiderMagicClip { get; init; } = true;

    /// <summary>Let the range's ends count as neighbours when sizing the outermost kernels' bandwidths.</summary>
    public bool ConsiderEndpoints { get; init; }

    /// <summary>Sample at random until this many trials have finished (complete or pruned).</summary>
    public int StartupTrials { get; init; } = 10;

    /// <summary>Candidates drawn from l(x), the good trials' density, to pick the best l(x)/g(x) among.</summary>
    public int EiCandidates { get; init; } = 24;

    /// <summary>How many of n finished trials are the good ones (Optuna's <c>gamma</c>).</summary>
    public Func<int, int> Gamma { get; init; } = DefaultGamma;

    /// <summary>The weights of n observations, oldest first (Optuna's <c>weights</c>).</summary>
    public Func<int, double[]> Weights { get; init; } = DefaultWeights;

    /// <summary>Model the parameters jointly (one kernel per trial over all of them) rather than one by one.</summary>
    public bool Multivariate { get; init; }

    /// <summary>
    /// With <see cref="Multivariate"/>: split a conditional space into groups of parameters that always appear together
    /// and model each group jointly. Without it, only the parameters every finished trial has are modelled jointly.
    /// </summary>
    public bool Group { get; init; }

    /// <summary>Count running trials among the bad ones, so parallel workers do not all propose the same region.</summary>
    public bool ConstantLiar { get; init; }

    /// <summary>
    /// Use the continuous kernel density of Optuna 3.1 to 3.4, which leaves out each kernel's 1/σ factor (optuna#5109,
    /// "fixed" in 3.5 by optuna#5110): wide kernels then count for more than a normalised density gives them, which
    /// keeps the search wider. On by default because it searches better: over 100 seeds of issue 4's functions
    /// (<c>bench/search.sh variants</c>) it was at least as good everywhere and twice as good on Rosenbrock-10 (median
    /// best 4,674 against 9,498). On, proposals match Optuna 3.1's draw for draw; off, the densities are normalised
    /// as in Optuna 3.5+.
    /// </summary>
    public bool Optuna31Density { get; init; } = true;

    /// <summary>Optuna's <c>default_gamma</c>: min(⌈0.1 n⌉, 25).</summary>
    public static int DefaultGamma(int n) => Math.Min((int)Math.Ceiling(0.1 * n), 25);

    /// <summary>Optuna's <c>hyperopt_default_gamma</c>: min(⌈0.25 √n⌉, 25).</summary>
    public static int HyperoptGamma(int n) => Math.Min((int)Math.Ceiling(0.25 * Math.Sqrt(n)), 25);

    /// <summary>
    /// Optuna's <c>default_weights</c>: equal weights below 25 observations; from 25 on, the newest 25 weigh 1 and the
    /// older ones ramp linearly from 1/n up to 1 (NumPy's <c>linspace(1/n, 1, n - 25)</c>).
    /// </summary>
    public static double[] DefaultWeights(int n)
    {
        var weights = new double[n];
        Array.Fill(weights, 1.0);
        if (n >= 25)
        {
            var rampLength = n - 25;
            var start = 1.0 / n;
            var step = rampLength > 1 ? (1.0 - start) / (rampLength - 1) : 0;
            for (var i = 0; i < rampLength; i++)
            {
                weights[i] = i * step + start;
            }

            if (rampLength > 1)
            {
                weights[rampLength - 1] = 1.0;
            }
        }

        return weights;
    }

    /// <summary>Why these options cannot be used, or null when they can.</summary>
    public string? Problem() =>
        Group && !Multivariate ? "grouping (Group) needs the multivariate estimator (Multivariate)"
        : StartupTrials < 0 ? $"startup trials must be at least 0, not {StartupTrials}"
        : EiCandidates < 1 ? $"EI candidates must be at least 1, not {EiCandidates}"
        : !double.IsFinite(PriorWeight) || PriorWeight <= 0 ? $"the prior weight must be a number above 0, not {PriorWeight}"
        : null;
}
