using AutoDL.Learners.Tabular;
using Microsoft.ML;
using static TorchSharp.torch;

namespace AutoDL.Learners.Explanations;

/// <summary>Where a tabular row's Integrated Gradients path starts, in the MLP's featurized space.</summary>
public enum TabularBaseline
{
    /// <summary>Zeros: every standardised number at its training mean, every indicator and one-hot slot off.</summary>
    Zeros,

    /// <summary>The background (training) rows' mean featurized vector.</summary>
    TrainingMean,
}

/// <summary>One row's Integrated Gradients for one output of the tabular MLP, per featurized slot and summed per user column.</summary>
public sealed record TabularAttribution(
    string Output, IntegratedGradientsResult Attribution, IReadOnlyList<ColumnAttribution> Columns, IReadOnlyList<SlotAttribution> Slots);

/// <summary>
/// Integrated Gradients of the tabular MLP (<see cref="TabularMlp"/>) over its featurized slots, summed back to the
/// user's columns through the featurizer's slot layout. Outputs: each class's logit or probability
/// (<see cref="IntegratedGradientsOptions.Target"/>), or for regression the network's one output, the target standardised
/// on the training rows (attributions times the model's target scale are in the target's units).
/// </summary>
public static class TabularIntegratedGradients
{
    /// <param name="output">The class index (0 for regression).</param>
    /// <param name="background">Rows whose mean featurized vector is the <see cref="TabularBaseline.TrainingMean"/> baseline (the training rows); unused for zeros.</param>
    /// <exception cref="NotSupportedException">The model is not the MLP.</exception>
    public static IReadOnlyList<TabularAttribution> Explain(
        TabularPredictor predictor, IReadOnlyList<IReadOnlyDictionary<string, object?>> rows, int output, TabularBaseline baseline = TabularBaseline.Zeros,
        IReadOnlyList<IReadOnlyDictionary<string, object?>>? background = null, IntegratedGradientsOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(predictor);
        ArgumentNullException.ThrowIfNull(rows);
        return Explain(predictor, predictor.View(rows), output, baseline, background is null ? null : predictor.View(background), options);
    }

    /// <summary>As the other overload, the training-mean baseline taken over <paramref name="experiment"/>'s training rows.</summary>
    public static IReadOnlyList<TabularAttribution> Explain(
        TabularPredictor predictor, TabularExperiment experiment, IReadOnlyList<IReadOnlyDictionary<string, object?>> rows, int output,
        TabularBaseline baseline = TabularBaseline.TrainingMean, IntegratedGradientsOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(predictor);
        ArgumentNullException.ThrowIfNull(experiment);
        return Explain(predictor, predictor.View(rows), output, baseline, experiment.Labelled(experiment.Split.TrainingRows), options);
    }

    internal static IReadOnlyList<TabularAttribution> Explain(
        TabularPredictor predictor, IDataView rows, int output, TabularBaseline baseline, IDataView? background, IntegratedGradientsOptions? options)
    {
        var network = predictor.Network ?? throw new NotSupportedException("Integrated Gradients of a table explains the MLP; the tree and linear models are explained by TreeSHAP or the model-agnostic explainers.");
        var outputs = predictor.Task == TabularTask.Regression ? [predictor.Target] : predictor.Classes;
        if (output < 0 || output >= outputs.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(output), $"The model has {outputs.Count} outputs; {output} is none of them.");
        }

        if (predictor.Task == TabularTask.Regression && options?.Target == AttributionTarget.Probability)
        {
            throw new ArgumentException("A regression network has no probabilities to explain.", nameof(options));
        }

        var featurized = predictor.Transformer.Transform(rows);
        var slots = FeatureSlots.Of(predictor.Transformer, featurized.Schema, predictor.InputColumns);
        var (values, width) = TabularMlp.Features(predictor.Transformer, rows);
        var start = new float[width];
        if (baseline == TabularBaseline.TrainingMean)
        {
            var (training, _) = TabularMlp.Features(predictor.Transformer, background
                ?? throw new ArgumentException("The training-mean baseline needs the background rows.", nameof(background)));
            var count = training.Length / Math.Max(1, width);
            for (var i = 0; i < training.Length; i++)
            {
                start[i % width] += training[i] / count;
            }
        }

        var results = new List<TabularAttribution>();
        using var b = tensor(start);
        for (var row = 0; row * width < values.Length; row++)
        {
            IntegratedGradientsResult result;
            using (var x = tensor(values.AsSpan(row * width, width).ToArray()))
            {
                result = IntegratedGradients.Explain(network.Network, x, b, output, options);
            }

            var phi = result.Attributions.Select(a => (double)a).ToArray();
            var columns = slots.SumByColumn(phi);
            results.Add(new TabularAttribution(
                outputs[output],
                result,
                [.. slots.Columns.Select((c, i) => new ColumnAttribution(c, columns[i]))],
                [.. slots.Slots.Where(s => phi[s.Index] != 0).Select(s => new SlotAttribution(s.Name, s.Column, phi[s.Index]))]));
        }

        return results;
    }
}
