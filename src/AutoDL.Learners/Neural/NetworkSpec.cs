using System.Text.Json;
using System.Text.Json.Serialization;

namespace AutoDL.Learners.Neural;

/// <summary>
/// One layer of a searched network, in AutoDL's own small layer set: what <see cref="SpecNetwork"/> builds in
/// TorchSharp, what the ONNX writer writes as ONNX operators, and what a model's architecture JSON holds. Shapes are
/// per sample: <c>[C, H, W]</c> for images, <c>[F]</c> for vectors.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "op")]
[JsonDerivedType(typeof(NormalizeLayer), "normalize")]
[JsonDerivedType(typeof(ConvLayer), "conv")]
[JsonDerivedType(typeof(BatchNormLayer), "batchnorm")]
[JsonDerivedType(typeof(LayerNormLayer), "layernorm")]
[JsonDerivedType(typeof(LinearLayer), "linear")]
[JsonDerivedType(typeof(ActivationLayer), "activation")]
[JsonDerivedType(typeof(PoolLayer), "pool")]
[JsonDerivedType(typeof(GlobalAvgPoolLayer), "globalavgpool")]
[JsonDerivedType(typeof(FlattenLayer), "flatten")]
[JsonDerivedType(typeof(DropoutLayer), "dropout")]
[JsonDerivedType(typeof(ResidualLayer), "residual")]
public abstract record LayerSpec;

/// <summary>(x − mean[c]) / std[c] per channel (or per feature): fixed, not trained. Images arrive as pixels / 255.</summary>
public sealed record NormalizeLayer(IReadOnlyList<float> Mean, IReadOnlyList<float> Std) : LayerSpec
{
    public bool Equals(NormalizeLayer? other) => other is not null && Mean.SequenceEqual(other.Mean) && Std.SequenceEqual(other.Std);

    public override int GetHashCode() => HashCode.Combine(Mean.Count, Std.Count);
}

/// <summary>A 2-D convolution, square kernel; <see cref="Groups"/> = in = out makes it depthwise.</summary>
public sealed record ConvLayer(int In, int Out, int Kernel, int Stride = 1, int Padding = 0, int Groups = 1, bool Bias = true) : LayerSpec;

/// <summary>Batch normalization over channels (<see cref="Dims"/> 2, images) or features (1, vectors); eps 1e-5, momentum 0.1.</summary>
public sealed record BatchNormLayer(int Features, int Dims) : LayerSpec;

/// <summary>Layer normalization over the last dimension (vectors); eps 1e-5.</summary>
public sealed record LayerNormLayer(int Features) : LayerSpec;

public sealed record LinearLayer(int In, int Out) : LayerSpec;

/// <summary><c>relu</c>, <c>gelu</c> (exact, erf), <c>silu</c> or <c>leaky_relu</c> (slope 0.01).</summary>
public sealed record ActivationLayer(string Function) : LayerSpec;

/// <summary><c>max</c> or <c>avg</c> pooling, square window, no padding.</summary>
public sealed record PoolLayer(string Kind, int Kernel, int Stride) : LayerSpec;

/// <summary>Mean over H and W: <c>[C, H, W]</c> → <c>[C]</c>.</summary>
public sealed record GlobalAvgPoolLayer : LayerSpec;

/// <summary><c>[C, H, W]</c> → <c>[C·H·W]</c>.</summary>
public sealed record FlattenLayer : LayerSpec;

/// <summary>Drops with probability <see cref="P"/> while training; the identity when predicting.</summary>
public sealed record DropoutLayer(double P) : LayerSpec;

/// <summary>body(x) + shortcut(x); an empty <see cref="Shortcut"/> is the identity.</summary>
public sealed record ResidualLayer(IReadOnlyList<LayerSpec> Body, IReadOnlyList<LayerSpec> Shortcut) : LayerSpec
{
    public bool Equals(ResidualLayer? other) =>
        other is not null && Body.SequenceEqual(other.Body) && Shortcut.SequenceEqual(other.Shortcut);

    public override int GetHashCode() => HashCode.Combine(Body.Count, Shortcut.Count);
}

/// <summary>
/// A whole network: the shape of one input sample, the number of outputs (classes' logits), and its layers in order.
/// The architecture JSON of a neural model is this record.
/// </summary>
public sealed record NetworkSpec(IReadOnlyList<int> InputShape, int Outputs, IReadOnlyList<LayerSpec> Layers)
{
    public const int CurrentFormat = 1;

    public int Format { get; init; } = CurrentFormat;

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <exception cref="InvalidDataException">Not the JSON of a network.</exception>
    public static NetworkSpec FromJson(string json)
    {
        try
        {
            var spec = JsonSerializer.Deserialize<NetworkSpec>(json, Json) ?? throw new InvalidDataException("The network's architecture is empty.");
            if (spec.Format > CurrentFormat)
            {
                throw new InvalidDataException($"The network's architecture is of format {spec.Format}; this version reads up to {CurrentFormat}.");
            }

            _ = NetworkSummary.Of(spec);
            return spec;
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"The network's architecture cannot be read: {e.Message}", e);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"The network's architecture is not consistent: {e.Message}", e);
        }
    }

    public bool Equals(NetworkSpec? other) =>
        other is not null && Format == other.Format && Outputs == other.Outputs
        && InputShape.SequenceEqual(other.InputShape) && Layers.SequenceEqual(other.Layers);

    public override int GetHashCode() => HashCode.Combine(Outputs, InputShape.Count, Layers.Count);
}
