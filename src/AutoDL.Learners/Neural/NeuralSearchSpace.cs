using System.Globalization;
using AutoDL.Core.Search;

namespace AutoDL.Learners.Neural;

/// <summary>The neural learners: a searched CNN for images, a searched MLP for vectors.</summary>
public static class NeuralLearners
{
    public const string Cnn = "cnn";
    public const string Mlp = "mlp";
}

/// <summary>
/// The names of the neural search spaces' parameters. Architecture parameters are prefixed with their learner
/// (<c>cnn.</c>, <c>mlp.</c>), training hyperparameters with <c>train.</c>, augmentation with <c>aug.</c>.
/// </summary>
public static class NeuralParameters
{
    public const string Learner = "learner";

    public const string CnnStages = "cnn.stages";

    /// <summary><c>cnn.stage{i}.blocks</c>, <c>.channels</c>, <c>.block</c>: active when the network has more than i stages.</summary>
    public static string StageBlocks(int stage) => $"cnn.stage{stage}.blocks";

    public static string StageChannels(int stage) => $"cnn.stage{stage}.channels";

    public static string StageBlock(int stage) => $"cnn.stage{stage}.block";

    public const string CnnKernel = "cnn.kernel";
    public const string CnnDownsample = "cnn.downsample";
    public const string CnnNorm = "cnn.norm";
    public const string CnnActivation = "cnn.activation";
    public const string CnnDropout = "cnn.dropout";

    public const string MlpLayers = "mlp.layers";
    public const string MlpWidth = "mlp.width";
    public const string MlpActivation = "mlp.activation";
    public const string MlpDropout = "mlp.dropout";
    public const string MlpNorm = "mlp.norm";
    public const string MlpResidual = "mlp.residual";

    public const string Optimizer = "train.optimizer";
    public const string LearningRate = "train.learning_rate";
    public const string WeightDecay = "train.weight_decay";
    public const string BatchSize = "train.batch_size";
    public const string Epochs = "train.epochs";
    public const string Schedule = "train.schedule";
    public const string LabelSmoothing = "train.label_smoothing";

    public const string Flip = "aug.flip";
    public const string Shift = "aug.shift";
}

/// <summary>
/// The conditional spaces neural searches explore: architecture and training hyperparameters in one space, so TPE,
/// evolution and NSGA-II search both. <see cref="ForImages"/>: 1–4 stages of 1–3 blocks each (plain, depthwise-separable
/// or residual), 16–256 channels per stage (log), kernel 3/5/7, downsampling by max or average pooling or a strided
/// convolution, batch or no normalization, four activations, dropout before the head; <see cref="ForVectors"/>: an MLP
/// of 1–6 layers of 16–1024 units (log). Both: Adam, AdamW or SGD with momentum, learning rate and weight decay (log),
/// batch size, an epoch cap, a cosine, step or one-cycle schedule, label smoothing; images also flips and shifts.
/// </summary>
public static class NeuralSearchSpace
{
    public const int MaxStages = 4;

    public static readonly IReadOnlyList<string> Activations = ["relu", "gelu", "silu", "leaky_relu"];
    public static readonly IReadOnlyList<string> BlockTypes = ["plain", "separable", "residual"];
    public static readonly IReadOnlyList<string> Downsamplings = ["max", "avg", "strided"];
    public static readonly IReadOnlyList<string> Optimizers = ["adam", "adamw", "sgd"];
    public static readonly IReadOnlyList<string> Schedules = ["cosine", "step", "onecycle"];
    public static readonly IReadOnlyList<string> BatchSizes = ["32", "64", "128", "256"];

