using AutoDL.Core.Search;
using AutoDL.Learners.Neural;

namespace AutoDL.Learners.Tabular;

/// <summary>The learners a tabular search chooses among (the values of <see cref="TabularParameters.Learner"/>).</summary>
public static class TabularLearners
{
    /// <summary>LightGBM gradient-boosted trees.</summary>
    public const string LightGbm = "lightgbm";

    /// <summary>ML.NET's FastTree (MART) boosted trees; one-versus-all for several classes.</summary>
    public const string FastTree = "fasttree";

    /// <summary>ML.NET's FastForest random forest; one-versus-all for several classes.</summary>
    public const string FastForest = "fastforest";

    /// <summary>SDCA: logistic regression (binary), maximum entropy (multiclass), least squares (regression).</summary>
    public const string Sdca = "sdca";

    /// <summary>L-BFGS: logistic regression (binary), maximum entropy (multiclass), Poisson regression (non-negative targets).</summary>
    public const string Lbfgs = "lbfgs";

    /// <summary>
    /// A TorchSharp multilayer perceptron on the standardised features (<see cref="TabularMlp"/>): the MLP space of
    /// <see cref="NeuralSearchSpace.ForVectors"/>, trained with early stopping on a part of each fit's rows.
    /// </summary>
    public const string Mlp = "mlp";

    /// <summary>Learners that normalise their features first (linear models).</summary>
    public static readonly IReadOnlyList<string> Linear = [Sdca, Lbfgs];

    /// <summary>Every learner that can train for <paramref name="task"/>.</summary>
    public static IReadOnlyList<string> Supported(TabularTask task) => [LightGbm, FastTree, FastForest, Sdca, Lbfgs, Mlp];

    /// <summary>
    /// The learners a search tries when none are named: all supported ones but the MLP (opt-in: on the sample tables a
    /// trial of it costs several times a boosted model's and scores no better), and for regression not L-BFGS either,
    /// whose Poisson regression models counts and fails on negative targets (name it explicitly for count targets).
    /// </summary>
    public static IReadOnlyList<string> Default(TabularTask task) =>
        task == TabularTask.Regression ? [LightGbm, FastTree, FastForest, Sdca] : [LightGbm, FastTree, FastForest, Sdca, Lbfgs];
}

/// <summary>The names of a tabular search's parameters. Learner parameters are prefixed with their learner.</summary>
public static class TabularParameters
{
    public const string Learner = "learner";

    /// <summary>How missing numbers are filled: mean, minimum, maximum, mode or default (zero).</summary>
    public const string Impute = "impute";

    /// <summary>Whether each numeric column gets a 0/1 "was missing" feature: "true" or "false".</summary>
    public const string MissingIndicator = "missing_indicator";

    /// <summary>Categorical columns with at most this many distinct values are one-hot encoded; others are hashed.</summary>
    public const string OneHotMaxCardinality = "one_hot_max_cardinality";

    /// <summary>Feature scaling for linear learners: minmax or meanvariance.</summary>
    public const string Normalization = "normalization";

    public const string LightGbmNumIterations = "lightgbm.num_iterations";
    public const string LightGbmNumLeaves = "lightgbm.num_leaves";
    public const string LightGbmMinDataPerLeaf = "lightgbm.min_data_per_leaf";
    public const string LightGbmLearningRate = "lightgbm.learning_rate";
    public const string LightGbmFeatureFraction = "lightgbm.feature_fraction";
    public const string LightGbmL1 = "lightgbm.l1";
    public const string LightGbmL2 = "lightgbm.l2";

    public const string FastTreeNumTrees = "fasttree.num_trees";
    public const string FastTreeNumLeaves = "fasttree.num_leaves";
    public const string FastTreeLearningRate = "fasttree.learning_rate";
    public const string FastTreeMinExamplesPerLeaf = "fasttree.min_examples_per_leaf";

    public const string FastForestNumTrees = "fastforest.num_trees";
    public const string FastForestNumLeaves = "fastforest.num_leaves";
    public const string FastForestFeatureFraction = "fastforest.feature_fraction";
    public const string FastForestMinExamplesPerLeaf = "fastforest.min_examples_per_leaf";

