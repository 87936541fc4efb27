namespace AutoDL.Learners.Neural;

/// <summary>One row of a network's layer table: where it sits, what it is, its output shape, parameters and multiply-adds per sample.</summary>
/// <param name="Path">Its place: <c>3</c>, or <c>3.body.1</c> inside a residual layer.</param>
public sealed record LayerSummary(string Path, string Description, IReadOnlyList<int> OutputShape, long Parameters, long MultiplyAdds);

/// <summary>
/// A network's shapes walked from its input: the layer table, the parameter count (trainable weights and biases) and
/// the multiply-adds of one forward pass of one sample (convolutions and linear layers; normalizations, activations
/// and pooling are counted as zero, as is usual). Also the check that the layers fit together.
/// </summary>
public sealed record NetworkSummary(IReadOnlyList<LayerSummary> Layers, long Parameters, long MultiplyAdds, IReadOnlyList<int> OutputShape)
{
    /// <exception cref="ArgumentException">A layer does not fit the shape it receives; the message names the layer.</exception>
    public static NetworkSummary Of(NetworkSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.InputShape.Count is not (1 or 3) || spec.InputShape.Any(d => d < 1))
        {
            throw new ArgumentException($"The input shape must be [C, H, W] or [F] with positive sizes, not [{string.Join(", ", spec.InputShape)}].");
        }

        var rows = new List<LayerSummary>();
        var shape = Walk(spec.Layers, spec.InputShape.ToArray(), "", rows);
        if (shape is not [var outputs] || outputs != spec.Outputs)
        {
            throw new ArgumentException($"The network ends in shape [{string.Join(", ", shape)}], not [{spec.Outputs}] (one logit per class).");
        }

