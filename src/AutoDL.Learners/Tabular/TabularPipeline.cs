using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;
using Microsoft.ML.Trainers.FastTree;
using Microsoft.ML.Trainers.LightGbm;
using Microsoft.ML.Transforms;

namespace AutoDL.Learners.Tabular;

/// <summary>What the pipeline needs to know of the features: their kinds, and the distinct values of each categorical one.</summary>
internal sealed record FeaturePlan(IReadOnlyList<TabularColumn> Features, IReadOnlyDictionary<string, int> Cardinalities);

/// <summary>
/// Builds the ML.NET estimator chain of one trial from its parameters: featurisation (imputation, missing indicators,
/// date parts, one-hot or hashed categories, text n-grams, normalisation for linear learners), then the learner.
/// The chain reads only feature columns and <see cref="LabelColumn"/>; the fitted model needs only the features.
/// </summary>
internal static class TabularPipeline
{
    public const string LabelColumn = "__autodl.label";
    public const string FeaturesColumn = "__autodl.features";

    /// <summary>Bits of the hash space for categorical columns too varied to one-hot encode: 2^bits slots at most.</summary>
    private const int MaxHashBits = 16;

    /// <summary>The MLP's hash space at most: its features are dense, so 2^16 slots a column would be 256 KiB a row.</summary>
    private const int MlpMaxHashBits = 10;

    /// <param name="trainingRows">How many rows the pipeline will be fitted on (see <see cref="FitToRows"/>).</param>
    public static IEstimator<ITransformer> Build(
        MLContext ml, TabularTask task, FeaturePlan plan, IReadOnlyDictionary<string, object> parameters, int seed, int trainingRows)
    {
        parameters = FitToRows(parameters, trainingRows);
        var learner = Text(parameters, TabularParameters.Learner);
        var linear = TabularLearners.Linear.Contains(learner, StringComparer.Ordinal);
        if (learner == TabularLearners.Mlp)
        {
            throw new ArgumentException("The MLP is no ML.NET trainer: its features come from Featurizer and its network from TabularMlp.", nameof(parameters));
        }

        var estimator = Featurize(ml, plan, parameters, centre: linear && task == TabularTask.Regression ? Text(parameters, TabularParameters.Normalization) : null);
        if (linear)
        {
            // Scales every feature slot (numbers centred by Featurize keep their scale; one-hot, hashed and text slots
            // are scaled without being shifted, so they stay sparse).
            estimator = Text(parameters, TabularParameters.Normalization) switch
            {
                "minmax" => estimator.Append(ml.Transforms.NormalizeMinMax(FeaturesColumn)),
                "meanvariance" => estimator.Append(ml.Transforms.NormalizeMeanVariance(FeaturesColumn)),
                var other => throw Unknown(TabularParameters.Normalization, other),
            };
        }

        estimator = estimator.AppendCacheCheckpoint(ml);
        return task switch
        {
            TabularTask.Binary => Binary(ml, estimator, learner, parameters, seed),
            TabularTask.Multiclass => Multiclass(ml, estimator, learner, parameters, seed),
            _ => estimator.Append(Regression(ml, learner, parameters, seed)),
        };
    }

    /// <summary>
    /// The MLP's featurisation: <see cref="FeaturesColumn"/> as the other learners get it (the trial's imputation,
    /// missing indicators, date parts, one-hot or hashed categories, text n-grams), with every number (and date part),
    /// once filled in, standardised to mean 0 and variance 1 on the fitted rows, as scikit-learn's StandardScaler does
    /// before its MLP; indicator, one-hot and hashed slots stay 0/1, text slots as the text featuriser scales them.
    /// Hashed categories get at most 2^<see cref="MlpMaxHashBits"/> slots, the network's input being dense.
    /// </summary>
    public static IEstimator<ITransformer> Featurizer(MLContext ml, FeaturePlan plan, IReadOnlyDictionary<string, object> parameters) =>
        Featurize(ml, plan, parameters, centre: "meanvariance", maxHashBits: MlpMaxHashBits);