    public const string SdcaL2 = "sdca.l2";
    public const string SdcaL1 = "sdca.l1";

    public const string LbfgsL2 = "lbfgs.l2";
    public const string LbfgsL1 = "lbfgs.l1";
    public const string LbfgsOptimizationTolerance = "lbfgs.optimization_tolerance";

    /// <summary>
    /// The MLP's parameters: <see cref="NeuralSearchSpace.ForVectors"/>'s, under their own names where those already
    /// start with <c>mlp.</c> (<c>mlp.layers</c>, <c>mlp.width</c>, …) and with <c>mlp.</c> before the training ones
    /// (<c>mlp.train.learning_rate</c>, …); see <see cref="MlpTraining"/>.
    /// </summary>
    public static string MlpParameter(string neuralName) =>
        neuralName.StartsWith(TabularLearners.Mlp + ".", StringComparison.Ordinal) ? neuralName : $"{TabularLearners.Mlp}.{neuralName}";

    /// <summary>The neural name of a tabular MLP parameter (the inverse of <see cref="MlpParameter"/>); null for any other parameter.</summary>
    public static string? MlpTraining(string tabularName) =>
        tabularName.StartsWith($"{TabularLearners.Mlp}.train.", StringComparison.Ordinal) ? tabularName[(TabularLearners.Mlp.Length + 1)..]
        : tabularName.StartsWith(TabularLearners.Mlp + ".", StringComparison.Ordinal) ? tabularName
        : null;
}

/// <summary>
/// The one search space of a tabular search: the learner, the featurisation, and each learner's hyperparameters,
/// active only when that learner is chosen. Ranges follow FLAML's and ML.NET AutoML's spaces, narrowed where their
/// extremes only waste trials (a thousand trees at most; regularisation within a few decades of the defaults; SDCA's
/// L2 no lower than 1e-4, below which it converges many times slower and scores no better).
/// </summary>
public static class TabularSearchSpace
{
    public static readonly IReadOnlyList<string> ImputeChoices = ["mean", "mode", "minimum", "maximum", "default"];

    /// <summary>The MLP's epoch cap in tabular searches: its trials must stay comparable in cost with the boosted trees'.</summary>
    public const int MlpMaxEpochs = 30;

    private static readonly IReadOnlyList<(string Learner, ParameterSpec Spec, object Default)> LearnerParameters =
    [
        (TabularLearners.LightGbm, Int(TabularParameters.LightGbmNumIterations, 20, 1000, log: true), 100L),
        (TabularLearners.LightGbm, Int(TabularParameters.LightGbmNumLeaves, 4, 512, log: true), 31L),
        (TabularLearners.LightGbm, Int(TabularParameters.LightGbmMinDataPerLeaf, 2, 128, log: true), 20L),
        (TabularLearners.LightGbm, Float(TabularParameters.LightGbmLearningRate, 1e-3, 0.3, log: true), 0.1),
        (TabularLearners.LightGbm, Float(TabularParameters.LightGbmFeatureFraction, 0.3, 1.0), 1.0),
        (TabularLearners.LightGbm, Float(TabularParameters.LightGbmL1, 1e-3, 10, log: true), 1e-3),
        (TabularLearners.LightGbm, Float(TabularParameters.LightGbmL2, 1e-3, 100, log: true), 1e-2),
        (TabularLearners.FastTree, Int(TabularParameters.FastTreeNumTrees, 20, 1000, log: true), 100L),
        (TabularLearners.FastTree, Int(TabularParameters.FastTreeNumLeaves, 4, 512, log: true), 20L),
        (TabularLearners.FastTree, Float(TabularParameters.FastTreeLearningRate, 1e-3, 0.5, log: true), 0.2),
        (TabularLearners.FastTree, Int(TabularParameters.FastTreeMinExamplesPerLeaf, 1, 128, log: true), 10L),
        (TabularLearners.FastForest, Int(TabularParameters.FastForestNumTrees, 20, 500, log: true), 100L),
        (TabularLearners.FastForest, Int(TabularParameters.FastForestNumLeaves, 4, 512, log: true), 20L),
        (TabularLearners.FastForest, Float(TabularParameters.FastForestFeatureFraction, 0.3, 1.0), 0.7),
        (TabularLearners.FastForest, Int(TabularParameters.FastForestMinExamplesPerLeaf, 1, 128, log: true), 10L),
        (TabularLearners.Sdca, Float(TabularParameters.SdcaL2, 1e-4, 10, log: true), 1e-2),
        (TabularLearners.Sdca, Float(TabularParameters.SdcaL1, 1e-6, 1, log: true), 1e-6),
        (TabularLearners.Lbfgs, Float(TabularParameters.LbfgsL2, 1e-4, 10, log: true), 1.0),
        (TabularLearners.Lbfgs, Float(TabularParameters.LbfgsL1, 1e-4, 10, log: true), 1.0),
        (TabularLearners.Lbfgs, Float(TabularParameters.LbfgsOptimizationTolerance, 1e-8, 1e-3, log: true), 1e-7),
        .. MlpParameters(),
    ];

