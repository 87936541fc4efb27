namespace AutoDL.Core.Search.Tpe;

/// <summary>How a <see cref="ParzenEstimator"/> places and weighs its kernels (Optuna's <c>_ParzenEstimatorParameters</c>).</summary>
internal sealed record ParzenEstimatorSettings(
    bool ConsiderPrior,
    double PriorWeight,
    bool ConsiderMagicClip,
    bool ConsiderEndpoints,
    Func<int, double[]> Weights,
    bool Multivariate,
    bool Optuna31Density)
{
    public static ParzenEstimatorSettings From(TpeOptions options) => new(
        options.ConsiderPrior,
        options.PriorWeight,
        options.ConsiderMagicClip,
        options.ConsiderEndpoints,
        options.Weights,
        options.Multivariate,
        options.Optuna31Density);
}

/// <summary>
/// Optuna 3.1's <c>_ParzenEstimator</c>: a mixture with one kernel per observation (plus one prior kernel), each kernel a
/// product over the parameters of a truncated normal (numbers, on a log axis for log scales, integrated over the
/// grid cell for stepped ones) or a smoothed one-hot (choices). Values are internal values (see <see cref="Distribution"/>);
/// observations and samples are column-major: one array per parameter.
/// </summary>
internal sealed class ParzenEstimator
{
    private const double Eps = 1e-12;
    private const double Sigma0Magnitude = 0.2;

    /// <summary>Below this, exp(x) is 0 in doubles (the smallest subnormal is about e^-744.4).</summary>
    private const double ExpUnderflow = -746.0;

    private readonly Kernel[] _kernels;
    private readonly double[] _logWeights;
    private readonly double[] _cumulativeWeights;

    /// <summary>The mixture weights, one per kernel (the observations', then the prior's), summing to 1.</summary>
    public double[] Weights { get; }

    public ParzenEstimator(IReadOnlyList<Distribution> distributions, IReadOnlyList<double[]> observations, ParzenEstimatorSettings settings)
    {
        if (distributions.Count == 0 || distributions.Count != observations.Count)
        {
            throw new ArgumentException("A Parzen estimator needs one observation column per distribution, and at least one.", nameof(observations));
        }

        var count = observations[0].Length;
        var considerPrior = settings.ConsiderPrior || count == 0;
        Weights = MixtureWeights(count, considerPrior, settings);
        _logWeights = new double[Weights.Length];
        _cumulativeWeights = new double[Weights.Length];
        var cumulative = 0.0;
        for (var k = 0; k < Weights.Length; k++)
        {
            _logWeights[k] = Math.Log(Weights[k]);
            cumulative += Weights[k];
            _cumulativeWeights[k] = cumulative;
        }

        for (var k = 0; k < Weights.Length; k++)
        {
            _cumulativeWeights[k] /= cumulative;
        }

        // Scott's rule, as in BOHB, for the multivariate estimator; univariate bandwidths come from neighbour gaps.
        double? sigma0 = settings.Multivariate
            ? Sigma0Magnitude * Math.Pow(Math.Max(count, 1), -1.0 / (distributions.Count + 4))
            : null;

        _kernels = new Kernel[distributions.Count];
        for (var p = 0; p < distributions.Count; p++)
        {
            if (observations[p].Length != count)
            {
                throw new ArgumentException("Every observation column needs the same length.", nameof(observations));
            }

            _kernels[p] = distributions[p] switch
            {
                CategoricalDistribution categorical => CategoricalKernel.Create(categorical, observations[p], considerPrior, settings.PriorWeight),
                var numerical => NumericalKernel.Create(numerical, observations[p], considerPrior, sigma0, settings),
            };
        }
    }

    /// <summary>The kernel centres of parameter <paramref name="parameter"/> on its (log) axis; null for a choice.</summary>
    public double[]? Mus(int parameter) => (_kernels[parameter] as NumericalKernel)?.Mus;

