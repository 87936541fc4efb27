using AutoDL.Learners;
using AutoDL.Core.Search;
using AutoDL.Learners.Neural;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Xunit.Abstractions;
using static TorchSharp.torch;
using Tensor = TorchSharp.torch.Tensor;

namespace AutoDL.Learners.Tests.Neural;

public sealed class NeuralOnnxTests(ITestOutputHelper output) : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("autodl-neural-onnx-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    /// <summary>Small networks that between them use every layer kind, every activation and every pooling.</summary>
    public static TheoryData<string> LayerSets => ["convolutions", "residuals", "flattened mlp", "vector mlp", "activations on images"];

    private static NetworkSpec Spec(string name) => name switch
    {
        // Plain, strided (no bias), depthwise and 1×1 convolutions; batch norm 2-d; max and average pools; dropout.
        "convolutions" => new NetworkSpec([3, 11, 11], 4,
        [
            new NormalizeLayer([0.4f, 0.5f, 0.6f], [0.2f, 0.25f, 0.3f]),
            new ConvLayer(3, 6, 3, Padding: 1),
            new ActivationLayer("relu"),
            new ConvLayer(6, 8, 3, Stride: 2, Padding: 1, Bias: false),
            new BatchNormLayer(8, 2),
            new ActivationLayer("gelu"),
            new ConvLayer(8, 8, 3, Padding: 1, Groups: 8),
            new BatchNormLayer(8, 2),
            new ActivationLayer("silu"),
            new PoolLayer("max", 2, 2),
            new ConvLayer(8, 12, 1),
            new ActivationLayer("leaky_relu"),
            new PoolLayer("avg", 2, 1),
            new GlobalAvgPoolLayer(),
            new DropoutLayer(0.3),
            new LinearLayer(12, 4),
        ]),

        // A residual block with the identity shortcut, one with a strided projection (conv + batch norm), then a flatten head.
        "residuals" => new NetworkSpec([2, 8, 8], 3,
        [
            new NormalizeLayer([0.5f, 0.5f], [0.25f, 0.5f]),
            new ConvLayer(2, 4, 3, Padding: 1, Bias: false),
            new BatchNormLayer(4, 2),
            new ActivationLayer("relu"),
            new ResidualLayer(
                [new ConvLayer(4, 4, 3, Padding: 1, Bias: false), new BatchNormLayer(4, 2), new ActivationLayer("relu"), new ConvLayer(4, 4, 3, Padding: 1, Bias: false), new BatchNormLayer(4, 2)],
                []),
            new ActivationLayer("relu"),
            new ResidualLayer(
                [new ConvLayer(4, 6, 5, Stride: 2, Padding: 2, Bias: false), new BatchNormLayer(6, 2), new ActivationLayer("gelu"), new ConvLayer(6, 6, 3, Padding: 1)],
                [new ConvLayer(4, 6, 1, Stride: 2, Bias: false), new BatchNormLayer(6, 2)]),
            new ActivationLayer("silu"),
            new FlattenLayer(),
            new LinearLayer(6 * 4 * 4, 3),
        ]),

        // Images normalized, flattened, then linear layers with batch norm 1-d, layer norm and a residual MLP block.
        "flattened mlp" => new NetworkSpec([2, 4, 4], 5,
        [
            new NormalizeLayer([0.3f, 0.7f], [0.2f, 0.4f]),
            new FlattenLayer(),
            new LinearLayer(32, 16),
            new BatchNormLayer(16, 1),
            new ActivationLayer("relu"),
            new ResidualLayer([new LinearLayer(16, 16), new LayerNormLayer(16), new ActivationLayer("gelu"), new DropoutLayer(0.5)], []),
            new LinearLayer(16, 12),
            new LayerNormLayer(12),
            new ActivationLayer("leaky_relu"),
            new LinearLayer(12, 5),
        ]),

        // Vectors: normalize per feature, a residual block with a linear projection shortcut, every activation.
        "vector mlp" => new NetworkSpec([7], 3,
        [
            new NormalizeLayer([0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f, 0.7f], [1f, 0.5f, 0.25f, 2f, 1f, 0.1f, 3f]),
            new LinearLayer(7, 10),
            new BatchNormLayer(10, 1),
            new ActivationLayer("silu"),
            new ResidualLayer([new LinearLayer(10, 9), new BatchNormLayer(9, 1), new ActivationLayer("gelu")], [new LinearLayer(10, 9)]),
            new ActivationLayer("leaky_relu"),
            new LinearLayer(9, 8),
            new LayerNormLayer(8),
            new ActivationLayer("relu"),
            new FlattenLayer(),
            new LinearLayer(8, 3),
        ]),

        // Each activation right after a convolution (inputs reach negative values), leaky relu's slope included.
        "activations on images" => new NetworkSpec([1, 6, 6], 2,
        [
            new NormalizeLayer([0.5f], [0.1f]),
            new ConvLayer(1, 3, 3),
            new ActivationLayer("leaky_relu"),
            new ConvLayer(3, 3, 1),
            new ActivationLayer("gelu"),
            new ConvLayer(3, 3, 1),
            new ActivationLayer("silu"),
            new ConvLayer(3, 3, 1),
            new ActivationLayer("relu"),
            new PoolLayer("avg", 2, 2),
            new GlobalAvgPoolLayer(),
            new LinearLayer(3, 2),
        ]),
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(LayerSets))]
    public async Task EveryLayerKindMatchesOnnxRuntime(string name)
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(11, CPU);
        using var network = new SpecNetwork(Spec(name), generator);
        RandomizeNorms(network, 5);
        var check = await ExportAndCheckAsync(network, Inputs(network.Spec, 64, 3));
        AssertMatches(check, 64, name);
    }

    [Fact]
    public async Task TheDefaultCnnTrainedAFewStepsMatchesOnnxRuntime()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(3, CPU);
        using var network = new SpecNetwork(DefaultCnn(3, 16, 10), generator);
        TrainAFewSteps(network, 4);
        var check = await ExportAndCheckAsync(network, Inputs(network.Spec, 300, 8));
        AssertMatches(check, NeuralOnnx.MaxCheckRows);
        Assert.True(network.training, "The check leaves the network in the mode it was in.");
    }

    [Fact]
    public async Task RandomlySampledCnnsMatchOnnxRuntime()
    {
        var space = NeuralSearchSpace.ForImages();
        var sampler = new RandomSampler();
        for (var i = 0; i < 5; i++)
        {
            using var scope = NewDisposeScope();
            var point = sampler.Sample(new SamplingContext(space, [Direction.Maximize], [], i, SamplerRandom.For(17, i)));
            var spec = Architectures.Cnn(space.ToExternal(point), [3, 8, 8], 6, [0.5f, 0.4f, 0.3f], [0.2f, 0.3f, 0.25f]);
            using var generator = new Generator((ulong)i, CPU);
            using var network = new SpecNetwork(spec, generator);
            RandomizeNorms(network, i);
            var check = await ExportAndCheckAsync(network, Inputs(spec, 8, i));
            AssertMatches(check, 8, $"sampled CNN {i} ({string.Join(", ", network.Summary.Layers.Select(l => l.Description).Distinct())})");
        }
    }

    [Fact]
    public async Task RandomlySampledMlpsMatchOnnxRuntime()
    {
        var space = NeuralSearchSpace.ForVectors();
        var sampler = new RandomSampler();
        for (var i = 0; i < 8; i++)
        {
            using var scope = NewDisposeScope();
            var point = sampler.Sample(new SamplingContext(space, [Direction.Maximize], [], i, SamplerRandom.For(19, i)));
            var parameters = space.ToExternal(point);
            // Half on vectors, half on images flattened after normalization.
            var spec = i % 2 == 0
                ? Architectures.Mlp(parameters, [13], 3)
                : Architectures.Mlp(parameters, [1, 5, 5], 4, [0.5f], [0.25f]);
            using var generator = new Generator((ulong)i, CPU);
            using var network = new SpecNetwork(spec, generator);
            RandomizeNorms(network, i);
            var inputs = spec.InputShape.Count == 1 ? randn(32, 13, generator: generator) : Inputs(spec, 32, i);
            var check = await ExportAndCheckAsync(network, inputs);
            AssertMatches(check, 32, $"sampled MLP {i} ({string.Join(", ", network.Summary.Layers.Select(l => l.Description).Distinct())})");
        }
    }

    [Fact]
    public async Task TheFileLoadsInOnnxRuntimeWithAFreeBatchDimension()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(5, CPU);
        using var network = new SpecNetwork(DefaultCnn(1, 8, 10), generator);
        TrainAFewSteps(network, 2);
        var check = await ExportAndCheckAsync(network, Inputs(network.Spec, 16, 1));
        AssertMatches(check, 16);

        using var session = new InferenceSession(Path.Combine(directory, "model.onnx"));
        Assert.Equal("AutoDL", session.ModelMetadata.ProducerName);
        Assert.Equal([-1, 1, 8, 8], session.InputMetadata[NeuralOnnx.InputName].Dimensions);
        Assert.Equal(["batch"], session.InputMetadata[NeuralOnnx.InputName].SymbolicDimensions.Take(1));
        Assert.Equal([-1, 10], session.OutputMetadata[NeuralOnnx.OutputName].Dimensions);
        network.eval();
        foreach (var batch in new[] { 1, 7 })
        {
            var x = Inputs(network.Spec, batch, 100 + batch);
            var tensor = new DenseTensor<float>(x.data<float>().ToArray(), [batch, 1, 8, 8]);
            using var results = session.Run([NamedOnnxValue.CreateFromTensor(NeuralOnnx.InputName, tensor)]);
            var logits = results.Single(r => r.Name == NeuralOnnx.OutputName).AsTensor<float>();
            Assert.Equal([batch, 10], logits.Dimensions.ToArray());
            using var _ = no_grad();
            var expected = network.forward(x).data<float>().ToArray();
            var difference = expected.Zip(logits.ToArray(), (e, a) => Math.Abs(e - a)).Max();
            Assert.True(difference < 1e-4, $"Batch {batch}: logits differ by {difference}.");
        }
    }

    [Fact]
    public async Task ACheckThatFailsDeletesTheFileAndSaysWhy()
    {
        using var scope = NewDisposeScope();
        var spec = DefaultCnn(1, 8, 3);
        using var a = new Generator(1, CPU);
        using var b = new Generator(2, CPU);
        using var network = new SpecNetwork(spec, a);
        using var other = new SpecNetwork(spec, b);
        other.eval();
        var path = Path.Combine(directory, "model.onnx");
        await File.WriteAllTextAsync(path, "an older export");

        // The ONNX model of one network held against another's outputs: what a wrong export would look like.
        var check = await NeuralOnnx.ExportAndCheckAsync(network, Inputs(spec, 20, 2), path, other.forward, CancellationToken.None);

        Assert.False(check.Available);
        Assert.False(File.Exists(path), "A failed check leaves no file.");
        Assert.False(File.Exists(path + ".tmp"));
        Assert.Equal(20, check.Rows);
        Assert.True(check.MaxAbsDifference > NeuralOnnx.Tolerance, $"The difference is {check.MaxAbsDifference}.");
        Assert.Contains("class probabilities differ", check.Reason);
        Assert.Contains("logits by up to", check.Reason);
    }

    [Fact]
    public async Task NoCheckSamplesMeansNoExport()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(1, CPU);
        using var network = new SpecNetwork(DefaultCnn(), generator);
        var check = await ExportAndCheckAsync(network, zeros(0, 1, 8, 8));
        Assert.False(check.Available);
        Assert.False(File.Exists(Path.Combine(directory, "model.onnx")));
        Assert.Contains("no samples", check.Reason);
    }

    [Fact]
    public async Task CheckInputsOfTheWrongShapeAreRefused()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(1, CPU);
        using var network = new SpecNetwork(DefaultCnn(), generator);
        await Assert.ThrowsAsync<ArgumentException>(() => ExportAndCheckAsync(network, rand(4, 3, 8, 8)));
    }

    [Fact]
    public async Task ACancelledExportThrows()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(1, CPU);
        using var network = new SpecNetwork(DefaultCnn(), generator);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        var path = Path.Combine(directory, "model.onnx");
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => NeuralOnnx.ExportAndCheckAsync(network, rand(4, 1, 8, 8), path, cancelled.Token));
        Assert.False(File.Exists(path));
    }

    [Fact]
    public async Task TheCheckRoundTripsThroughItsJsonSidecar()
    {
        var path = Path.Combine(directory, "model.onnx.check.json");
        var check = OnnxCheck.Unavailable("ONNX Runtime's class probabilities differ.", 0.01, 12);
        await OnnxCheck.WriteAsync(check, path, CancellationToken.None);
        Assert.Equal(check, await OnnxCheck.ReadAsync(path, CancellationToken.None));
        Assert.Contains("\"maxAbsDifference\"", await File.ReadAllTextAsync(path));
        Assert.Null(await OnnxCheck.ReadAsync(Path.Combine(directory, "none.json"), CancellationToken.None));
    }

    [Fact]
    public void ExportWritesTheFileUnchecked()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(1, CPU);
        using var network = new SpecNetwork(Spec("vector mlp"), generator);
        var path = Path.Combine(directory, "plain.onnx");
        NeuralOnnx.Export(network, path);
        using var session = new InferenceSession(path);
        Assert.Equal([-1, 7], session.InputMetadata[NeuralOnnx.InputName].Dimensions);
    }

    private static NetworkSpec DefaultCnn(int channels = 1, int size = 8, int classes = 10)
    {
        var space = NeuralSearchSpace.ForImages();
        var parameters = space.ToExternal(NeuralSearchSpace.DefaultCnn(space));
        return Architectures.Cnn(parameters, [channels, size, size], classes, [.. Enumerable.Repeat(0.5f, channels)], [.. Enumerable.Repeat(0.25f, channels)]);
    }

    private Task<OnnxCheck> ExportAndCheckAsync(SpecNetwork network, Tensor inputs) =>
        NeuralOnnx.ExportAndCheckAsync(network, inputs, Path.Combine(directory, "model.onnx"), CancellationToken.None);

    private void AssertMatches(OnnxCheck check, int rows, string? what = null)
    {
        output.WriteLine($"{what ?? "network"}: probabilities within {check.MaxAbsDifference:G3} on {check.Rows} samples.");
        Assert.True(check.Available, $"{what}: {check.Reason}");
        Assert.Null(check.Reason);
        Assert.Equal(rows, check.Rows);
        Assert.InRange(check.MaxAbsDifference!.Value, 0, NeuralOnnx.Tolerance);
        Assert.True(File.Exists(Path.Combine(directory, "model.onnx")));
    }

    /// <summary>A batch of images (pixels / 255) or vectors in [0, 1).</summary>
    private static Tensor Inputs(NetworkSpec spec, int rows, int seed)
    {
        using var generator = new Generator((ulong)seed + 1000, CPU);
        long[] shape = [rows, .. spec.InputShape.Select(d => (long)d)];
        return rand(shape, generator: generator);
    }

    /// <summary>Gives every batch norm running statistics and every norm an affine transform far from the initial ones.</summary>
    private static void RandomizeNorms(SpecNetwork network, int seed)
    {
        using var _ = no_grad();
        using var generator = new Generator((ulong)seed + 500, CPU);
        var weights = network.state_dict();
        foreach (var row in network.Summary.Layers.Where(r => r.Description.StartsWith("batch norm", StringComparison.Ordinal) || r.Description.StartsWith("layer norm", StringComparison.Ordinal)))
        {
            var prefix = $"layers.{row.Path}.";
            var features = weights[prefix + "weight"].shape[0];
            weights[prefix + "weight"].copy_(rand(features, generator: generator) + 0.5);
            weights[prefix + "bias"].copy_(randn(features, generator: generator) * 0.2);
            if (weights.TryGetValue(prefix + "running_mean", out var mean))
            {
                mean.copy_(randn(features, generator: generator) * 0.3);
                weights[prefix + "running_var"].copy_(rand(features, generator: generator) * 2 + 0.2);
            }
        }
    }

    /// <summary>A few steps of SGD on random labels, in training mode: batch norm's running statistics move as in training.</summary>
    private static void TrainAFewSteps(SpecNetwork network, int steps)
    {
        using var generator = new Generator(77, CPU);
        network.train();
        var optimizer = TorchSharp.torch.optim.SGD(network.parameters(), 0.05);
        for (var step = 0; step < steps; step++)
        {
            using var scope = NewDisposeScope();
            var x = Inputs(network.Spec, 16, step);
            var y = randint(network.Spec.Outputs, [16], generator: generator);
            optimizer.zero_grad();
            var loss = TorchSharp.torch.nn.functional.cross_entropy(network.forward(x), y);
            loss.backward();
            optimizer.step();
        }
    }
}