    /// <param name="maxEpochs">The epoch cap's upper end (at least 2).</param>
    public static SearchSpace ForImages(int maxEpochs = 30)
    {
        var cnn = new Condition(NeuralParameters.Learner, In: [NeuralLearners.Cnn]);
        var specs = new List<ParameterSpec>
        {
            new(NeuralParameters.Learner, new CategoricalDistribution([NeuralLearners.Cnn])),
            new(NeuralParameters.CnnStages, new IntDistribution(1, MaxStages), cnn),
        };
        for (var stage = 0; stage < MaxStages; stage++)
        {
            // Stage 0 is there whenever the network is; stage i when there are more than i stages.
            var when = new Condition(NeuralParameters.CnnStages, Min: stage + 1);
            specs.Add(new ParameterSpec(NeuralParameters.StageBlocks(stage), new IntDistribution(1, 3), when));
            specs.Add(new ParameterSpec(NeuralParameters.StageChannels(stage), new IntDistribution(16, 256, Log: true), when));
            specs.Add(new ParameterSpec(NeuralParameters.StageBlock(stage), new CategoricalDistribution(BlockTypes), when));
        }

        specs.Add(new ParameterSpec(NeuralParameters.CnnKernel, new IntDistribution(3, 7, Step: 2), cnn));
        specs.Add(new ParameterSpec(NeuralParameters.CnnDownsample, new CategoricalDistribution(Downsamplings), cnn));
        specs.Add(new ParameterSpec(NeuralParameters.CnnNorm, new CategoricalDistribution(["batch", "none"]), cnn));
        specs.Add(new ParameterSpec(NeuralParameters.CnnActivation, new CategoricalDistribution(Activations), cnn));
        specs.Add(new ParameterSpec(NeuralParameters.CnnDropout, new FloatDistribution(0, 0.5), cnn));
        specs.AddRange(Training(maxEpochs));
        specs.Add(new ParameterSpec(NeuralParameters.Flip, new CategoricalDistribution(["false", "true"])));
        specs.Add(new ParameterSpec(NeuralParameters.Shift, new IntDistribution(0, 4)));
        return SearchSpace.Create(specs);
    }

    /// <param name="maxEpochs">The epoch cap's upper end (at least 2).</param>
    public static SearchSpace ForVectors(int maxEpochs = 30)
    {
        var mlp = new Condition(NeuralParameters.Learner, In: [NeuralLearners.Mlp]);
        var specs = new List<ParameterSpec>
        {
            new(NeuralParameters.Learner, new CategoricalDistribution([NeuralLearners.Mlp])),
            new(NeuralParameters.MlpLayers, new IntDistribution(1, 6), mlp),
            new(NeuralParameters.MlpWidth, new IntDistribution(16, 1024, Log: true), mlp),
            new(NeuralParameters.MlpActivation, new CategoricalDistribution(Activations), mlp),
            new(NeuralParameters.MlpDropout, new FloatDistribution(0, 0.5), mlp),
            new(NeuralParameters.MlpNorm, new CategoricalDistribution(["batch", "layer", "none"]), mlp),
            new(NeuralParameters.MlpResidual, new CategoricalDistribution(["false", "true"]), mlp),
        };
        specs.AddRange(Training(maxEpochs));
        return SearchSpace.Create(specs);
    }

    private static IEnumerable<ParameterSpec> Training(int maxEpochs)
    {
        if (maxEpochs < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(maxEpochs), maxEpochs, "The epoch cap needs room for at least 2 epochs.");
        }

