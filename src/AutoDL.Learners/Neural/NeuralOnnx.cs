using System.Globalization;
using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Tensor = TorchSharp.torch.Tensor;
using TorchSharp;
using static TorchSharp.torch;

namespace AutoDL.Learners.Neural;

/// <summary>
/// Exports a <see cref="SpecNetwork"/> to ONNX (opset 17, written by AutoDL's own encoder) and checks the export
/// before keeping it: ONNX Runtime and TorchSharp (in inference mode) run the same check samples, and the class
/// probabilities (softmax of the logits) must match within <see cref="Tolerance"/>. A network whose ONNX form does not
/// match is simply not exported: never a wrong file.
/// </summary>
/// <remarks>
/// The ONNX model reads <c>input</c>, float [batch, C, H, W] (pixels / 255) or [batch, F], and writes <c>logits</c>,
/// float [batch, classes]; the batch dimension is free. Layers map to operators as: normalize → Sub, Div; conv → Conv;
/// batch norm → BatchNormalization (running statistics); layer norm → LayerNormalization; linear → Gemm (transB);
/// relu → Relu; gelu → 0.5·x·(1 + Erf(x/√2)) (exact, as TorchSharp's); silu → x·Sigmoid(x); leaky relu → LeakyRelu
/// (0.01); pools → MaxPool, AveragePool; global average pool → GlobalAveragePool, Flatten; flatten → Flatten; dropout
/// → nothing; residual → both branches, then Add. Initializers are named as the network's weights
/// (<c>layers.3.weight</c>). Measured on the tests' networks (every layer kind, the default CNN, sampled CNNs and
/// MLPs): probabilities differ by 4e-9 to 3e-7, far inside the tolerance.
/// </remarks>
public static class NeuralOnnx
{
    /// <summary>The largest difference allowed between a class probability from ONNX Runtime and TorchSharp's.</summary>
    public const double Tolerance = 1e-4;

    /// <summary>Most samples run to check an export.</summary>
    public const int MaxCheckRows = 256;

    /// <summary>The name of the ONNX model's input.</summary>
    public const string InputName = "input";

    /// <summary>The name of the ONNX model's output.</summary>
    public const string OutputName = "logits";

