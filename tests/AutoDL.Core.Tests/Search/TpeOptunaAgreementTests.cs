using AutoDL.Core.Search;
using AutoDL.Core.Search.Tpe;

namespace AutoDL.Core.Tests.Search;

/// <summary>
/// The TPE sampler against numbers produced by Optuna 3.1.0 itself (see optuna_reference.py for how): the Parzen
/// estimators' kernels and densities, the truncated normal, the good/bad split, the group decomposition, and whole
/// proposals replayed from Optuna's own random draws.
/// </summary>
public sealed class TpeOptunaAgreementTests
{
    private const double RelativeTolerance = 1e-9;

    public static TheoryData<string> EstimatorCases => new(OptunaReference.Estimators.Select(c => c.Name));

    public static TheoryData<string> SamplerCases => new(OptunaReference.Samplers().Select(c => c.Name));

    [Theory]
    [MemberData(nameof(EstimatorCases))]
    public void ParzenEstimatorKernelsAreOptunas(string name)
    {
        var reference = OptunaReference.Estimators.Single(c => c.Name == name);
        var estimator = new ParzenEstimator(reference.Distributions, reference.Observations, reference.Settings);

        AssertClose(reference.Weights, estimator.Weights, "weights");
        for (var p = 0; p < reference.Distributions.Length; p++)
        {
            if (reference.Distributions[p] is CategoricalDistribution)
            {
                var rows = estimator.CategoricalWeights(p)!;
                Assert.Equal(reference.CategoricalWeights[p].Length, rows.Length);
                for (var k = 0; k < rows.Length; k++)
                {
                    AssertClose(reference.CategoricalWeights[p][k], rows[k], $"categorical weights of parameter {p}, kernel {k}");
                }
            }
            else
            {
                AssertClose(reference.Mus[p], estimator.Mus(p)!, $"mus of parameter {p}");
                AssertClose(reference.Sigmas[p], estimator.Sigmas(p)!, $"sigmas of parameter {p}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(EstimatorCases))]
    public void ParzenEstimatorLogDensityIsOptuna31sWithItsDensitySetting(string name)
    {
        var reference = OptunaReference.Estimators.Single(c => c.Name == name);
        var estimator = new ParzenEstimator(reference.Distributions, reference.Observations, reference.Settings with { Optuna31Density = true });

        AssertClose(reference.LogPdfOptuna31, estimator.LogPdf(reference.Points), "log pdf (Optuna 3.1)");
    }

    [Theory]
    [MemberData(nameof(EstimatorCases))]
    public void ParzenEstimatorLogDensityIsNormalisedAsOptuna35sWhenAskedFor(string name)
    {
        var reference = OptunaReference.Estimators.Single(c => c.Name == name);
        var estimator = new ParzenEstimator(reference.Distributions, reference.Observations, reference.Settings);

        AssertClose(reference.LogPdf, estimator.LogPdf(reference.Points), "log pdf (with 1/sigma)");
    }

    [Fact]
    public void NormalisedContinuousDensityIntegratesToOne()
    {
        var estimator = new ParzenEstimator([new FloatDistribution(-2, 3)], [[-1.5, 0.2, 0.25, 2.9]], ParzenEstimatorSettings.From(new TpeOptions { Optuna31Density = false }));
        const int steps = 20_000;
        var points = Enumerable.Range(0, steps).Select(i => -2 + (i + 0.5) * 5.0 / steps).ToArray();

        var integral = estimator.LogPdf([points]).Sum(l => Math.Exp(l) * 5.0 / steps);

        Assert.InRange(integral, 1 - 1e-6, 1 + 1e-6);
    }

    [Fact]
    public void TruncatedNormalQuantilesAreOptunas()
    {
        foreach (var (q, a, b, expected) in OptunaReference.Ppf)
        {
            AssertClose([expected], [TruncatedNormal.Ppf(q, a, b)], $"ppf({q}; {a}, {b})");
        }
    }

    [Fact]
    public void GaussianLogMassesAreOptunas()
    {
        foreach (var (a, b, expected) in OptunaReference.LogGaussMass)
        {
            AssertClose([expected], [TruncatedNormal.LogGaussMass(a, b)], $"log mass on [{a}, {b}]");
        }
    }

    [Fact]
    public void DefaultGammaAndWeightsAreOptunas()
    {
        foreach (var (n, gamma, weights) in OptunaReference.WeightsAndGamma)
        {
            Assert.Equal(gamma, TpeOptions.DefaultGamma(n));
            Assert.Equal(weights, TpeOptions.DefaultWeights(n));
        }
    }

    [Fact]
    public void TiedKernelCentresAreOrderedAsNumpyOrdersThem()
    {
        foreach (var (values, order) in OptunaReference.Argsorts)
        {
            Assert.Equal(order, NumpyArgsort.Argsort(values));
        }
    }

    [Fact]
    public void TrialsAreSplitIntoGoodAndBadAsOptunaSplitsThem()
    {
        var trials = OptunaReference.SplitTrials();
        foreach (var (direction, liar, below, above) in OptunaReference.Splits)
        {
            var history = TpeHistory.Create(trials, direction, liar, TpeOptions.DefaultGamma);

            var actualBelow = history.Trials.Where((_, i) => history.IsBelow[i]).Select(t => t.Number);
            var actualAbove = history.Trials.Where((_, i) => !history.IsBelow[i]).Select(t => t.Number);
            Assert.Equal(below, actualBelow);
            Assert.Equal(above, actualAbove);
        }
    }

    [Fact]
    public void ConditionalSpacesAreDecomposedIntoOptunasGroups()
    {
        var names = OptunaReference.GroupTrials.SelectMany(t => t.Names).Distinct().Order(StringComparer.Ordinal).ToList();
        var space = SearchSpace.Create(names.Select(n => new ParameterSpec(n, new FloatDistribution(0, 1))));
        var trials = OptunaReference.GroupTrials
            .Select(t => new Trial
            {
                Number = t.Number,
                State = t.State,
                Params = t.Names.ToDictionary(n => n, _ => 0.5),
                Values = t.State == TrialState.Complete ? [0.0] : null,
            })
            .ToList();

        var groups = SearchSpaceDecomposition.Groups(space, trials)
            .Select(g => g.Select(p => space.Parameters[p].Name).Order(StringComparer.Ordinal).ToArray())
            .ToArray();

        Assert.Equal(OptunaReference.Groups, groups);
    }

    [Theory]
    [MemberData(nameof(SamplerCases))]
    public void ProposalsAreOptunasWhenReplayingItsRandomDraws(string name)
    {
        var reference = OptunaReference.Samplers().Single(c => c.Name == name);
        var random = new ReplayedRandom(reference.Draws);
        var context = new SamplingContext(reference.Space, [reference.Direction], reference.Trials, reference.Trials.Length, random);

        var proposal = new TpeSampler(reference.Options).Sample(context);

        Assert.Equal(reference.Expected.Keys.Order(StringComparer.Ordinal), proposal.Keys.Order(StringComparer.Ordinal));
        foreach (var (parameter, expected) in reference.Expected)
        {
            AssertClose([expected], [proposal[parameter]], parameter);
        }

        Assert.Equal(reference.Draws.Length, random.Used);
    }

    private static void AssertClose(double[] expected, double[] actual, string what)
    {
        Assert.True(expected.Length == actual.Length, $"{what}: expected {expected.Length} values, got {actual.Length}.");
        for (var i = 0; i < expected.Length; i++)
        {
            var close = expected[i] == actual[i]
                || Math.Abs(expected[i] - actual[i]) <= RelativeTolerance * Math.Abs(expected[i]);
            Assert.True(close, $"{what}[{i}]: expected {expected[i]:R}, got {actual[i]:R}.");
        }
    }
}