    /// <summary>The kernel bandwidths of parameter <paramref name="parameter"/>; null for a choice.</summary>
    public double[]? Sigmas(int parameter) => (_kernels[parameter] as NumericalKernel)?.Sigmas;

    /// <summary>Each kernel's probabilities of the choices of parameter <paramref name="parameter"/>; null for a number.</summary>
    public double[][]? CategoricalWeights(int parameter) => (_kernels[parameter] as CategoricalKernel)?.Rows();

    /// <summary>
    /// <paramref name="size"/> draws from the mixture, as Optuna draws them: first each draw's kernel, then per parameter
    /// one uniform per draw turned into a value of that kernel. Every random number is one <see cref="Random.NextDouble"/>.
    /// </summary>
    public double[][] Sample(Random random, int size)
    {
        var active = new int[size];
        for (var i = 0; i < size; i++)
        {
            var u = random.NextDouble();
            active[i] = UpperBound(_cumulativeWeights, u);
        }

        var samples = new double[_kernels.Length][];
        for (var p = 0; p < _kernels.Length; p++)
        {
            samples[p] = _kernels[p].Sample(random, active);
        }

        return samples;
    }

    /// <summary>log of the mixture's density (mass, for grids and choices) at each sample.</summary>
    public double[] LogPdf(IReadOnlyList<double[]> samples)
    {
        var sampleCount = samples[0].Length;
        var result = new double[sampleCount];
        if (sampleCount == 0)
        {
            return result;
        }

        if (_kernels is [CategoricalKernel only])
        {
            // Optuna's shortcut for one categorical parameter: log Σ_k w_k p_k(c), without the log-sum-exp.
            var column = samples[0];
            for (var i = 0; i < sampleCount; i++)
            {
                result[i] = Math.Log(only.MixtureProbability((int)column[i], Weights));
            }

            return result;
        }

        var componentCount = Weights.Length;
        var logPdf = new double[sampleCount * componentCount];
        for (var p = 0; p < _kernels.Length; p++)
        {
            _kernels[p].AddLogPdf(samples[p], logPdf);
        }

        for (var i = 0; i < sampleCount; i++)
        {
            var row = logPdf.AsSpan(i * componentCount, componentCount);
            var max = double.NegativeInfinity;
            for (var k = 0; k < componentCount; k++)
            {
                row[k] += _logWeights[k];
                max = Math.Max(max, row[k]); // NaN propagates, as in NumPy's max.
            }

            var sum = 0.0;
            for (var k = 0; k < componentCount; k++)
            {
                // Far kernels (most of them, with many observations) underflow to exactly 0: skip their exp.
                var shifted = row[k] - max;
                if (!(shifted < ExpUnderflow))
                {
                    sum += Math.Exp(shifted);
                }
            }

            result[i] = Math.Log(sum) + max;
        }

        return result;
    }

    private static double[] MixtureWeights(int count, bool considerPrior, ParzenEstimatorSettings settings)
    {
        var observed = settings.Weights(count);
        if (observed.Length < count)
        {
            throw new InvalidOperationException($"The TPE weights function returned {observed.Length} weights for {count} observations.");
        }

        var sum = 0.0;
        for (var k = 0; k < count; k++)
        {
            if (!double.IsFinite(observed[k]) || observed[k] < 0)
            {
                throw new InvalidOperationException($"The TPE weights function must return finite weights of at least 0, got {observed[k]} for {count} observations.");
            }

            sum += observed[k];
        }

        if (count > 0 && sum <= 0)
        {
            throw new InvalidOperationException($"The TPE weights function returned only zeros for {count} observations.");
        }

        var weights = new double[considerPrior ? count + 1 : count];
        Array.Copy(observed, weights, count);
        if (considerPrior)
        {
            weights[count] = settings.PriorWeight;
        }

        var total = 0.0;
        foreach (var w in weights)
        {
            total += w;
        }

        for (var k = 0; k < weights.Length; k++)
        {
            weights[k] /= total;
        }

        return weights;
    }