    /// <summary>
    /// The parameters as they can work on <paramref name="trainingRows"/> rows. FastForest fits each tree on a bag of 70%
    /// of the rows (ML.NET's default bagging fraction) and makes no usable model, predicting NaN, when a bag cannot hold
    /// two leaves of the minimum size (measured on the diabetes sample: 283 rows, minimum 100 fine, 111 NaN); such a
    /// minimum is lowered to the largest that still lets a tree split. Everything else is returned as given.
    /// </summary>
    internal static IReadOnlyDictionary<string, object> FitToRows(IReadOnlyDictionary<string, object> parameters, int trainingRows)
    {
        if (Text(parameters, TabularParameters.Learner) != TabularLearners.FastForest
            || !parameters.ContainsKey(TabularParameters.FastForestMinExamplesPerLeaf))
        {
            return parameters;
        }

        var largest = Math.Max(1L, (long)(trainingRows * 0.7 / 2));
        if (Long(parameters, TabularParameters.FastForestMinExamplesPerLeaf) <= largest)
        {
            return parameters;
        }

        return new Dictionary<string, object>(parameters, StringComparer.Ordinal) { [TabularParameters.FastForestMinExamplesPerLeaf] = largest };
    }

    /// <param name="centre">
    /// Null, or the normalisation that also shifts the numbers: for a linear regression (the trial's) and the MLP (meanvariance), the numbers (and date parts), once filled in, are also shifted and scaled, each on its own,
    /// as the normalisation parameter says: meanvariance to mean 0 and variance 1 (as scikit-learn's StandardScaler),
    /// minmax onto [0, 1]. ML.NET's normalisers otherwise only scale (to keep sparse vectors sparse), and a number far
    /// from zero relative to its spread (a cholesterol of 189 ± 34) then leans on the bias: measured on the diabetes
    /// sample, SDCA's least squares, run to convergence with an L2 of 0.01, scored a test R² of 0.502 on merely scaled
    /// numbers and 0.523 on centred ones (ridge regression, the same split: 0.522). Classification is left as it was
    /// (its benchmark figures measured before this), not yet measured with centred numbers.
    /// </param>
    private static IEstimator<ITransformer> Featurize(
        MLContext ml, FeaturePlan plan, IReadOnlyDictionary<string, object> parameters, string? centre, int maxHashBits = MaxHashBits)
    {
        IEstimator<ITransformer> chain = new EstimatorChain<ITransformer>();
        var outputs = new List<string>();
        var numeric = plan.Features.Where(c => TabularValues.IsNumeric(c.Kind)).Select(c => c.Name).ToList();
        var dates = plan.Features.Where(c => c.Kind == TabularColumnKind.DateTime).Select(c => c.Name).ToList();
        if (numeric.Count + dates.Count > 0)
        {
            var mode = Text(parameters, TabularParameters.Impute) switch
            {
                "mean" => MissingValueReplacingEstimator.ReplacementMode.Mean,
                "mode" => MissingValueReplacingEstimator.ReplacementMode.Mode,
                "minimum" => MissingValueReplacingEstimator.ReplacementMode.Minimum,
                "maximum" => MissingValueReplacingEstimator.ReplacementMode.Maximum,
                "default" => MissingValueReplacingEstimator.ReplacementMode.DefaultValue,
                var other => throw Unknown(TabularParameters.Impute, other),
            };
            var indicate = Text(parameters, TabularParameters.MissingIndicator) == "true";

            foreach (var date in dates)
            {
                chain = chain
                    .Append(ml.Transforms.CopyColumns(DateTimePartsMapping.InputColumn, date))
                    .Append(ml.Transforms.CustomMapping(new DateTimePartsMapping().GetMapping(), DateTimePartsMapping.ContractName))
                    .Append(ml.Transforms.CopyColumns(Generated(date, "parts"), DateTimePartsMapping.OutputColumn));
            }

            var filled = numeric.Concat(dates.Select(d => Generated(d, "parts"))).ToList();
            if (indicate)
            {
                var indicators = filled.Select(c => new InputOutputColumnPair(Generated(c, "missing"), c)).ToArray();
                chain = chain
                    .Append(ml.Transforms.IndicateMissingValues(indicators))
                    .Append(ml.Transforms.Conversion.ConvertType(
                        indicators.Select(p => new InputOutputColumnPair(p.OutputColumnName)).ToArray(), DataKind.Single));
                outputs.AddRange(indicators.Select(p => p.OutputColumnName));
            }

            var inPlace = filled.Select(c => new InputOutputColumnPair(c)).ToArray();
            chain = chain.Append(ml.Transforms.ReplaceMissingValues(inPlace, mode));
            if (centre is not null)
            {
                chain = centre switch
                {
                    "minmax" => chain.Append(ml.Transforms.NormalizeMinMax(inPlace, fixZero: false)),
                    "meanvariance" => chain.Append(ml.Transforms.NormalizeMeanVariance(inPlace, fixZero: false)),
                    var other => throw Unknown(TabularParameters.Normalization, other),
                };
            }

            outputs.AddRange(filled);
        }

        var categorical = plan.Features.Where(c => c.Kind is TabularColumnKind.Boolean or TabularColumnKind.Categorical).Select(c => c.Name).ToList();
        if (categorical.Count > 0)
        {
            var limit = Long(parameters, TabularParameters.OneHotMaxCardinality);
            foreach (var column in categorical)
            {
                var cardinality = plan.Cardinalities.GetValueOrDefault(column);
                if (cardinality <= limit)
                {
                    chain = chain.Append(ml.Transforms.Categorical.OneHotEncoding(Generated(column, "onehot"), column));
                    outputs.Add(Generated(column, "onehot"));
                }
                else
                {
                    // Twice the distinct values' worth of slots keeps collisions rare without a vast sparse vector.
                    var bits = Math.Clamp((int)Math.Ceiling(Math.Log2(2.0 * cardinality)), Math.Min(8, maxHashBits), maxHashBits);
                    chain = chain.Append(ml.Transforms.Categorical.OneHotHashEncoding(Generated(column, "hash"), column, numberOfBits: bits));
                    outputs.Add(Generated(column, "hash"));
                }
            }
        }

        foreach (var column in plan.Features.Where(c => c.Kind == TabularColumnKind.Text).Select(c => c.Name))
        {
            chain = chain.Append(ml.Transforms.Text.FeaturizeText(Generated(column, "text"), column));
            outputs.Add(Generated(column, "text"));
        }

        return chain.Append(ml.Transforms.Concatenate(FeaturesColumn, [.. outputs]));
    }

