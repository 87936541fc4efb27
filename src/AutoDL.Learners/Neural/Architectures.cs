using System.Globalization;

namespace AutoDL.Learners.Neural;

/// <summary>Turns a trial's parameters (learner-facing values of a <see cref="NeuralSearchSpace"/>) into a <see cref="NetworkSpec"/>.</summary>
public static class Architectures
{
    /// <summary>The largest side a CNN's first stage works at; larger images are downsampled by the stem first.</summary>
    public const int StemSide = 16;

    /// <summary>
    /// The CNN the parameters describe, for inputs of <paramref name="inputShape"/> (<c>[C, H, W]</c>, pixels / 255)
    /// normalized with <paramref name="mean"/> and <paramref name="std"/> per channel: a stem convolution (with stride 2
    /// and max pooling down to <see cref="StemSide"/> pixels for larger images), then each
    /// stage's blocks (every stage after the first starts by halving the resolution while it is above 1 pixel), a global
    /// average pool, dropout and a linear head.
    /// </summary>
    /// <exception cref="ArgumentException">A parameter is missing or out of its range.</exception>
    public static NetworkSpec Cnn(
        IReadOnlyDictionary<string, object> parameters, IReadOnlyList<int> inputShape, int classes, IReadOnlyList<float> mean, IReadOnlyList<float> std)
    {
        if (inputShape.Count != 3)
        {
            throw new ArgumentException($"A CNN takes images of [C, H, W], not [{string.Join(", ", inputShape)}].", nameof(inputShape));
        }

        var stages = (int)Long(parameters, NeuralParameters.CnnStages);
        var kernel = (int)Long(parameters, NeuralParameters.CnnKernel);
        var downsample = Text(parameters, NeuralParameters.CnnDownsample);
        var batchNorm = Text(parameters, NeuralParameters.CnnNorm) == "batch";
        var activation = Text(parameters, NeuralParameters.CnnActivation);
        var dropout = Number(parameters, NeuralParameters.CnnDropout);
        var padding = kernel / 2;

        var layers = new List<LayerSpec> { new NormalizeLayer(mean, std) };
        var channels = (int)Long(parameters, NeuralParameters.StageChannels(0));
        var size = Math.Min(inputShape[1], inputShape[2]);
        // Images above StemSide pixels are brought down to it before the first stage, as ResNet's stem does (a stride-2
        // convolution, then 2×2 max pooling while still above): 28×28 images train at 14×14, 64×64 at 16×16. Measured
        // on Fashion-MNIST, the default CNN at full resolution cost 37 million multiply-adds an image, and one epoch of
        // 40,800 images 5–10 minutes on 2 loaded cores: no trial finished in 10 minutes.
        var stemStride = size > StemSide ? 2 : 1;
        layers.Add(new ConvLayer(inputShape[0], channels, 3, stemStride, Padding: 1, Bias: !batchNorm));
        AddNorm(layers, channels, batchNorm);
        layers.Add(new ActivationLayer(activation));
        size = (size + 2 - 3) / stemStride + 1;
        while (size > StemSide)
        {
            layers.Add(new PoolLayer("max", 2, 2));
            size /= 2;
        }

        for (var stage = 0; stage < stages; stage++)
        {
            var width = (int)Long(parameters, NeuralParameters.StageChannels(stage));
            var blocks = (int)Long(parameters, NeuralParameters.StageBlocks(stage));
            var type = Text(parameters, NeuralParameters.StageBlock(stage));
            var stride = 1;
            if (stage > 0 && size >= 2)
            {
                if (downsample == "strided")
                {
                    stride = 2;
                }
                else
                {
                    layers.Add(new PoolLayer(downsample, 2, 2));
                }

                size /= 2;
            }

            for (var block = 0; block < blocks; block++)
            {
                layers.AddRange(Block(type, channels, width, kernel, padding, block == 0 ? stride : 1, batchNorm, activation));
                channels = width;
            }
        }

        layers.Add(new GlobalAvgPoolLayer());
        if (dropout > 0)
        {
            layers.Add(new DropoutLayer(dropout));
        }

        layers.Add(new LinearLayer(channels, classes));
        return new NetworkSpec([.. inputShape], classes, layers);
    }

