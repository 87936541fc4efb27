using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;

namespace AutoDL.Learners.Neural;

/// <summary>How a network is trained: the <c>train.</c> and <c>aug.</c> parameters of a trial.</summary>
public sealed record TrainingSettings(
    string Optimizer, double LearningRate, double WeightDecay, int BatchSize, int Epochs, string Schedule, double LabelSmoothing,
    bool Flip = false, int Shift = 0)
{
    /// <exception cref="ArgumentException">A training parameter is missing or unknown.</exception>
    public static TrainingSettings From(IReadOnlyDictionary<string, object> parameters)
    {
        var settings = new TrainingSettings(
            Architectures.Text(parameters, NeuralParameters.Optimizer),
            Architectures.Number(parameters, NeuralParameters.LearningRate),
            Architectures.Number(parameters, NeuralParameters.WeightDecay),
            int.Parse(Architectures.Text(parameters, NeuralParameters.BatchSize), CultureInfo.InvariantCulture),
            (int)Architectures.Long(parameters, NeuralParameters.Epochs),
            Architectures.Text(parameters, NeuralParameters.Schedule),
            Architectures.Number(parameters, NeuralParameters.LabelSmoothing),
            parameters.TryGetValue(NeuralParameters.Flip, out var flip) && Convert.ToString(flip, CultureInfo.InvariantCulture) == "true",
            parameters.TryGetValue(NeuralParameters.Shift, out var shift) ? Convert.ToInt32(shift, CultureInfo.InvariantCulture) : 0);
        settings.Check();
        return settings;
    }

    /// <exception cref="ArgumentException">A value is out of range or unknown.</exception>
    public void Check()
    {
        if (!NeuralSearchSpace.Optimizers.Contains(Optimizer))
        {
            throw new ArgumentException($"'{Optimizer}' is not an optimizer; expected {string.Join(", ", NeuralSearchSpace.Optimizers)}.");
        }

        if (!NeuralSearchSpace.Schedules.Contains(Schedule) && Schedule != "constant")
        {
            throw new ArgumentException($"'{Schedule}' is not a schedule; expected {string.Join(", ", NeuralSearchSpace.Schedules)} or constant.");
        }

        if (!(LearningRate > 0) || WeightDecay < 0 || BatchSize < 1 || Epochs < 1 || LabelSmoothing is < 0 or >= 1 || Shift < 0)
        {
            throw new ArgumentException(
                $"Training needs a positive learning rate, batch size and epoch count, a non-negative weight decay and shift, and label smoothing in [0, 1); got {this}.");
        }
    }

    /// <summary>The learning rate at optimizer step <paramref name="step"/> of <paramref name="totalSteps"/>.</summary>
    public double LearningRateAt(long step, long totalSteps)
    {
        var t = totalSteps <= 1 ? 0 : Math.Clamp((double)step / (totalSteps - 1), 0, 1);
        return Schedule switch
        {
            "cosine" => LearningRate * 0.5 * (1 + Math.Cos(Math.PI * t)),
            // Two tenfold drops, at a third and two thirds of the steps.
            "step" => LearningRate * Math.Pow(0.1, Math.Min(2, Math.Floor(3 * t))),
            // Smith's one-cycle, as PyTorch's OneCycleLR: 30% warm-up from lr/25, cosine down to lr/(25·10⁴).
            "onecycle" => t < 0.3
                ? Cosine(LearningRate / 25, LearningRate, t / 0.3)
                : Cosine(LearningRate, LearningRate / 25 / 1e4, (t - 0.3) / 0.7),
            _ => LearningRate,
        };

        static double Cosine(double from, double to, double share) => to + (from - to) * 0.5 * (1 + Math.Cos(Math.PI * share));
    }
}

/// <summary>
/// Samples a network learns from, kept on the CPU: images as bytes <c>[N, C, H, W]</c> (turned into pixels / 255 a
/// batch at a time, 4× less memory than floats), or vectors as floats <c>[N, F]</c>; and their class indices, or
/// (regression) their target values.
/// </summary>
public sealed class NeuralSamples : IDisposable
{
    private readonly Tensor _inputs;