        yield return new(NeuralParameters.Optimizer, new CategoricalDistribution(Optimizers));
        // Up to 0.03: measured on the digits, Adam and AdamW at 0.12–0.26 never left chance (nor did SGD at 8e-4).
        yield return new(NeuralParameters.LearningRate, new FloatDistribution(1e-4, 0.03, Log: true));
        yield return new(NeuralParameters.WeightDecay, new FloatDistribution(1e-6, 1e-2, Log: true));
        yield return new(NeuralParameters.BatchSize, new CategoricalDistribution(BatchSizes));
        yield return new(NeuralParameters.Epochs, new IntDistribution(Math.Min(4, maxEpochs), maxEpochs, Log: true));
        yield return new(NeuralParameters.Schedule, new CategoricalDistribution(Schedules));
        yield return new(NeuralParameters.LabelSmoothing, new FloatDistribution(0, 0.2));
    }

    /// <summary>
    /// The known-good first trial of an image search: a small residual CNN (three stages of one residual block, 32,
    /// 64 and 128 channels, 3×3 kernels, max pooling, batch norm, ReLU), AdamW at 3e-3 with a one-cycle schedule,
    /// label smoothing 0.1, 2-pixel shifts and no flips (flipping changes what digits and letters mean).
    /// </summary>
    public static Dictionary<string, double> DefaultCnn(SearchSpace space) => Point(space, new Dictionary<string, object>
    {
        [NeuralParameters.Learner] = NeuralLearners.Cnn,
        [NeuralParameters.CnnStages] = 3L,
        [NeuralParameters.StageBlocks(0)] = 1L, [NeuralParameters.StageChannels(0)] = 32L, [NeuralParameters.StageBlock(0)] = "residual",
        [NeuralParameters.StageBlocks(1)] = 1L, [NeuralParameters.StageChannels(1)] = 64L, [NeuralParameters.StageBlock(1)] = "residual",
        [NeuralParameters.StageBlocks(2)] = 1L, [NeuralParameters.StageChannels(2)] = 128L, [NeuralParameters.StageBlock(2)] = "residual",
        [NeuralParameters.CnnKernel] = 3L,
        [NeuralParameters.CnnDownsample] = "max",
        [NeuralParameters.CnnNorm] = "batch",
        [NeuralParameters.CnnActivation] = "relu",
        [NeuralParameters.CnnDropout] = 0.1,
        [NeuralParameters.Optimizer] = "adamw",
        [NeuralParameters.LearningRate] = 3e-3,
        [NeuralParameters.WeightDecay] = 5e-4,
        [NeuralParameters.BatchSize] = "64",
        [NeuralParameters.Epochs] = 15L,
        [NeuralParameters.Schedule] = "onecycle",
        [NeuralParameters.LabelSmoothing] = 0.1,
        [NeuralParameters.Flip] = "false",
        [NeuralParameters.Shift] = 2L,
    });

    /// <summary>The known-good first trial of a vector search: two layers of 256 units, ReLU, batch norm, AdamW at 1e-3.</summary>
    public static Dictionary<string, double> DefaultMlp(SearchSpace space) => Point(space, new Dictionary<string, object>
    {
        [NeuralParameters.Learner] = NeuralLearners.Mlp,
        [NeuralParameters.MlpLayers] = 2L,
        [NeuralParameters.MlpWidth] = 256L,
        [NeuralParameters.MlpActivation] = "relu",
        [NeuralParameters.MlpDropout] = 0.1,
        [NeuralParameters.MlpNorm] = "batch",
        [NeuralParameters.MlpResidual] = "false",
        [NeuralParameters.Optimizer] = "adamw",
        [NeuralParameters.LearningRate] = 1e-3,
        [NeuralParameters.WeightDecay] = 1e-4,
        [NeuralParameters.BatchSize] = "128",
        [NeuralParameters.Epochs] = 20L,
        [NeuralParameters.Schedule] = "cosine",
        [NeuralParameters.LabelSmoothing] = 0.0,
    });

    /// <summary>Internal values of <paramref name="external"/> in <paramref name="space"/>, each clamped and snapped into its range.</summary>
    public static Dictionary<string, double> Point(SearchSpace space, IReadOnlyDictionary<string, object> external) =>
        space.Assign((spec, _) =>
        {
            if (!external.TryGetValue(spec.Name, out var value))
            {
                throw new ArgumentException($"No value for '{spec.Name}'.", nameof(external));
            }

            return spec.Distribution switch
            {
                CategoricalDistribution c => c.IndexOf(Convert.ToString(value, CultureInfo.InvariantCulture)!) is var i and >= 0
                    ? i : throw new ArgumentException($"'{value}' is not a choice of '{spec.Name}'.", nameof(external)),
                IntDistribution d => d.Snap(Convert.ToDouble(value, CultureInfo.InvariantCulture)),
                FloatDistribution f => f.Snap(Convert.ToDouble(value, CultureInfo.InvariantCulture)),
                _ => 0,
            };
        });
}