    /// <summary>
    /// The MLP the parameters describe, for vectors of <paramref name="features"/> numbers (already scaled), or for
    /// images of <paramref name="imageShape"/> flattened after normalization.
    /// </summary>
    /// <exception cref="ArgumentException">A parameter is missing or out of its range.</exception>
    public static NetworkSpec Mlp(
        IReadOnlyDictionary<string, object> parameters, IReadOnlyList<int> inputShape, int classes, IReadOnlyList<float>? mean = null, IReadOnlyList<float>? std = null)
    {
        var depth = (int)Long(parameters, NeuralParameters.MlpLayers);
        var width = (int)Long(parameters, NeuralParameters.MlpWidth);
        var activation = Text(parameters, NeuralParameters.MlpActivation);
        var dropout = Number(parameters, NeuralParameters.MlpDropout);
        var norm = Text(parameters, NeuralParameters.MlpNorm);
        var residual = Text(parameters, NeuralParameters.MlpResidual) == "true";

        var layers = new List<LayerSpec>();
        if (mean is not null && std is not null)
        {
            layers.Add(new NormalizeLayer(mean, std));
        }

        if (inputShape.Count != 1)
        {
            layers.Add(new FlattenLayer());
        }

        var inputs = inputShape.Aggregate(1, (a, b) => a * b);
        for (var i = 0; i < depth; i++)
        {
            var body = new List<LayerSpec> { new LinearLayer(inputs, width) };
            if (norm == "batch")
            {
                body.Add(new BatchNormLayer(width, 1));
            }
            else if (norm == "layer")
            {
                body.Add(new LayerNormLayer(width));
            }

            body.Add(new ActivationLayer(activation));
            if (dropout > 0)
            {
                body.Add(new DropoutLayer(dropout));
            }

            // A residual connection where the width stays (every layer but the first, whose input is the features).
            if (residual && inputs == width)
            {
                layers.Add(new ResidualLayer(body, []));
            }
            else
            {
                layers.AddRange(body);
            }

            inputs = width;
        }

        layers.Add(new LinearLayer(inputs, classes));
        return new NetworkSpec([.. inputShape], classes, layers);
    }

    /// <summary>The network for a trial of either learner.</summary>
    public static NetworkSpec For(
        IReadOnlyDictionary<string, object> parameters, IReadOnlyList<int> inputShape, int classes, IReadOnlyList<float> mean, IReadOnlyList<float> std) =>
        Text(parameters, NeuralParameters.Learner) switch
        {
            NeuralLearners.Cnn => Cnn(parameters, inputShape, classes, mean, std),
            NeuralLearners.Mlp => Mlp(parameters, inputShape, classes, mean, std),
            var other => throw new ArgumentException($"'{other}' is not a neural learner; expected {NeuralLearners.Cnn} or {NeuralLearners.Mlp}.", nameof(parameters)),
        };

    private static IEnumerable<LayerSpec> Block(
        string type, int inputs, int width, int kernel, int padding, int stride, bool batchNorm, string activation)
    {
        switch (type)
        {
            case "plain":
            {
                var layers = new List<LayerSpec> { new ConvLayer(inputs, width, kernel, stride, padding, Bias: !batchNorm) };
                AddNorm(layers, width, batchNorm);
                layers.Add(new ActivationLayer(activation));
                return layers;
            }

            case "separable":
            {
                // Depthwise k×k (with the stride), then pointwise 1×1 to the stage's width.
                var layers = new List<LayerSpec> { new ConvLayer(inputs, inputs, kernel, stride, padding, Groups: inputs, Bias: !batchNorm) };
                AddNorm(layers, inputs, batchNorm);
                layers.Add(new ActivationLayer(activation));
                layers.Add(new ConvLayer(inputs, width, 1, Bias: !batchNorm));
                AddNorm(layers, width, batchNorm);
                layers.Add(new ActivationLayer(activation));
                return layers;
            }

            case "residual":
            {
                // The basic block of ResNet: two k×k convolutions; a 1×1 projection where the shape changes.
                var body = new List<LayerSpec> { new ConvLayer(inputs, width, kernel, stride, padding, Bias: !batchNorm) };
                AddNorm(body, width, batchNorm);
                body.Add(new ActivationLayer(activation));
                body.Add(new ConvLayer(width, width, kernel, 1, padding, Bias: !batchNorm));
                AddNorm(body, width, batchNorm);
                var shortcut = new List<LayerSpec>();
                if (inputs != width || stride != 1)
                {
                    shortcut.Add(new ConvLayer(inputs, width, 1, stride, Bias: !batchNorm));
                    AddNorm(shortcut, width, batchNorm);
                }

                return [new ResidualLayer(body, shortcut), new ActivationLayer(activation)];
            }

            default:
                throw new ArgumentException($"'{type}' is not a block type; expected {string.Join(", ", NeuralSearchSpace.BlockTypes)}.");
        }
    }

    private static void AddNorm(List<LayerSpec> layers, int channels, bool batchNorm)
    {
        if (batchNorm)
        {
            layers.Add(new BatchNormLayer(channels, 2));
        }
    }

    internal static long Long(IReadOnlyDictionary<string, object> parameters, string name) =>
        Convert.ToInt64(Value(parameters, name), CultureInfo.InvariantCulture);

    internal static double Number(IReadOnlyDictionary<string, object> parameters, string name) =>
        Convert.ToDouble(Value(parameters, name), CultureInfo.InvariantCulture);

    internal static string Text(IReadOnlyDictionary<string, object> parameters, string name) =>
        Convert.ToString(Value(parameters, name), CultureInfo.InvariantCulture)!;

    private static object Value(IReadOnlyDictionary<string, object> parameters, string name) =>
        parameters.TryGetValue(name, out var value) ? value : throw new ArgumentException($"The parameters need '{name}'.", nameof(parameters));
}