    /// <summary>The first index whose value is above <paramref name="u"/> (NumPy's <c>searchsorted(side="right")</c>).</summary>
    private static int UpperBound(double[] sorted, double u)
    {
        int low = 0, high = sorted.Length;
        while (low < high)
        {
            var middle = (low + high) >>> 1;
            if (sorted[middle] <= u)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        return Math.Min(low, sorted.Length - 1);
    }

    private abstract class Kernel
    {
        /// <summary>Draws one value per entry of <paramref name="active"/> from that kernel.</summary>
        public abstract double[] Sample(Random random, int[] active);

        /// <summary>Adds each kernel's log density at each sample to <paramref name="logPdf"/> (sample-major).</summary>
        public abstract void AddLogPdf(double[] samples, double[] logPdf);
    }

    /// <summary>Truncated normals on [low, high] of the (log) axis, one per kernel.</summary>
    private sealed class NumericalKernel : Kernel
    {
        private readonly Distribution _distribution;
        private readonly bool _logScale;
        private readonly double _low;
        private readonly double _high;

        /// <summary>The grid step (integers, stepped floats): the density becomes the mass of the value's cell.</summary>
        private readonly double? _step;

        /// <summary>Per kernel: log of its mass on [low, high], plus log σ unless reproducing Optuna 3.1's density.</summary>
        private readonly double[] _logNormalizers;

        /// <summary>Per kernel: low and high in its standardised coordinates, (bound - μ) / σ.</summary>
        private readonly double[] _standardLows;
        private readonly double[] _standardHighs;

        public double[] Mus { get; }
        public double[] Sigmas { get; }

        private NumericalKernel(Distribution distribution, bool logScale, double low, double high, double? step, double[] mus, double[] sigmas, bool optuna31Density)
        {
            _distribution = distribution;
            _logScale = logScale;
            _low = low;
            _high = high;
            _step = step;
            Mus = mus;
            Sigmas = sigmas;
            _logNormalizers = new double[mus.Length];
            _standardLows = new double[mus.Length];
            _standardHighs = new double[mus.Length];
            for (var k = 0; k < mus.Length; k++)
            {
                _standardLows[k] = (low - mus[k]) / sigmas[k];
                _standardHighs[k] = (high - mus[k]) / sigmas[k];
                _logNormalizers[k] = TruncatedNormal.LogGaussMass(_standardLows[k], _standardHighs[k]);
                if (step is null && !optuna31Density)
                {
                    _logNormalizers[k] += Math.Log(sigmas[k]);
                }
            }
        }

        public static NumericalKernel Create(Distribution distribution, double[] observations, bool considerPrior, double? sigma0, ParzenEstimatorSettings settings)
        {
            var (low, high, step, logScale) = distribution switch
            {
                FloatDistribution { Log: true } f => (Math.Log(f.Low), Math.Log(f.High), (double?)null, true),
                FloatDistribution { Step: { } s } f => (f.Low - 0.5 * s, GridHigh(f) + 0.5 * s, s, false),
                FloatDistribution f => (f.Low, f.High, null, false),
                IntDistribution { Log: true } i => (Math.Log(i.Low - 0.5), Math.Log(i.High + 0.5), null, true),
                IntDistribution i => (i.Low - 0.5 * i.Step, GridHigh(i) + 0.5 * i.Step, i.Step, false),
                _ => throw new ArgumentException($"TPE cannot model a {distribution.GetType().Name}.", nameof(distribution)),
            };

            if (!(low < high))
            {
                throw new ArgumentException("TPE models only distributions with more than one value.", nameof(distribution));
            }

            var count = observations.Length;
            var mus = new double[considerPrior ? count + 1 : count];
            for (var k = 0; k < count; k++)
            {
                mus[k] = logScale ? Math.Log(observations[k]) : observations[k];
            }

            if (considerPrior)
            {
                mus[count] = 0.5 * (low + high);
            }

            var sigmas = new double[mus.Length];
            if (sigma0 is { } scott)
            {
                Array.Fill(sigmas, scott * (high - low));
            }
            else
            {
                NeighbourGaps(mus, low, high, settings.ConsiderEndpoints, sigmas);
            }

            var maxSigma = 1.0 * (high - low);
            var minSigma = settings.ConsiderMagicClip ? 1.0 * (high - low) / Math.Min(100.0, 1.0 + mus.Length) : Eps;
            for (var k = 0; k < sigmas.Length; k++)
            {
                sigmas[k] = Math.Min(Math.Max(sigmas[k], minSigma), maxSigma);
            }

            if (considerPrior)
            {
                sigmas[count] = 1.0 * (high - low);
            }

            return new NumericalKernel(distribution, logScale, low, high, step, mus, sigmas, settings.Optuna31Density);
        }

        /// <summary>Each centre's bandwidth: the larger gap to its neighbours in sorted order (the ends count as neighbours).</summary>
        private static void NeighbourGaps(double[] mus, double low, double high, bool considerEndpoints, double[] sigmas)
        {
            var order = NumpyArgsort.Argsort(mus);
            var withEnds = new double[mus.Length + 2];
            withEnds[0] = low;
            for (var i = 0; i < order.Length; i++)
            {
                withEnds[i + 1] = mus[order[i]];
            }

            withEnds[^1] = high;
            var sorted = new double[mus.Length];
            for (var i = 0; i < sorted.Length; i++)
            {
                sorted[i] = Math.Max(withEnds[i + 1] - withEnds[i], withEnds[i + 2] - withEnds[i + 1]);
            }

            if (!considerEndpoints && withEnds.Length >= 4)
            {
                sorted[0] = withEnds[2] - withEnds[1];
                sorted[^1] = withEnds[^2] - withEnds[^3];
            }

            for (var i = 0; i < order.Length; i++)
            {
                sigmas[order[i]] = sorted[i];
            }
        }

        public override double[] Sample(Random random, int[] active)
        {
            var values = new double[active.Length];
            for (var i = 0; i < active.Length; i++)
            {
                values[i] = random.NextDouble();
            }

            for (var i = 0; i < active.Length; i++)
            {
                var k = active[i];
                var standardized = TruncatedNormal.Ppf(values[i], _standardLows[k], _standardHighs[k]);
                values[i] = FromAxis(standardized * Sigmas[k] + Mus[k]);
            }

            return values;
        }

        /// <summary>A point of the kernel's axis as an internal value: back from the log axis, onto the grid, into range.</summary>
        private double FromAxis(double x) => _distribution switch
        {
            FloatDistribution { Log: true } f => Math.Clamp(Math.Exp(x), f.Low, f.High),
            FloatDistribution { Step: { } s } f => Math.Clamp(Math.Round((x - f.Low) / s) * s + f.Low, f.Low, GridHigh(f)),
            FloatDistribution f => Math.Clamp(x, f.Low, f.High),
            IntDistribution { Log: true } i => Math.Clamp(Math.Round(Math.Exp(x)), i.Low, i.High),
            IntDistribution i => Math.Clamp(Math.Round((x - i.Low) / i.Step) * i.Step + i.Low, i.Low, GridHigh(i)),
            _ => throw new InvalidOperationException("Unreachable: numerical kernels are built only for numbers."),
        };

        public override void AddLogPdf(double[] samples, double[] logPdf)
        {
            var componentCount = Mus.Length;
            for (var i = 0; i < samples.Length; i++)
            {
                var row = logPdf.AsSpan(i * componentCount, componentCount);
                var x = _logScale ? Math.Log(samples[i]) : samples[i];
                if (_step is { } step)
                {
                    var upper = Math.Min(x + step / 2.0, _high);
                    var lower = Math.Max(x - step / 2.0, _low);
                    for (var k = 0; k < componentCount; k++)
                    {
                        var mass = TruncatedNormal.LogGaussMass((lower - Mus[k]) / Sigmas[k], (upper - Mus[k]) / Sigmas[k]);
                        row[k] += mass - _logNormalizers[k];
                    }
                }
                else
                {
                    for (var k = 0; k < componentCount; k++)
                    {
                        var z = (x - Mus[k]) / Sigmas[k];
                        row[k] += z < _standardLows[k] || _standardHighs[k] < z
                            ? double.NegativeInfinity
                            : TruncatedNormal.NormLogPdf(z) - _logNormalizers[k];
                    }
                }
            }
        }
    }

    /// <summary>Per kernel, a distribution over the choices: the prior weight spread evenly, plus 1 on the observed choice.</summary>
    private sealed class CategoricalKernel : Kernel
    {
        private readonly int _choiceCount;

        /// <summary>Kernel-major: row k holds kernel k's probabilities of each choice.</summary>
        private readonly double[] _probabilities;

        private CategoricalKernel(int choiceCount, double[] probabilities)
        {
            _choiceCount = choiceCount;
            _probabilities = probabilities;
        }

        public static CategoricalKernel Create(CategoricalDistribution distribution, double[] observations, bool considerPrior, double priorWeight)
        {
            var count = observations.Length;
            var choices = distribution.Choices.Count;
            var rows = considerPrior ? count + 1 : count;
            var value = considerPrior ? priorWeight / (count + 1) : priorWeight / count;
            var probabilities = new double[rows * choices];
            Array.Fill(probabilities, value);
            for (var k = 0; k < count; k++)
            {
                probabilities[k * choices + (int)observations[k]] += 1;
            }

            for (var k = 0; k < rows; k++)
            {
                var row = probabilities.AsSpan(k * choices, choices);
                var sum = 0.0;
                foreach (var p in row)
                {
                    sum += p;
                }

                for (var c = 0; c < choices; c++)
                {
                    row[c] /= sum;
                }
            }

            return new CategoricalKernel(choices, probabilities);
        }

        public double[][] Rows()
        {
            var rows = new double[_probabilities.Length / _choiceCount][];
            for (var k = 0; k < rows.Length; k++)
            {
                rows[k] = _probabilities.AsSpan(k * _choiceCount, _choiceCount).ToArray();
            }

            return rows;
        }

        /// <summary>Σ_k w_k p_k(<paramref name="choice"/>).</summary>
        public double MixtureProbability(int choice, double[] weights)
        {
            var sum = 0.0;
            for (var k = 0; k < weights.Length; k++)
            {
                sum += _probabilities[k * _choiceCount + choice] * weights[k];
            }

            return sum;
        }

        public override double[] Sample(Random random, int[] active)
        {
            var values = new double[active.Length];
            for (var i = 0; i < active.Length; i++)
            {
                var u = random.NextDouble();
                var row = _probabilities.AsSpan(active[i] * _choiceCount, _choiceCount);
                var cumulative = 0.0;
                var below = 0;
                foreach (var p in row)
                {
                    cumulative += p;
                    if (cumulative < u)
                    {
                        below++;
                    }
                }

                values[i] = Math.Min(below, _choiceCount - 1); // A quantile past a cumulative sum rounded below 1.
            }

            return values;
        }

        public override void AddLogPdf(double[] samples, double[] logPdf)
        {
            var componentCount = _probabilities.Length / _choiceCount;
            for (var i = 0; i < samples.Length; i++)
            {
                var choice = (int)samples[i];
                var offset = i * componentCount;
                for (var k = 0; k < componentCount; k++)
                {
                    logPdf[offset + k] += Math.Log(_probabilities[k * _choiceCount + choice]);
                }
            }
        }
    }

    /// <summary>The largest grid value of a stepped float (Optuna moves a high that is off the grid down onto it).</summary>
    internal static double GridHigh(FloatDistribution distribution) =>
        distribution.Contains(distribution.High) ? distribution.High : distribution.Snap(distribution.High);

    /// <summary>The largest grid value of an integer distribution.</summary>
    internal static double GridHigh(IntDistribution distribution) =>
        distribution.Low + (distribution.High - distribution.Low) / distribution.Step * distribution.Step;
}
