using TorchSharp;
using static TorchSharp.torch;

namespace AutoDL.Learners.Explanations;

/// <summary>Which number of the network's output is explained.</summary>
public enum AttributionTarget
{
    /// <summary>The output itself: a class's logit (before softmax), or a regression network's value.</summary>
    Logit,

    /// <summary>A class's softmax probability.</summary>
    Probability,
}

/// <summary>How Integrated Gradients integrates: from <see cref="StartSteps"/> intervals, doubled until the gap is met or <see cref="MaxSteps"/> is reached.</summary>
public sealed record IntegratedGradientsOptions
{
    public int StartSteps { get; init; } = 32;

    public int MaxSteps { get; init; } = 1024;

    /// <summary>The completeness gap allowed, as a share of |f(x) − f(baseline)|.</summary>
    public double Tolerance { get; init; } = 0.01;

    /// <summary>Interpolation points a forward and backward pass takes at once.</summary>
    public int Batch { get; init; } = 64;

    public AttributionTarget Target { get; init; } = AttributionTarget.Logit;
}

/// <summary>
/// One input's Integrated Gradients (Sundararajan, Taly and Yan 2017) for one output: attributions shaped as the
/// input, row-major, and their quality figure: the completeness gap |Σattr − (f(x) − f(baseline))|, with the steps used.
/// </summary>
public sealed record IntegratedGradientsResult(
    float[] Attributions, IReadOnlyList<long> Shape, int Output, AttributionTarget Target, double AtInput, double AtBaseline, double Gap, int Steps)
{
    /// <summary>f(x) − f(baseline): what the attributions should add up to.</summary>
    public double Difference => AtInput - AtBaseline;

    /// <summary>The gap as a share of |f(x) − f(baseline)| (0 when both are 0).</summary>
    public double RelativeGap => Gap == 0 ? 0 : Gap / Math.Abs(Difference);

    /// <summary>Whether the gap is within the tolerance the integration was asked for.</summary>
    public bool Converged { get; init; }
}

/// <summary>
/// Integrated Gradients over a TorchSharp network with real autograd: the path integral of ∂f/∂x from a baseline to
/// the input by the trapezoid rule over evenly spaced points (interpolated inputs batched through the network),
/// doubling the intervals until the completeness gap is under the tolerance. The network is put in eval mode;
/// every tensor made here is disposed before returning, and no gradient is left on the network's parameters.
/// </summary>
public static class IntegratedGradients
{
    /// <param name="input">One sample without the batch dimension (<c>[F]</c> or <c>[C, H, W]</c>), on the network's device.</param>
    /// <param name="baseline">The same shape: where the path starts (see <see cref="Baselines"/>).</param>
    /// <param name="output">The output column explained: a class index, or 0 for a regression network.</param>
    public static IntegratedGradientsResult Explain(
        nn.Module<Tensor, Tensor> network, Tensor input, Tensor baseline, int output, IntegratedGradientsOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(baseline);
        options ??= new IntegratedGradientsOptions();
        if (!input.shape.SequenceEqual(baseline.shape))
        {
            throw new ArgumentException($"The baseline's shape [{string.Join(", ", baseline.shape)}] is not the input's [{string.Join(", ", input.shape)}].", nameof(baseline));
        }

        if (options.StartSteps < 1 || options.MaxSteps < options.StartSteps || options.Batch < 1)
        {
            throw new ArgumentException("Integrated Gradients needs 1 ≤ StartSteps ≤ MaxSteps and a batch of at least 1.", nameof(options));
        }

        network.eval();
        using var scope = NewDisposeScope();
        var x = input.detach().to_type(ScalarType.Float32).unsqueeze(0);
        var b = baseline.detach().to_type(ScalarType.Float32).to(x.device).unsqueeze(0);
        var difference = x - b;
        double atInput, atBaseline;
        using (no_grad())
        {
            atInput = Output(network.forward(x), output, options.Target)[0].item<float>();
            atBaseline = Output(network.forward(b), output, options.Target)[0].item<float>();
        }

        var expected = atInput - atBaseline;
        for (var steps = options.StartSteps; ; steps = Math.Min(steps * 2, options.MaxSteps))
        {
            using var attributions = (difference * IntegratedGradient(network, b, difference, output, options, steps)).squeeze(0);
            var total = attributions.to_type(ScalarType.Float64).sum().item<double>();
            var gap = Math.Abs(total - expected);
            var converged = gap <= options.Tolerance * Math.Abs(expected);
            if (converged || steps >= options.MaxSteps)
            {
                return new IntegratedGradientsResult(
                    attributions.cpu().data<float>().ToArray(), [.. input.shape], output, options.Target, atInput, atBaseline, gap, steps) { Converged = converged };
            }
        }
    }

