using AutoDL.Core.Datasets.Images;
using AutoDL.Learners.Neural;
using static TorchSharp.torch;

namespace AutoDL.Learners.Explanations;

/// <summary>Where an image's Integrated Gradients path starts.</summary>
public enum ImageBaseline
{
    /// <summary>A black image (zeros).</summary>
    Black,

    /// <summary>The training images' mean image (given by the caller).</summary>
    TrainingMean,

    /// <summary>The image itself under a Gaussian blur (<see cref="Baselines.Blur"/>).</summary>
    Blur,
}

/// <summary>
/// One image's saliency: its Integrated Gradients (pixels / 255 in, as the network reads them), the heatmap (|attr|
/// summed over channels, divided by its largest value: <c>[H·W]</c> in [0, 1]) and a PNG of the heatmap over the image.
/// </summary>
public sealed record SaliencyMap(IntegratedGradientsResult Attribution, int Height, int Width, float[] Heat, byte[] Png);

/// <summary>Integrated Gradients saliency maps of an image classifier (<see cref="NeuralPredictor"/>).</summary>
public static class ImageSaliency
{
    /// <summary>The saliency of one class for one image, decoded as the model's images are (<c>[C, H, W]</c> bytes).</summary>
    /// <param name="trainingMean">The mean training image, <c>[C·H·W]</c> in [0, 1]; needed for <see cref="ImageBaseline.TrainingMean"/> only.</param>
    public static SaliencyMap Explain(
        NeuralPredictor predictor, byte[] pixels, int classIndex, ImageBaseline baseline = ImageBaseline.Blur, float[]? trainingMean = null,
        IntegratedGradientsOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(predictor);
        var shape = predictor.Shape;
        if (classIndex < 0 || classIndex >= predictor.Classes.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(classIndex), $"The model has {predictor.Classes.Count} classes; {classIndex} is none of them.");
        }

        return Explain(predictor.Network, pixels, shape[0], shape[1], shape[2], classIndex, baseline, trainingMean, options);
    }

    /// <summary>The saliency of output <paramref name="output"/> of any image network over <c>[N, C, H, W]</c> pixels / 255.</summary>
    public static SaliencyMap Explain(
        nn.Module<Tensor, Tensor> network, byte[] pixels, int channels, int height, int width, int output, ImageBaseline baseline = ImageBaseline.Blur,
        float[]? trainingMean = null, IntegratedGradientsOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        if (pixels.Length != channels * height * width)
        {
            throw new ArgumentException($"{pixels.Length} bytes are not one image of [{channels}, {height}, {width}].", nameof(pixels));
        }

        IntegratedGradientsResult result;
        using (var scope = NewDisposeScope())
        {
            var image = tensor(pixels, [channels, height, width], dtype: ScalarType.Byte).to_type(ScalarType.Float32).div_(255f);
            var start = baseline switch
            {
                ImageBaseline.Black => Baselines.Zeros(image),
                ImageBaseline.Blur => Baselines.Blur(image),
                ImageBaseline.TrainingMean when trainingMean is { Length: var n } && n == pixels.Length => tensor(trainingMean, [channels, height, width]),
                ImageBaseline.TrainingMean => throw new ArgumentException($"The training-mean baseline needs the mean image, {pixels.Length} numbers in [0, 1].", nameof(trainingMean)),
                _ => throw new ArgumentOutOfRangeException(nameof(baseline)),
            };
            result = IntegratedGradients.Explain(network, image, start, output, options);
        }

        var heat = Heatmap(result.Attributions, channels, height, width);
        return new SaliencyMap(result, height, width, heat, Overlay(pixels, channels, height, width, heat));
    }

    /// <summary>The mean of <paramref name="rows"/>' images (all when null), <c>[C·H·W]</c> in [0, 1]: the training-mean baseline.</summary>
    public static float[] MeanImage(ImagePixels images, IReadOnlyList<int>? rows = null)
    {
        ArgumentNullException.ThrowIfNull(images);
        var size = images.Channels * images.Height * images.Width;
        var chosen = rows ?? Enumerable.Range(0, images.Count).ToArray();
        var sums = new double[size];
        foreach (var row in chosen)
        {
            for (var i = 0; i < size; i++)
            {
                sums[i] += images.Pixels[row * size + i];
            }
        }

        return [.. sums.Select(s => chosen.Count == 0 ? 0f : (float)(s / chosen.Count / 255))];
    }

    /// <summary>|attributions| summed over channels, divided by the largest sum: <c>[H·W]</c> in [0, 1] (all 0 if every attribution is).</summary>
    public static float[] Heatmap(float[] attributions, int channels, int height, int width)
    {
        var plane = height * width;
        var heat = new float[plane];
        for (var c = 0; c < channels; c++)
        {
            for (var p = 0; p < plane; p++)
            {
                heat[p] += Math.Abs(attributions[c * plane + p]);
            }
        }

        var max = heat.Max();
        if (max > 0)
        {
            for (var p = 0; p < plane; p++)
            {
                heat[p] /= max;
            }
        }

        return heat;
    }

    /// <summary>A PNG of the heatmap over the image: the image in grey, turned red where the heat is, <paramref name="opacity"/> at the hottest.</summary>
    public static byte[] Overlay(byte[] pixels, int channels, int height, int width, float[] heat, double opacity = 0.6)
    {
        var plane = height * width;
        var rgb = new byte[3 * plane];
        for (var p = 0; p < plane; p++)
        {
            double grey = channels == 1
                ? pixels[p]
                : 0.299 * pixels[p] + 0.587 * pixels[plane + p] + 0.114 * pixels[2 * plane + p];
            var a = opacity * heat[p];
            rgb[p] = (byte)Math.Round((1 - a) * grey + a * 255);
            rgb[plane + p] = (byte)Math.Round((1 - a) * grey);
            rgb[2 * plane + p] = (byte)Math.Round((1 - a) * grey);
        }

        return ImageDecoder.EncodePng(rgb, 3, height, width);
    }
}
