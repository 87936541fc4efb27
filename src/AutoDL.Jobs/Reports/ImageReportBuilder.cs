using AutoDL.Learners.Explanations;
using AutoDL.Learners.Neural;

namespace AutoDL.Jobs.Reports;

/// <summary>
/// Runs a report on an image model: Integrated Gradients (real autograd through the network) for the class each
/// chosen held-out test image is predicted, from a blurred copy of the image, steps doubled until the completeness gap is
/// under 1% of |f(x) − f(baseline)|; the heatmap over the image as a PNG. The tabular methods do not apply to images.
/// </summary>
public sealed class ImageReportBuilder(ImageExperiment experiment, NeuralPredictor predictor, ReportOptions options)
{
    public async Task<ReportContent> BuildAsync(ReportRequest request, Func<double, string, Task> progress, CancellationToken cancellationToken)
    {
        var notes = new List<string>();
        var skipped = (request.Methods ?? []).Where(m => m != ReportMethods.IntegratedGradients).ToList();
        if (skipped.Count > 0)
        {
            notes.Add($"{string.Join(", ", skipped)} explain tables of columns; an image model is explained by Integrated Gradients.");
        }

        var test = experiment.TestRows;
        if (test.Length == 0)
        {
            throw new InvalidOperationException("The search held out no test images to explain.");
        }

        var rows = (request.Rows is { Count: > 0 } asked ? asked : Enumerable.Range(0, Math.Min(options.DefaultRows, test.Length))).ToList();
        var pixels = experiment.Pixels;
        var igOptions = new IntegratedGradientsOptions { Target = AttributionTarget.Probability };
        var saliency = new List<ReportSaliencyRow>(rows.Count);
        for (var i = 0; i < rows.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await progress((double)i / rows.Count, $"Integrated Gradients of test image {i + 1} of {rows.Count}");
            var image = test[rows[i]];
            var bytes = pixels.Pixels.AsSpan(image * pixels.ImageBytes, pixels.ImageBytes).ToArray();
            var prediction = predictor.PredictPixels(bytes, 1)[0];
            var classIndex = Math.Max(0, predictor.Classes.ToList().IndexOf(prediction.Class ?? ""));
            var map = await Task.Run(() => ImageSaliency.Explain(predictor, bytes, classIndex, ImageBaseline.Blur, null, igOptions), cancellationToken);
            var probability = prediction.Probabilities?.GetValueOrDefault(prediction.Class ?? "") ?? 0;
            saliency.Add(new ReportSaliencyRow(
                rows[i], $"predicted {prediction.Class} ({probability:0.##}), actual {pixels.Classes[pixels.Labels[image]]}", prediction.Class ?? "",
                map.Attribution.Steps, map.Attribution.Gap, map.Attribution.RelativeGap, map.Attribution.Converged, Convert.ToBase64String(map.Png)));
        }

        if (saliency.Any(s => !s.Converged))
        {
            notes.Add($"For {saliency.Count(s => !s.Converged)} image(s) the completeness gap stayed above 1% at {igOptions.MaxSteps} steps: their maps are approximate, and say by how much.");
        }

        await progress(1, "Writing the report");
        return new ReportContent(
            "the probability of the class the model predicts for each image", [ReportMethods.IntegratedGradients], null, null, null, [], notes, rows)
        {
            Saliency = new ReportSaliency(
                "the image under a Gaussian blur", "probability (softmax output)", igOptions.Tolerance, saliency),
        };
    }
}