    private static IEstimator<ITransformer> Binary(
        MLContext ml, IEstimator<ITransformer> chain, string learner, IReadOnlyDictionary<string, object> p, int seed) => learner switch
    {
        TabularLearners.LightGbm => chain.Append(ml.BinaryClassification.Trainers.LightGbm(
            LightGbm(new LightGbmBinaryTrainer.Options(), p, seed))),
        TabularLearners.FastTree => chain.Append(ml.BinaryClassification.Trainers.FastTree(FastTree(new FastTreeBinaryTrainer.Options(), p, seed))),
        // FastForest's binary model is not calibrated: Platt scaling adds the probabilities log-loss needs.
        TabularLearners.FastForest => chain
            .Append(ml.BinaryClassification.Trainers.FastForest(FastForest(new FastForestBinaryTrainer.Options(), p, seed)))
            .Append(ml.BinaryClassification.Calibrators.Platt(LabelColumn)),
        TabularLearners.Sdca => chain.Append(ml.BinaryClassification.Trainers.SdcaLogisticRegression(
            new SdcaLogisticRegressionBinaryTrainer.Options
            {
                LabelColumnName = LabelColumn,
                FeatureColumnName = FeaturesColumn,
                L2Regularization = (float)Double(p, TabularParameters.SdcaL2),
                L1Regularization = (float)Double(p, TabularParameters.SdcaL1),
                NumberOfThreads = 1,
            })),
        TabularLearners.Lbfgs => chain.Append(ml.BinaryClassification.Trainers.LbfgsLogisticRegression(
            new LbfgsLogisticRegressionBinaryTrainer.Options
            {
                LabelColumnName = LabelColumn,
                FeatureColumnName = FeaturesColumn,
                L2Regularization = (float)Double(p, TabularParameters.LbfgsL2),
                L1Regularization = (float)Double(p, TabularParameters.LbfgsL1),
                OptimizationTolerance = (float)Double(p, TabularParameters.LbfgsOptimizationTolerance),
                NumberOfThreads = 1,
            })),
        _ => throw Unknown(TabularParameters.Learner, learner),
    };