    /// <summary>The trapezoid-rule mean of the gradient over <paramref name="steps"/> intervals from b to b + difference, <c>[1, ...]</c>.</summary>
    private static Tensor IntegratedGradient(
        nn.Module<Tensor, Tensor> network, Tensor b, Tensor difference, int output, IntegratedGradientsOptions options, int steps)
    {
        var sum = zeros_like(b);
        var points = steps + 1;
        var shape = new long[b.dim()];
        Array.Fill(shape, 1L);
        shape[0] = -1;
        for (var start = 0; start < points; start += options.Batch)
        {
            using var batchScope = NewDisposeScope();
            var count = Math.Min(options.Batch, points - start);
            var alphas = new float[count];
            var weights = new float[count];
            for (var i = 0; i < count; i++)
            {
                var k = start + i;
                alphas[i] = (float)k / steps;
                weights[i] = (k == 0 || k == steps ? 0.5f : 1f) / steps;
            }

            var alpha = tensor(alphas, device: b.device).view(shape);
            var path = (b + alpha * difference).detach().requires_grad_(true);
            using (enable_grad())
            {
                var y = Output(network.forward(path), output, options.Target);
                // The weighted sum's gradient is each point's gradient times its trapezoid weight.
                var weighted = (y * tensor(weights, device: b.device)).sum();
                var gradient = autograd.grad([weighted], [path])[0];
                sum.add_(gradient.sum(0, keepdim: true));
            }
        }

        return sum;
    }

    /// <summary>The output explained, one number a row of the batch.</summary>
    private static Tensor Output(Tensor logits, int output, AttributionTarget target)
    {
        if (logits.dim() != 2 || output < 0 || output >= logits.shape[1])
        {
            throw new ArgumentException($"The network's output has shape [{string.Join(", ", logits.shape)}]; output {output} is not one of its columns.", nameof(output));
        }

        return target == AttributionTarget.Probability
            ? nn.functional.softmax(logits, 1).select(1, output)
            : logits.select(1, output);
    }
}

/// <summary>Where Integrated Gradients' path starts.</summary>
public static class Baselines
{
    /// <summary>All zeros: black for an image, the training mean for standardised numbers.</summary>
    public static Tensor Zeros(Tensor input) => zeros_like(input);

    /// <summary>The mean of the training samples <c>[N, ...]</c>, one sample's shape.</summary>
    public static Tensor TrainingMean(Tensor samples) => samples.to_type(ScalarType.Float32).mean([0L]);

    /// <summary>
    /// The image <c>[C, H, W]</c> blurred by a Gaussian of <paramref name="sigma"/> pixels (default: a tenth of its
    /// larger side), each channel on its own, edges replicated: the image without its fine detail.
    /// </summary>
    public static Tensor Blur(Tensor image, double? sigma = null)
    {
        if (image.dim() != 3)
        {
            throw new ArgumentException($"A blurred baseline needs one image [C, H, W], not a tensor of shape [{string.Join(", ", image.shape)}].", nameof(image));
        }

        var (channels, height, width) = (image.shape[0], image.shape[1], image.shape[2]);
        var s = sigma ?? Math.Max(height, width) / 10.0;
        if (s <= 0)
        {
            return image.to_type(ScalarType.Float32).clone();
        }

        var radius = (int)Math.Min(Math.Ceiling(3 * s), Math.Max(height, width) - 1);
        var weights = Enumerable.Range(-radius, 2 * radius + 1).Select(d => (float)Math.Exp(-d * d / (2 * s * s))).ToArray();
        var total = weights.Sum();
        using var scope = NewDisposeScope();
        var kernel = tensor([.. weights.Select(w => w / total)], device: image.device);
        var x = image.to_type(ScalarType.Float32).unsqueeze(0);
        using (no_grad())
        {
            // Separable: rows then columns, one kernel per channel (groups = channels).
            var rows = nn.functional.pad(x, [radius, radius, 0, 0], PaddingModes.Replicate);
            rows = nn.functional.conv2d(rows, kernel.view(1, 1, 1, -1).expand(channels, 1, 1, -1), groups: channels);
            var columns = nn.functional.pad(rows, [0, 0, radius, radius], PaddingModes.Replicate);
            columns = nn.functional.conv2d(columns, kernel.view(1, 1, -1, 1).expand(channels, 1, -1, 1), groups: channels);
            return columns.squeeze(0).MoveToOuterDisposeScope();
        }
    }
}
