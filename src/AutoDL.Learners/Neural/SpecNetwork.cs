using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AutoDL.Learners.Neural;

/// <summary>
/// A <see cref="NetworkSpec"/> built as a TorchSharp module. Submodules are numbered as the spec's layers are
/// (<c>layers.3.weight</c>, <c>layers.4.body.0.weight</c>), so a layer's weights are found from its place in the spec.
/// Weights are initialised as PyTorch initialises these layers (uniform within ±1/√fan-in for convolutions and
/// linear layers, ones and zeros for normalizations), but from a generator seeded by the caller, and dropout draws
/// from that generator too: a network built and trained with the same seed gets the same weights on the CPU, whatever
/// other networks train in the same process.
/// </summary>
public sealed class SpecNetwork : nn.Module<Tensor, Tensor>
{
    private readonly ModuleList<nn.Module<Tensor, Tensor>> layers;

    /// <param name="generator">Draws the initial weights (a CPU generator: networks are built on the CPU).</param>
    /// <param name="dropoutGenerator">Draws dropout masks, on the device the network trains on; null: <paramref name="generator"/>.</param>
    public SpecNetwork(NetworkSpec spec, Generator generator, Generator? dropoutGenerator = null) : base("network")
    {
        ArgumentNullException.ThrowIfNull(spec);
        Summary = NetworkSummary.Of(spec);
        Spec = spec;
        layers = Build(spec.Layers, generator, dropoutGenerator ?? generator);
        RegisterComponents();
    }

    public NetworkSpec Spec { get; }

    /// <summary>A generator the network disposes with itself (the dropout generator <see cref="NeuralTrainer.Build"/> makes for it).</summary>
    internal Generator? Owned { get; init; }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Owned?.Dispose();
        }

        base.Dispose(disposing);
    }

    public NetworkSummary Summary { get; }

    /// <summary>The module of each of the spec's top-level layers, in order.</summary>
    public IReadOnlyList<nn.Module<Tensor, Tensor>> Layers => [.. layers];

    public override Tensor forward(Tensor input)
    {
        var x = input;
        foreach (var layer in layers)
        {
            x = layer.forward(x);
        }

        return x;
    }

    private static ModuleList<nn.Module<Tensor, Tensor>> Build(IReadOnlyList<LayerSpec> specs, Generator generator, Generator dropout) =>
        new([.. specs.Select(s => Build(s, generator, dropout))]);

    private static nn.Module<Tensor, Tensor> Build(LayerSpec spec, Generator generator, Generator dropout)
    {
        switch (spec)
        {
            case NormalizeLayer n:
                return new ChannelNormalize(n);
            case ConvLayer c:
            {
                var conv = nn.Conv2d(c.In, c.Out, c.Kernel, stride: c.Stride, padding: c.Padding, groups: c.Groups, bias: c.Bias);
                InitUniform(conv.weight!, conv.bias, (c.In / c.Groups) * c.Kernel * c.Kernel, generator);
                return conv;
            }

            case BatchNormLayer { Dims: 2 } b:
                return nn.BatchNorm2d(b.Features);
            case BatchNormLayer b:
                return nn.BatchNorm1d(b.Features);
            case LayerNormLayer l:
                return nn.LayerNorm(l.Features);
            case LinearLayer f:
            {
                var linear = nn.Linear(f.In, f.Out);
                InitUniform(linear.weight!, linear.bias, f.In, generator);
                return linear;
            }

            case ActivationLayer a:
                return a.Function switch
                {
                    "relu" => nn.ReLU(),
                    "gelu" => nn.GELU(),
                    "silu" => nn.SiLU(),
                    "leaky_relu" => nn.LeakyReLU(0.01),
                    _ => throw new ArgumentException($"'{a.Function}' is not an activation."),
                };
            case PoolLayer { Kind: "max" } p:
                return nn.MaxPool2d(p.Kernel, p.Stride);
            case PoolLayer p:
                return nn.AvgPool2d(p.Kernel, p.Stride);
            case GlobalAvgPoolLayer:
                return new GlobalAvgPool();
            case FlattenLayer:
                return nn.Flatten();
            case DropoutLayer d:
                return new SeededDropout(d.P, dropout);
            case ResidualLayer r:
                return new Residual(Build(r.Body, generator, dropout), Build(r.Shortcut, generator, dropout));
            default:
                throw new ArgumentException($"Unknown layer {spec.GetType().Name}.");
        }
    }

    private static void InitUniform(Tensor weight, Tensor? bias, long fanIn, Generator generator)
    {
        using var _ = no_grad();
        var bound = 1.0 / Math.Sqrt(fanIn);
        // torch.rand honours the generator (nn.init.uniform_ draws from the global one in TorchSharp 0.107).
        Fill(weight, bound, generator);
        if (bias is not null)
        {
            Fill(bias, bound, generator);
        }
    }

    private static void Fill(Tensor target, double bound, Generator generator)
    {
        using var uniform = rand(target.shape, dtype: target.dtype, generator: generator);
        target.copy_(uniform.mul_(2 * bound).sub_(bound));
    }

    /// <summary>(x − mean) / std over dimension 1, with the statistics as buffers (saved with the weights).</summary>
    private sealed class ChannelNormalize : nn.Module<Tensor, Tensor>
    {
        private readonly Tensor mean;
        private readonly Tensor std;

        public ChannelNormalize(NormalizeLayer spec) : base("normalize")
        {
            mean = tensor(spec.Mean.ToArray());
            std = tensor(spec.Std.ToArray());
            RegisterComponents();
        }

        public override Tensor forward(Tensor input)
        {
            var shape = input.dim() == 4 ? new long[] { 1, -1, 1, 1 } : [1, -1];
            return (input - mean.view(shape)) / std.view(shape);
        }
    }

    private sealed class GlobalAvgPool() : nn.Module<Tensor, Tensor>("globalavgpool")
    {
        public override Tensor forward(Tensor input) => input.mean([2L, 3L]);
    }

    /// <summary>Dropout whose masks come from the network's own generator (TorchSharp's uses the global one).</summary>
    private sealed class SeededDropout(double p, Generator generator) : nn.Module<Tensor, Tensor>("dropout")
    {
        public override Tensor forward(Tensor input)
        {
            if (!training || p == 0)
            {
                return input.alias();
            }

            using var keep = rand(input.shape, dtype: input.dtype, device: input.device, generator: generator).ge_(p);
            return input * keep / (1 - p);
        }
    }

    private sealed class Residual : nn.Module<Tensor, Tensor>
    {
        private readonly ModuleList<nn.Module<Tensor, Tensor>> body;
        private readonly ModuleList<nn.Module<Tensor, Tensor>> shortcut;

        public Residual(ModuleList<nn.Module<Tensor, Tensor>> body, ModuleList<nn.Module<Tensor, Tensor>> shortcut) : base("residual")
        {
            this.body = body;
            this.shortcut = shortcut;
            RegisterComponents();
        }

        public override Tensor forward(Tensor input)
        {
            var x = input;
            foreach (var layer in body)
            {
                x = layer.forward(x);
            }

            var s = input;
            foreach (var layer in shortcut)
            {
                s = layer.forward(s);
            }

            return x + s;
        }
    }
}