    private static IEstimator<ITransformer> Multiclass(
        MLContext ml, IEstimator<ITransformer> chain, string learner, IReadOnlyDictionary<string, object> p, int seed) => learner switch
    {
        TabularLearners.LightGbm => chain.Append(ml.MulticlassClassification.Trainers.LightGbm(
            LightGbm(new LightGbmMulticlassTrainer.Options(), p, seed))),
        // FastTree and FastForest have no multiclass form: one calibrated binary model per class.
        TabularLearners.FastTree => chain.Append(ml.MulticlassClassification.Trainers.OneVersusAll(
            ml.BinaryClassification.Trainers.FastTree(FastTree(new FastTreeBinaryTrainer.Options(), p, seed)), LabelColumn)),
        TabularLearners.FastForest => chain.Append(ml.MulticlassClassification.Trainers.OneVersusAll(
            ml.BinaryClassification.Trainers.FastForest(FastForest(new FastForestBinaryTrainer.Options(), p, seed)), LabelColumn)),
        TabularLearners.Sdca => chain.Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy(
            new SdcaMaximumEntropyMulticlassTrainer.Options
            {
                LabelColumnName = LabelColumn,
                FeatureColumnName = FeaturesColumn,
                L2Regularization = (float)Double(p, TabularParameters.SdcaL2),
                L1Regularization = (float)Double(p, TabularParameters.SdcaL1),
                NumberOfThreads = 1,
            })),
        TabularLearners.Lbfgs => chain.Append(ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy(
            new LbfgsMaximumEntropyMulticlassTrainer.Options
            {
                LabelColumnName = LabelColumn,
                FeatureColumnName = FeaturesColumn,
                L2Regularization = (float)Double(p, TabularParameters.LbfgsL2),
                L1Regularization = (float)Double(p, TabularParameters.LbfgsL1),
                OptimizationTolerance = (float)Double(p, TabularParameters.LbfgsOptimizationTolerance),
                NumberOfThreads = 1,
            })),
        _ => throw Unknown(TabularParameters.Learner, learner),
    };

    private static IEstimator<ITransformer> Regression(MLContext ml, string learner, IReadOnlyDictionary<string, object> p, int seed) => learner switch
    {
        TabularLearners.LightGbm => ml.Regression.Trainers.LightGbm(LightGbm(new LightGbmRegressionTrainer.Options(), p, seed)),
        TabularLearners.FastTree => ml.Regression.Trainers.FastTree(FastTree(new FastTreeRegressionTrainer.Options(), p, seed)),
        TabularLearners.FastForest => ml.Regression.Trainers.FastForest(FastForest(new FastForestRegressionTrainer.Options(), p, seed)),
        TabularLearners.Sdca => ml.Regression.Trainers.Sdca(new SdcaRegressionTrainer.Options
        {
            LabelColumnName = LabelColumn,
            FeatureColumnName = FeaturesColumn,
            L2Regularization = (float)Double(p, TabularParameters.SdcaL2),
            L1Regularization = (float)Double(p, TabularParameters.SdcaL1),
            // ML.NET's default duality-gap tolerance, 0.1, stops least squares short of the optimum: on the diabetes
            // sample the test R² then strays up to 0.025 from the converged model's, by chance of where it stopped,
            // which cross-validation cannot tell from skill. At 0.01 it is within 0.002.
            ConvergenceTolerance = 0.01f,
            NumberOfThreads = 1,
        }),
        TabularLearners.Lbfgs => ml.Regression.Trainers.LbfgsPoissonRegression(new LbfgsPoissonRegressionTrainer.Options
        {
            LabelColumnName = LabelColumn,
            FeatureColumnName = FeaturesColumn,
            L2Regularization = (float)Double(p, TabularParameters.LbfgsL2),
            L1Regularization = (float)Double(p, TabularParameters.LbfgsL1),
            OptimizationTolerance = (float)Double(p, TabularParameters.LbfgsOptimizationTolerance),
            NumberOfThreads = 1,
        }),
        _ => throw Unknown(TabularParameters.Learner, learner),
    };

    private static T LightGbm<T>(T options, IReadOnlyDictionary<string, object> p, int seed)
        where T : class
    {
        // The options classes share their fields through a generic base that cannot be named without all its
        // type arguments, so each is set through the same typed assignments here.
        var numIterations = (int)Long(p, TabularParameters.LightGbmNumIterations);
        var numLeaves = (int)Long(p, TabularParameters.LightGbmNumLeaves);
        var minData = (int)Long(p, TabularParameters.LightGbmMinDataPerLeaf);
        var learningRate = Double(p, TabularParameters.LightGbmLearningRate);
        var booster = new GradientBooster.Options
        {
            FeatureFraction = Double(p, TabularParameters.LightGbmFeatureFraction),
            L1Regularization = Double(p, TabularParameters.LightGbmL1),
            L2Regularization = Double(p, TabularParameters.LightGbmL2),
        };
        switch (options)
        {
            case LightGbmBinaryTrainer.Options o:
                (o.LabelColumnName, o.FeatureColumnName, o.NumberOfIterations, o.NumberOfLeaves, o.MinimumExampleCountPerLeaf, o.LearningRate) =
                    (LabelColumn, FeaturesColumn, numIterations, numLeaves, minData, learningRate);
                (o.Booster, o.Seed, o.Deterministic, o.Silent, o.Verbose) = (booster, seed, true, true, false);
                break;
            case LightGbmMulticlassTrainer.Options o:
                (o.LabelColumnName, o.FeatureColumnName, o.NumberOfIterations, o.NumberOfLeaves, o.MinimumExampleCountPerLeaf, o.LearningRate) =
                    (LabelColumn, FeaturesColumn, numIterations, numLeaves, minData, learningRate);
                (o.Booster, o.Seed, o.Deterministic, o.Silent, o.Verbose) = (booster, seed, true, true, false);
                break;
            case LightGbmRegressionTrainer.Options o:
                (o.LabelColumnName, o.FeatureColumnName, o.NumberOfIterations, o.NumberOfLeaves, o.MinimumExampleCountPerLeaf, o.LearningRate) =
                    (LabelColumn, FeaturesColumn, numIterations, numLeaves, minData, learningRate);
                (o.Booster, o.Seed, o.Deterministic, o.Silent, o.Verbose) = (booster, seed, true, true, false);
                break;
            default:
                throw new ArgumentException($"{typeof(T).Name} is not a LightGBM options class.", nameof(options));
        }

        return options;
    }

    private static T FastTree<T>(T options, IReadOnlyDictionary<string, object> p, int seed)
        where T : BoostedTreeOptions
    {
        options.LabelColumnName = LabelColumn;
        options.FeatureColumnName = FeaturesColumn;
        options.NumberOfTrees = (int)Long(p, TabularParameters.FastTreeNumTrees);
        options.NumberOfLeaves = (int)Long(p, TabularParameters.FastTreeNumLeaves);
        options.LearningRate = Double(p, TabularParameters.FastTreeLearningRate);
        options.MinimumExampleCountPerLeaf = (int)Long(p, TabularParameters.FastTreeMinExamplesPerLeaf);
        options.Seed = seed;
        return options;
    }

    private static T FastForest<T>(T options, IReadOnlyDictionary<string, object> p, int seed)
        where T : FastForestOptionsBase
    {
        options.LabelColumnName = LabelColumn;
        options.FeatureColumnName = FeaturesColumn;
        options.NumberOfTrees = (int)Long(p, TabularParameters.FastForestNumTrees);
        options.NumberOfLeaves = (int)Long(p, TabularParameters.FastForestNumLeaves);
        options.FeatureFraction = Double(p, TabularParameters.FastForestFeatureFraction);
        options.MinimumExampleCountPerLeaf = (int)Long(p, TabularParameters.FastForestMinExamplesPerLeaf);
        options.Seed = seed;
        return options;
    }

    /// <summary>A generated column's name, kept apart from the table's own names by a prefix no CSV header uses.</summary>
    private static string Generated(string column, string what) => $"__autodl.{column}.{what}";

    private static string Text(IReadOnlyDictionary<string, object> p, string name) =>
        Value(p, name) as string ?? throw new ArgumentException($"Parameter '{name}' must be a choice (text), not {Value(p, name)}.", nameof(p));

    private static long Long(IReadOnlyDictionary<string, object> p, string name) => Value(p, name) switch
    {
        long l => l,
        int i => i,
        double d when d == Math.Floor(d) => (long)d,
        var other => throw new ArgumentException($"Parameter '{name}' must be an integer, not {other}.", nameof(p)),
    };

    private static double Double(IReadOnlyDictionary<string, object> p, string name) => Value(p, name) switch
    {
        double d => d,
        long or int or float => Convert.ToDouble(Value(p, name), CultureInfo.InvariantCulture),
        var other => throw new ArgumentException($"Parameter '{name}' must be a number, not {other}.", nameof(p)),
    };

    private static object Value(IReadOnlyDictionary<string, object> p, string name) =>
        p.TryGetValue(name, out var value)
            ? value
            : throw new ArgumentException($"The trial has no value for parameter '{name}'.", nameof(p));

    private static ArgumentException Unknown(string parameter, string value) =>
        new($"'{value}' is not a known value of parameter '{parameter}'.", nameof(parameter));
}