    /// <summary>Writes <paramref name="network"/> as an ONNX model to <paramref name="path"/>, unchecked.</summary>
    /// <exception cref="InvalidOperationException">The network lacks a weight its spec calls for.</exception>
    public static void Export(SpecNetwork network, string path)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Write(ToOnnx(network), path);
    }

    /// <summary>
    /// Exports <paramref name="network"/>, checks the export on (up to <see cref="MaxCheckRows"/> of)
    /// <paramref name="checkInputs"/> and writes it to <paramref name="path"/> when it passes; when it does not, deletes
    /// any file at <paramref name="path"/> and says why. The network is run in inference mode and left in the mode it
    /// was in.
    /// </summary>
    /// <param name="checkInputs">Samples shaped as the network reads them, [N, C, H, W] (pixels / 255) or [N, F].</param>
    /// <exception cref="ArgumentException"><paramref name="checkInputs"/> is not shaped as the network's input.</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public static Task<OnnxCheck> ExportAndCheckAsync(SpecNetwork network, Tensor checkInputs, string path, CancellationToken cancellationToken) =>
        ExportAndCheckAsync(network, checkInputs, path, null, cancellationToken);

    /// <param name="reference">What the ONNX model's logits are compared with (default: the network's own); tests pass another network to make the check fail.</param>
    internal static Task<OnnxCheck> ExportAndCheckAsync(
        SpecNetwork network, Tensor checkInputs, string path, Func<Tensor, Tensor>? reference, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(checkInputs);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        long[] sample = [.. network.Spec.InputShape.Select(d => (long)d)];
        if (checkInputs.dim() != sample.Length + 1 || !checkInputs.shape.Skip(1).SequenceEqual(sample))
        {
            throw new ArgumentException(
                $"The check inputs are [{string.Join(", ", checkInputs.shape)}]; the network reads [N, {string.Join(", ", sample)}].", nameof(checkInputs));
        }

        return Task.Run(
            () =>
            {
                var check = Check(network, checkInputs, reference ?? network.forward, out var bytes, cancellationToken);
                cancellationToken.ThrowIfCancellationRequested();
                if (bytes is null || !check.Available)
                {
                    File.Delete(path);
                    return check;
                }

                Write(bytes, path);
                return check;
            },
            cancellationToken);
    }

    /// <summary>The ONNX model of <paramref name="network"/>'s current weights.</summary>
    /// <exception cref="InvalidOperationException">The network lacks a weight its spec calls for.</exception>
    internal static byte[] ToOnnx(SpecNetwork network)
    {
        using var scope = NewDisposeScope();
        var exporter = new Exporter(network.state_dict());
        var spec = network.Spec;
        var (output, _) = exporter.Walk(spec.Layers, InputName, spec.InputShape.Count + 1, "");
        exporter.Writer.Node("Identity", [output], OutputName);
        return exporter.Writer.Model("autodl_network", InputName, spec.InputShape, OutputName, [spec.Outputs]);
    }

    /// <summary>Runs ONNX model <paramref name="onnx"/> on <paramref name="inputs"/> (flat, row-major) of shape <paramref name="shape"/>.</summary>
    /// <returns>The logits, flat, and their shape.</returns>
    internal static (float[] Logits, int[] Shape) Run(byte[] onnx, float[] inputs, int[] shape)
    {
        using var options = new SessionOptions { LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR, IntraOpNumThreads = 1 };
        using var session = new InferenceSession(onnx, options);
        var tensor = new DenseTensor<float>(inputs, shape);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(InputName, tensor)], [OutputName]);
        var logits = results.First().AsTensor<float>();
        return (logits.ToArray(), logits.Dimensions.ToArray());
    }

    private static void Write(byte[] bytes, string path)
    {
        var temporary = path + ".tmp";
        File.WriteAllBytes(temporary, bytes);
        File.Move(temporary, path, overwrite: true);
    }

    private static OnnxCheck Check(
        SpecNetwork network, Tensor checkInputs, Func<Tensor, Tensor> reference, out byte[]? bytes, CancellationToken cancellationToken)
    {
        bytes = null;
        var rows = (int)Math.Min(checkInputs.shape[0], MaxCheckRows);
        if (rows == 0)
        {
            return OnnxCheck.Unavailable("There are no samples to check the ONNX model on.");
        }

        byte[] onnx;
        try
        {
            onnx = ToOnnx(network);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            return OnnxCheck.Unavailable($"The network does not convert to ONNX: {e.Message}");
        }

        cancellationToken.ThrowIfCancellationRequested();
        float[] inputs;
        float[] expected;
        using (var scope = NewDisposeScope())
        using (no_grad())
        {
            var wasTraining = network.training;
            network.eval();
            try
            {
                var device = network.parameters().FirstOrDefault()?.device ?? CPU;
                var x = checkInputs.narrow(0, 0, rows).to(ScalarType.Float32).contiguous();
                inputs = x.cpu().data<float>().ToArray();
                expected = reference(x.to(device)).to(ScalarType.Float32).cpu().contiguous().data<float>().ToArray();
            }
            finally
            {
                network.train(wasTraining);
            }
        }

        cancellationToken.ThrowIfCancellationRequested();
        float[] actual;
        try
        {
            int[] shape = [rows, .. network.Spec.InputShape];
            var (logits, outputShape) = Run(onnx, inputs, shape);
            if (!outputShape.SequenceEqual([rows, network.Spec.Outputs]))
            {
                return OnnxCheck.Unavailable(
                    $"The ONNX model gives logits of shape [{string.Join(", ", outputShape)}], not [{rows}, {network.Spec.Outputs}].", rows: rows);
            }

            actual = logits;
        }
        catch (Exception e) when (e is OnnxRuntimeException or InvalidDataException or InvalidOperationException or ArgumentException)
        {
            return OnnxCheck.Unavailable($"ONNX Runtime cannot run the exported network: {e.Message}", rows: rows);
        }

        var check = Compare(expected, actual, network.Spec.Outputs, rows);
        if (check.Available)
        {
            bytes = onnx;
        }

        return check;
    }

    /// <summary>Compares the softmax probabilities of two sets of logits ([rows, classes], flat).</summary>
    internal static OnnxCheck Compare(float[] expected, float[] actual, int classes, int rows)
    {
        if (expected.Length != actual.Length || expected.Length != rows * classes)
        {
            return OnnxCheck.Unavailable(
                $"TorchSharp gives {expected.Length} logits and ONNX Runtime {actual.Length} for {rows} samples of {classes} classes.", rows: rows);
        }

        var probabilities = 0.0;
        var logits = 0.0;
        for (var i = 0; i < rows; i++)
        {
            var e = expected.AsSpan(i * classes, classes);
            var a = actual.AsSpan(i * classes, classes);
            var p = Softmax(e);
            var q = Softmax(a);
            for (var k = 0; k < classes; k++)
            {
                logits = Math.Max(logits, Difference(e[k], a[k]));
                probabilities = Math.Max(probabilities, double.IsNaN(p[k]) || double.IsNaN(q[k]) ? double.PositiveInfinity : Math.Abs(p[k] - q[k]));
            }
        }

        if (!(probabilities <= Tolerance))
        {
            return OnnxCheck.Unavailable(
                $"ONNX Runtime's class probabilities differ from TorchSharp's by up to {Format(probabilities)} on the {rows} check samples "
                + $"(logits by up to {Format(logits)}), more than the {Tolerance.ToString(CultureInfo.InvariantCulture)} allowed.",
                double.IsFinite(probabilities) ? probabilities : null, rows);
        }

        return new OnnxCheck(true, probabilities, rows, null);
    }

    private static string Format(double value) => value.ToString("G3", CultureInfo.InvariantCulture);

    private static double[] Softmax(ReadOnlySpan<float> logits)
    {
        var max = double.NegativeInfinity;
        foreach (var l in logits)
        {
            max = Math.Max(max, l);
        }

        var result = new double[logits.Length];
        var sum = 0.0;
        for (var k = 0; k < logits.Length; k++)
        {
            result[k] = Math.Exp(logits[k] - max);
            sum += result[k];
        }

        for (var k = 0; k < logits.Length; k++)
        {
            result[k] /= sum;
        }

        return result;
    }

    private static double Difference(float expected, float actual) =>
        float.IsNaN(expected) || float.IsNaN(actual) ? double.PositiveInfinity : Math.Abs((double)expected - actual);

    /// <summary>Writes a spec's layers as ONNX nodes, reading their weights by their place in the spec.</summary>
    private sealed class Exporter(IReadOnlyDictionary<string, Tensor> weights)
    {
        private readonly Dictionary<string, string> scalars = new(StringComparer.Ordinal);

        public OnnxWriter Writer { get; } = new();

        /// <param name="rank">Of the value <paramref name="x"/>: 4 for images, 2 for vectors (batch included).</param>
        /// <returns>The name and rank of the layers' output.</returns>
        public (string Output, int Rank) Walk(IReadOnlyList<LayerSpec> layers, string x, int rank, string prefix)
        {
            for (var i = 0; i < layers.Count; i++)
            {
                (x, rank) = Layer(layers[i], x, rank, prefix + i);
            }

            return (x, rank);
        }

        private (string Output, int Rank) Layer(LayerSpec layer, string x, int rank, string path)
        {
            var w = Writer;
            switch (layer)
            {
                case NormalizeLayer n:
                {
                    long[] dims = rank == 4 ? [1, n.Mean.Count, 1, 1] : [1, n.Mean.Count];
                    var mean = w.Initializer($"layers.{path}.mean", n.Mean.ToArray(), dims);
                    var std = w.Initializer($"layers.{path}.std", n.Std.ToArray(), dims);
                    return (w.Node("Div", [w.Node("Sub", [x, mean]), std]), rank);
                }

                case ConvLayer c:
                {
                    List<string> inputs = [x, Weight(path, "weight")];
                    if (c.Bias)
                    {
                        inputs.Add(Weight(path, "bias"));
                    }

                    return (w.Node(
                        "Conv",
                        inputs,
                        OnnxAttribute.Of("kernel_shape", c.Kernel, c.Kernel),
                        OnnxAttribute.Of("strides", c.Stride, c.Stride),
                        OnnxAttribute.Of("pads", c.Padding, c.Padding, c.Padding, c.Padding),
                        OnnxAttribute.Of("dilations", 1L, 1L),
                        OnnxAttribute.Of("group", (long)c.Groups)), rank);
                }

                case BatchNormLayer:
                    // Inference mode: (x − running mean) / √(running var + ε) · weight + bias, over dimension 1 ([N, C, H, W] or [N, F]).
                    return (w.Node(
                        "BatchNormalization",
                        [x, Weight(path, "weight"), Weight(path, "bias"), Weight(path, "running_mean"), Weight(path, "running_var")],
                        OnnxAttribute.Of("epsilon", 1e-5f)), rank);

                case LayerNormLayer:
                    return (w.Node(
                        "LayerNormalization",
                        [x, Weight(path, "weight"), Weight(path, "bias")],
                        OnnxAttribute.Of("axis", -1L),
                        OnnxAttribute.Of("epsilon", 1e-5f)), rank);

                case LinearLayer:
                    return (w.Node("Gemm", [x, Weight(path, "weight"), Weight(path, "bias")], OnnxAttribute.Of("transB", 1L)), rank);

                case ActivationLayer a:
                    return (Activation(a.Function, x, path), rank);

                case PoolLayer p:
                    return (w.Node(
                        p.Kind == "max" ? "MaxPool" : "AveragePool",
                        [x],
                        OnnxAttribute.Of("kernel_shape", p.Kernel, p.Kernel),
                        OnnxAttribute.Of("strides", p.Stride, p.Stride)), rank);

                case GlobalAvgPoolLayer:
                    return (w.Node("Flatten", [w.Node("GlobalAveragePool", [x])], OnnxAttribute.Of("axis", 1L)), 2);

                case FlattenLayer:
                    return (w.Node("Flatten", [x], OnnxAttribute.Of("axis", 1L)), 2);

                case DropoutLayer:
                    return (x, rank);

                case ResidualLayer r:
                {
                    var (body, bodyRank) = Walk(r.Body, x, rank, path + ".body.");
                    var (shortcut, _) = Walk(r.Shortcut, x, rank, path + ".shortcut.");
                    return (w.Node("Add", [body, shortcut]), bodyRank);
                }

                default:
                    throw new InvalidOperationException($"Layer {path}: {layer.GetType().Name} has no ONNX form.");
            }
        }

        private string Activation(string function, string x, string path)
        {
            var w = Writer;
            switch (function)
            {
                case "relu":
                    return w.Node("Relu", [x]);
                case "leaky_relu":
                    return w.Node("LeakyRelu", [x], OnnxAttribute.Of("alpha", 0.01f));
                case "silu":
                    return w.Node("Mul", [x, w.Node("Sigmoid", [x])]);
                case "gelu":
                {
                    // Opset 17 has no Gelu: the exact form, 0.5·x·(1 + erf(x/√2)), as TorchSharp's GELU computes it.
                    var erf = w.Node("Erf", [w.Node("Mul", [x, Scalar("one_over_sqrt2", (float)(1 / Math.Sqrt(2)))])]);
                    return w.Node("Mul", [w.Node("Mul", [x, Scalar("half", 0.5f)]), w.Node("Add", [erf, Scalar("one", 1f)])]);
                }

                default:
                    throw new InvalidOperationException($"Layer {path}: '{function}' is not an activation.");
            }
        }

        /// <summary>A scalar constant, written once however many nodes use it.</summary>
        private string Scalar(string name, float value)
        {
            if (!scalars.TryGetValue(name, out var written))
            {
                written = Writer.Initializer(name, [value], []);
                scalars[name] = written;
            }

            return written;
        }

        private string Weight(string path, string kind)
        {
            var name = $"layers.{path}.{kind}";
            if (!weights.TryGetValue(name, out var tensor))
            {
                throw new InvalidOperationException($"The network has no weight '{name}' for layer {path}.");
            }

            var values = tensor.detach().to(ScalarType.Float32).cpu().contiguous();
            return Writer.Initializer(name, values.data<float>().ToArray(), values.shape);
        }
    }
}