    private NeuralSamples(Tensor inputs, long[] labels, float[]? targets = null)
    {
        _inputs = inputs;
        Labels = labels;
        Targets = targets;
    }

    /// <param name="pixels">Row-major <c>[N, C, H, W]</c> bytes.</param>
    public static NeuralSamples FromImages(byte[] pixels, int count, IReadOnlyList<int> shape, long[] labels)
    {
        if (shape.Count != 3 || (long)count * shape[0] * shape[1] * shape[2] != pixels.Length || labels.Length != count)
        {
            throw new ArgumentException($"{pixels.Length} bytes and {labels.Length} labels are not {count} images of [{string.Join(", ", shape)}].");
        }

        return new NeuralSamples(tensor(pixels, [count, shape[0], shape[1], shape[2]], dtype: ScalarType.Byte), labels);
    }

    /// <param name="values">Row-major <c>[N, F]</c> numbers.</param>
    public static NeuralSamples FromVectors(float[] values, int count, int features, long[] labels)
    {
        if ((long)count * features != values.Length || labels.Length != count)
        {
            throw new ArgumentException($"{values.Length} numbers and {labels.Length} labels are not {count} vectors of {features}.");
        }

        return new NeuralSamples(tensor(values, [count, features]), labels);
    }

    /// <summary>Vectors with a number to predict each (regression): <see cref="Targets"/> holds them; every label is 0.</summary>
    /// <param name="values">Row-major <c>[N, F]</c> numbers.</param>
    public static NeuralSamples FromVectors(float[] values, int count, int features, float[] targets)
    {
        if ((long)count * features != values.Length || targets.Length != count)
        {
            throw new ArgumentException($"{values.Length} numbers and {targets.Length} targets are not {count} vectors of {features}.");
        }

        return new NeuralSamples(tensor(values, [count, features]), new long[count], targets);
    }

    public int Count => Labels.Length;

    public long[] Labels { get; }

    /// <summary>The numbers to predict (regression samples); null for classification samples.</summary>
    public float[]? Targets { get; }

    public bool IsImages => _inputs.dtype == ScalarType.Byte;

    /// <summary>The shape of one sample.</summary>
    public IReadOnlyList<int> Shape => [.. _inputs.shape.Skip(1).Select(d => (int)d)];

    /// <summary>The samples <paramref name="rows"/> as a float batch (images: pixels / 255), augmented when asked.</summary>
    public Tensor Batch(long[] rows, Random? augment = null, bool flip = false, int shift = 0)
    {
        using var index = tensor(rows, dtype: ScalarType.Int64);
        var batch = _inputs.index_select(0, index);
        if (!IsImages)
        {
            return batch;
        }

        var x = batch.to_type(ScalarType.Float32).div_(255f);
        batch.Dispose();
        if (augment is null)
        {
            return x;
        }

        if (flip)
        {
            var mask = new bool[rows.Length];
            for (var i = 0; i < mask.Length; i++)
            {
                mask[i] = augment.Next(2) == 1;
            }

            using var flips = tensor(mask).view(-1, 1, 1, 1);
            using var flipped = x.flip(3);
            var chosen = where(flips, flipped, x);
            x.Dispose();
            x = chosen;
        }

        if (shift > 0)
        {
            // Pad with black by `shift` pixels and crop each image back at a random offset: shifts of up to ±shift.
            var (h, w) = (x.shape[2], x.shape[3]);
            using var padded = nn.functional.pad(x, [shift, shift, shift, shift]);
            var crops = new Tensor[rows.Length];
            for (var i = 0; i < crops.Length; i++)
            {
                crops[i] = padded[i].narrow(1, augment.Next(2 * shift + 1), h).narrow(2, augment.Next(2 * shift + 1), w);
            }

            var shifted = stack(crops);
            foreach (var crop in crops)
            {
                crop.Dispose();
            }

            x.Dispose();
            x = shifted;
        }

        return x;
    }

    public void Dispose() => _inputs.Dispose();
}

/// <summary>One epoch of training: the mean training loss, the validation score and loss, and where the time went.</summary>
public sealed record EpochRecord(int Epoch, double TrainLoss, double ValidationValue, double ValidationLoss, double Seconds, double LoadSeconds);