    /// <summary>The MLP's parameters: the vector space's, renamed (<see cref="TabularParameters.MlpParameter"/>), at <see cref="NeuralSearchSpace.DefaultMlp"/>.</summary>
    private static IEnumerable<(string Learner, ParameterSpec Spec, object Default)> MlpParameters()
    {
        var space = NeuralSearchSpace.ForVectors(MlpMaxEpochs);
        var defaults = space.ToExternal(NeuralSearchSpace.DefaultMlp(space));
        return space.Parameters
            .Where(p => p.Name != NeuralParameters.Learner)
            .Select(p => (TabularLearners.Mlp, new ParameterSpec(TabularParameters.MlpParameter(p.Name), p.Distribution), defaults[p.Name]));
    }

    /// <summary>
    /// The space for <paramref name="task"/> on <paramref name="data"/> (predicting <paramref name="target"/>), with
    /// <paramref name="learners"/> (null: <see cref="TabularLearners.Default"/>). Featurisation parameters appear only
    /// when some feature needs them: imputation and missing indicators for numeric or date columns, the one-hot limit
    /// for boolean and categorical ones, normalisation when a linear learner is allowed.
    /// </summary>
    /// <exception cref="ArgumentException">A learner is unknown, repeated, or not supported for the task, or none is given.</exception>
    public static SearchSpace For(TabularTask task, TabularData data, string target, IReadOnlyCollection<string>? learners = null)
    {
        var chosen = (learners ?? TabularLearners.Default(task)).ToList();
        var supported = TabularLearners.Supported(task);
        if (chosen.Count == 0)
        {
            throw new ArgumentException("A tabular search needs at least one learner.", nameof(learners));
        }

        if (chosen.FirstOrDefault(l => !supported.Contains(l, StringComparer.Ordinal)) is { } unknown)
        {
            throw new ArgumentException(
                $"'{unknown}' is not a learner for {task} tasks; choose among {string.Join(", ", supported)}.", nameof(learners));
        }

        if (chosen.Distinct(StringComparer.Ordinal).Count() != chosen.Count)
        {
            throw new ArgumentException("Each learner may be named once.", nameof(learners));
        }

        // Keep the canonical order whatever order the caller named them in, so equal sets give equal spaces.
        chosen = supported.Where(l => chosen.Contains(l, StringComparer.Ordinal)).ToList();
        var features = data.Columns.Where(c => TabularValues.IsFeature(c.Kind) && !string.Equals(c.Name, target, StringComparison.Ordinal)).ToList();
        var specs = new List<ParameterSpec> { new(TabularParameters.Learner, new CategoricalDistribution(chosen)) };
        if (features.Any(c => TabularValues.IsNumeric(c.Kind) || c.Kind == TabularColumnKind.DateTime))
        {
            specs.Add(new ParameterSpec(TabularParameters.Impute, new CategoricalDistribution(ImputeChoices)));
            specs.Add(new ParameterSpec(TabularParameters.MissingIndicator, new CategoricalDistribution(["false", "true"])));
        }

        if (features.Any(c => c.Kind is TabularColumnKind.Boolean or TabularColumnKind.Categorical))
        {
            specs.Add(new ParameterSpec(TabularParameters.OneHotMaxCardinality, new IntDistribution(4, 256, Log: true)));
        }

        var linear = chosen.Intersect(TabularLearners.Linear, StringComparer.Ordinal).ToList();
        if (linear.Count > 0)
        {
            specs.Add(new ParameterSpec(
                TabularParameters.Normalization, new CategoricalDistribution(["minmax", "meanvariance"]), new Condition(TabularParameters.Learner, In: linear)));
        }

        specs.AddRange(LearnerParameters
            .Where(p => chosen.Contains(p.Learner, StringComparer.Ordinal))
            // Label smoothing is a classification parameter: a regression's MLP has none.
            .Where(p => task != TabularTask.Regression || p.Spec.Name != TabularParameters.MlpParameter(NeuralParameters.LabelSmoothing))
            .Select(p => p.Spec with { When = new Condition(TabularParameters.Learner, In: [p.Learner]) }));
        return SearchSpace.Create(specs);
    }