        return new NetworkSummary(rows, rows.Sum(r => r.Parameters), rows.Sum(r => r.MultiplyAdds), shape);
    }

    private static int[] Walk(IReadOnlyList<LayerSpec> layers, int[] shape, string prefix, List<LayerSummary> rows)
    {
        for (var i = 0; i < layers.Count; i++)
        {
            var path = prefix + i;
            var layer = layers[i];
            if (layer is ResidualLayer residual)
            {
                var start = rows.Count;
                var body = Walk(residual.Body, shape, path + ".body.", rows);
                var shortcut = Walk(residual.Shortcut, shape, path + ".shortcut.", rows);
                if (!body.SequenceEqual(shortcut))
                {
                    throw new ArgumentException($"Layer {path}: the residual body gives [{string.Join(", ", body)}] but its shortcut [{string.Join(", ", shortcut)}].");
                }

                rows.Insert(start, new LayerSummary(path, "residual (body + shortcut)", body, 0, 0));
                shape = body;
                continue;
            }

            var (output, parameters, macs, description) = Step(layer, shape, path);
            rows.Add(new LayerSummary(path, description, output, parameters, macs));
            shape = output;
        }

        return shape;
    }

    private static (int[] Shape, long Parameters, long MultiplyAdds, string Description) Step(LayerSpec layer, int[] shape, string path)
    {
        string Shape(int[] s) => "[" + string.Join(", ", s) + "]";
        ArgumentException Misfit(string what) => new($"Layer {path} ({layer.GetType().Name.Replace("Layer", "").ToLowerInvariant()}): {what}, but it receives {Shape(shape)}.");
        switch (layer)
        {
            case NormalizeLayer n:
                if (n.Mean.Count != shape[0] || n.Std.Count != shape[0] || n.Std.Any(s => !(s > 0)))
                {
                    throw Misfit($"it has {n.Mean.Count} means and {n.Std.Count} positive deviations for {shape[0]} channels");
                }

                return (shape, 0, 0, $"normalize {n.Mean.Count} channel(s)");

            case ConvLayer c:
            {
                if (shape.Length != 3 || shape[0] != c.In)
                {
                    throw Misfit($"it needs [{c.In}, H, W]");
                }

                if (c.Kernel < 1 || c.Stride < 1 || c.Padding < 0 || c.Groups < 1 || c.In % c.Groups != 0 || c.Out % c.Groups != 0)
                {
                    throw Misfit($"kernel {c.Kernel}, stride {c.Stride}, padding {c.Padding} and groups {c.Groups} do not fit {c.In} → {c.Out} channels");
                }

                var h = (shape[1] + 2 * c.Padding - c.Kernel) / c.Stride + 1;
                var w = (shape[2] + 2 * c.Padding - c.Kernel) / c.Stride + 1;
                if (h < 1 || w < 1)
                {
                    throw Misfit($"a {c.Kernel}×{c.Kernel} kernel leaves no output");
                }

                long weights = (long)c.Out * (c.In / c.Groups) * c.Kernel * c.Kernel;
                var kind = c.Groups == 1 ? "conv" : c.Groups == c.In ? "depthwise conv" : $"grouped conv ({c.Groups})";
                return ([c.Out, h, w], weights + (c.Bias ? c.Out : 0), weights * h * w,
                    $"{kind} {c.Kernel}×{c.Kernel}, {c.In} → {c.Out}, stride {c.Stride}");
            }

            case BatchNormLayer b:
                if ((b.Dims == 2 && (shape.Length != 3 || shape[0] != b.Features)) || (b.Dims == 1 && (shape.Length != 1 || shape[0] != b.Features)) || b.Dims is not (1 or 2))
                {
                    throw Misfit($"it normalizes {b.Features} {(b.Dims == 2 ? "channels" : "features")}");
                }

                return (shape, 2L * b.Features, 0, $"batch norm ({b.Features})");

            case LayerNormLayer l:
                if (shape.Length != 1 || shape[0] != l.Features)
                {
                    throw Misfit($"it needs [{l.Features}]");
                }

                return (shape, 2L * l.Features, 0, $"layer norm ({l.Features})");

            case LinearLayer f:
                if (shape.Length != 1 || shape[0] != f.In)
                {
                    throw Misfit($"it needs [{f.In}]");
                }

                return ([f.Out], (long)f.In * f.Out + f.Out, (long)f.In * f.Out, $"linear {f.In} → {f.Out}");

            case ActivationLayer a:
                if (a.Function is not ("relu" or "gelu" or "silu" or "leaky_relu"))
                {
                    throw new ArgumentException($"Layer {path}: '{a.Function}' is not an activation; expected relu, gelu, silu or leaky_relu.");
                }

                return (shape, 0, 0, a.Function);

            case PoolLayer p:
            {
                if (shape.Length != 3 || p.Kind is not ("max" or "avg") || p.Kernel < 1 || p.Stride < 1)
                {
                    throw Misfit($"a {p.Kind} pool of {p.Kernel}, stride {p.Stride}, needs [C, H, W]");
                }

                var h = (shape[1] - p.Kernel) / p.Stride + 1;
                var w = (shape[2] - p.Kernel) / p.Stride + 1;
                if (h < 1 || w < 1)
                {
                    throw Misfit($"a {p.Kernel}×{p.Kernel} window leaves no output");
                }

                return ([shape[0], h, w], 0, 0, $"{p.Kind} pool {p.Kernel}×{p.Kernel}, stride {p.Stride}");
            }

            case GlobalAvgPoolLayer:
                if (shape.Length != 3)
                {
                    throw Misfit("it needs [C, H, W]");
                }

                return ([shape[0]], 0, 0, "global average pool");

            case FlattenLayer:
                return ([shape.Aggregate(1, (a, b) => a * b)], 0, 0, "flatten");

            case DropoutLayer d:
                if (d.P is < 0 or >= 1 || double.IsNaN(d.P))
                {
                    throw new ArgumentException($"Layer {path}: a dropout probability must be in [0, 1), not {d.P}.");
                }

                return (shape, 0, 0, $"dropout {d.P:0.###}");

            default:
                throw new ArgumentException($"Layer {path}: unknown layer {layer.GetType().Name}.");
        }
    }
}