    /// <summary>
    /// The learner-facing values of a trial with <paramref name="learner"/> at its defaults (ML.NET's own, or the
    /// range's cheap end where ML.NET's default is outside it) and the plainest featurisation: a sensible first trial,
    /// and what the tests train every learner with.
    /// </summary>
    /// <exception cref="ArgumentException">The space has no such learner.</exception>
    public static IReadOnlyDictionary<string, object> Defaults(SearchSpace space, string learner) => space.ToExternal(DefaultPoint(space, learner));

    /// <summary>The internal values of <see cref="Defaults"/>: a trial's parameters as the samplers and the store keep them.</summary>
    /// <exception cref="ArgumentException">The space has no such learner.</exception>
    public static Dictionary<string, double> DefaultPoint(SearchSpace space, string learner)
    {
        if (space[TabularParameters.Learner].Distribution is not CategoricalDistribution learners || learners.IndexOf(learner) < 0)
        {
            throw new ArgumentException($"The search space has no learner '{learner}'.", nameof(learner));
        }

        var defaults = LearnerParameters.ToDictionary(p => p.Spec.Name, p => p.Default, StringComparer.Ordinal);
        defaults[TabularParameters.Learner] = learner;
        defaults[TabularParameters.Impute] = "mean";
        defaults[TabularParameters.MissingIndicator] = "false";
        defaults[TabularParameters.OneHotMaxCardinality] = 32L;
        defaults[TabularParameters.Normalization] = "minmax";

        return space.Assign((spec, _) => spec.Distribution switch
        {
            CategoricalDistribution c => c.IndexOf((string)defaults[spec.Name]),
            _ => Convert.ToDouble(defaults[spec.Name], System.Globalization.CultureInfo.InvariantCulture),
        });
    }

    /// <summary>
    /// Where a search starts (<see cref="WarmStartSampler"/>): each of the space's learners at its defaults, strongest
    /// first on typical tables (gradient boosting, then a forest, the linear models, FastTree and the MLP at
    /// <see cref="NeuralSearchSpace.DefaultMlp"/>), so that even a
    /// budget of a few trials tries every learner family once before any sampler explores.
    /// </summary>
    public static IReadOnlyList<IReadOnlyDictionary<string, double>> StartingPoints(SearchSpace space)
    {
        var learners = (CategoricalDistribution)space[TabularParameters.Learner].Distribution;
        return StartOrder.Where(l => learners.IndexOf(l) >= 0).Select(l => (IReadOnlyDictionary<string, double>)DefaultPoint(space, l)).ToList();
    }

    private static readonly string[] StartOrder =
        [TabularLearners.LightGbm, TabularLearners.FastForest, TabularLearners.Lbfgs, TabularLearners.Sdca, TabularLearners.FastTree, TabularLearners.Mlp];

    private static ParameterSpec Int(string name, long low, long high, bool log = false) => new(name, new IntDistribution(low, high, log));

    private static ParameterSpec Float(string name, double low, double high, bool log = false) => new(name, new FloatDistribution(low, high, log));
}
