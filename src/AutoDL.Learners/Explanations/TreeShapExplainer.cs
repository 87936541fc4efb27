using AutoDL.Learners.Tabular;
using Microsoft.ML;
using Microsoft.ML.Calibrators;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;
using Microsoft.ML.Trainers.FastTree;

namespace AutoDL.Learners.Explanations;

/// <summary>An attribution to one of the user's columns: the sum of its slots'.</summary>
public sealed record ColumnAttribution(string Column, double Value);

/// <summary>An attribution to one slot of the featurized vector, and the column the slot comes from.</summary>
public sealed record SlotAttribution(string Slot, string Column, double Value);

/// <summary>
/// One row's TreeSHAP values for one model output, in raw score space (the ensemble's margin before any calibration
/// or sigmoid; a regression forest's mean of trees, a binary forest's sum). <see cref="Columns"/> has every input column; <see cref="Slots"/> only the
/// slots with a non-zero value.
/// </summary>
public sealed record TreeShapExplanation(
    string Output, double ExpectedValue, double Margin, IReadOnlyList<ColumnAttribution> Columns, IReadOnlyList<SlotAttribution> Slots)
{
    /// <summary>|Σφ − (margin − expected margin)|: zero but for rounding, TreeSHAP being exact.</summary>
    public double AdditivityError => Math.Abs(Columns.Sum(c => c.Value) - (Margin - ExpectedValue));
}

/// <summary>
/// Exact path-dependent TreeSHAP (Lundberg et al. 2018, Algorithm 2) for the tree learners' models as this product
/// trains them (<see cref="TabularPipeline"/>: a featurization chain, then LightGbm, FastTree or FastForest over
/// <see cref="TabularPipeline.FeaturesColumn"/>). Node covers, which ML.NET does not keep, are counted by routing
/// background rows (the training rows) through every tree; the expected margin is the cover-weighted mean of the leaves.
/// Outputs: one for regression (the value) and binary (the positive class's margin); one per class for multiclass
/// (each class's one-versus-all tree set: LightGbm's multiclass model is ML.NET's one-versus-all of per-class ensembles,
/// FastTree and FastForest are trained one-versus-all here). Slot values are summed back to the user's columns.
/// </summary>
public sealed class TreeShapExplainer
{
    private readonly TabularPredictor _predictor;
    private readonly IReadOnlyList<ShapEnsemble> _ensembles;
    private readonly FeatureSlots _slots;
    private readonly double[] _expected;

    private TreeShapExplainer(TabularPredictor predictor, IReadOnlyList<ShapEnsemble> ensembles, FeatureSlots slots, IReadOnlyList<string> outputs)
    {
        _predictor = predictor;
        _ensembles = ensembles;
        _slots = slots;
        Outputs = outputs;
        _expected = [.. ensembles.Select(e => e.Expected())];
    }

    /// <summary>What each output is: the target (regression), the positive class (binary), or each class (multiclass).</summary>
    public IReadOnlyList<string> Outputs { get; }

    /// <summary>Each output's cover-weighted expected margin.</summary>
    public IReadOnlyList<double> ExpectedValues => _expected;

    /// <summary>The featurized slots, with the column each comes from.</summary>
    public IReadOnlyList<FeatureSlot> Slots => _slots.Slots;

    /// <summary>Whether <paramref name="predictor"/> is a tree model TreeSHAP can explain; if not, why not.</summary>
    public static bool CanExplain(ITabularPredictor predictor, out string? reason)
    {
        try
        {
            if (predictor is not TabularPredictor tabular)
            {
                throw new NotSupportedException($"TreeSHAP explains one tabular model, not a {predictor.GetType().Name}.");
            }

            _ = Ensembles(tabular);
            reason = null;
            return true;
        }
        catch (NotSupportedException e)
        {
            reason = e.Message;
            return false;
        }
    }

    /// <summary>The explainer of a model of <paramref name="experiment"/>, its covers counted on the experiment's training rows.</summary>
    /// <exception cref="NotSupportedException">The model is not a tree ensemble of LightGbm, FastTree or FastForest, or has categorical splits.</exception>
    public static TreeShapExplainer Create(TabularPredictor predictor, TabularExperiment experiment)
    {
        ArgumentNullException.ThrowIfNull(predictor);
        ArgumentNullException.ThrowIfNull(experiment);
        return Create(predictor, experiment.Labelled(experiment.Split.TrainingRows));
    }

    /// <summary>The explainer of <paramref name="predictor"/>, its covers counted on <paramref name="background"/> (rows as <see cref="TabularPredictor.Predict"/> takes them).</summary>
    /// <exception cref="NotSupportedException">The model is not a tree ensemble of LightGbm, FastTree or FastForest, or has categorical splits.</exception>
    public static TreeShapExplainer Create(TabularPredictor predictor, IReadOnlyList<IReadOnlyDictionary<string, object?>> background)
    {
        ArgumentNullException.ThrowIfNull(predictor);
        ArgumentNullException.ThrowIfNull(background);
        return Create(predictor, predictor.View(background));
    }

    internal static TreeShapExplainer Create(TabularPredictor predictor, IDataView background)
    {
        var (ensembles, outputs) = Ensembles(predictor);
        var scored = predictor.Transformer.Transform(background);
        var slots = FeatureSlots.Of(predictor.Transformer, scored.Schema, predictor.InputColumns);
        foreach (var row in Features(scored))
        {
            foreach (var ensemble in ensembles)
            {
                ensemble.AddCover(row);
            }
        }

        return new TreeShapExplainer(predictor, ensembles, slots, outputs);
    }

    /// <summary>Each row's explanation of every output: <c>[row][output]</c>.</summary>
    /// <exception cref="ArgumentException">A row lacks a column or has a value of the wrong type.</exception>
    public IReadOnlyList<IReadOnlyList<TreeShapExplanation>> Explain(IReadOnlyList<IReadOnlyDictionary<string, object?>> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        return Explain(_predictor.Transformer.Transform(_predictor.View(rows)));
    }

    internal IReadOnlyList<IReadOnlyList<TreeShapExplanation>> Explain(IDataView scored) =>
        [.. Features(scored).Select(x => (IReadOnlyList<TreeShapExplanation>)[.. _ensembles.Select((e, k) => Explain(e, k, x))])];

    /// <summary>The margin of every output for each featurized row (what the explanations add up to).</summary>
    internal double[][] Margins(IDataView scored) => [.. Features(scored).Select(x => _ensembles.Select(e => e.Predict(x)).ToArray())];

    internal IReadOnlyList<ShapEnsemble> Trees => _ensembles;

    private TreeShapExplanation Explain(ShapEnsemble ensemble, int output, float[] x)
    {
        var phi = ensemble.Shap(x);
        var columns = _slots.SumByColumn(phi);
        var slots = new List<SlotAttribution>();
        for (var s = 0; s < phi.Length && s < _slots.Width; s++)
        {
            if (phi[s] != 0)
            {
                slots.Add(new SlotAttribution(_slots.Slots[s].Name, _slots.Slots[s].Column, phi[s]));
            }
        }

        return new TreeShapExplanation(
            Outputs[output], _expected[output], ensemble.Predict(x), [.. _slots.Columns.Select((c, i) => new ColumnAttribution(c, columns[i]))], slots);
    }

    private static List<float[]> Features(IDataView scored)
    {
        var column = scored.Schema[TabularPipeline.FeaturesColumn];
        var rows = new List<float[]>();
        using var cursor = scored.GetRowCursor([column]);
        var getter = cursor.GetGetter<VBuffer<float>>(column);
        var buffer = default(VBuffer<float>);
        while (cursor.MoveNext())
        {
            getter(ref buffer);
            var dense = new float[buffer.Length];
            buffer.CopyTo(dense);
            rows.Add(dense);
        }

        return rows;
    }

    /// <summary>The tree sets of the model's learner, one per output, and the outputs' names.</summary>
    private static (IReadOnlyList<ShapEnsemble> Ensembles, IReadOnlyList<string> Outputs) Ensembles(TabularPredictor predictor)
    {
        if (predictor.Network is not null)
        {
            throw new NotSupportedException("TreeSHAP explains tree models; this is the MLP (use Integrated Gradients).");
        }

        var model = FeatureSlots.Flatten(predictor.Transformer)
            .OfType<IPredictionTransformer<object>>()
            .Select(t => t.Model)
            .LastOrDefault(m => m is OneVersusAllModelParameters || Unwrap(m) is TreeEnsembleModelParameters)
            ?? throw new NotSupportedException("TreeSHAP explains LightGbm, FastTree and FastForest models; this model's learner is none of them.");
        if (model is OneVersusAllModelParameters ova)
        {
            // ML.NET keeps the per-class models internal (ML.NET 5.0.1, pinned): read through reflection.
            var perClass = MlNetInternals.Get<System.Collections.IEnumerable>(ova, "SubModelParameters").Cast<object>().Select(m => Ensemble(Unwrap(m))).ToList();
            if (perClass.Count != predictor.Classes.Count)
            {
                throw new NotSupportedException($"The one-versus-all model has {perClass.Count} class models for {predictor.Classes.Count} classes.");
            }

            return (perClass, predictor.Classes);
        }

        var output = predictor.Task == TabularTask.Binary ? predictor.Classes[1] : predictor.Target;
        return ([Ensemble(Unwrap(model))], [output]);
    }

    /// <summary>The model under a calibrator (binary LightGbm and FastTree, every class of a one-versus-all model).</summary>
    private static object? Unwrap(object? model)
    {
        for (var type = model?.GetType(); type is not null; type = type.BaseType)
        {
            if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(CalibratedModelParametersBase<,>))
            {
                return type.GetProperty(
                    nameof(CalibratedModelParametersBase<TreeEnsembleModelParameters, ICalibrator>.SubModel),
                    System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.DeclaredOnly)!.GetValue(model);
            }
        }

        return model;
    }

    private static ShapEnsemble Ensemble(object? model) => model switch
    {
        TreeEnsembleModelParametersBasedOnRegressionTree boosted => Ensemble(boosted.TrainedTreeEnsemble.Trees, 1),
        // A regression forest scores the mean of its trees; the binary forest the trees' sum (as ML.NET's Score column has it).
        FastForestRegressionModelParameters forest => Ensemble(forest.TrainedTreeEnsemble.Trees, 1.0 / Math.Max(1, forest.TrainedTreeEnsemble.Trees.Count)),
        TreeEnsembleModelParametersBasedOnQuantileRegressionTree forest => Ensemble(forest.TrainedTreeEnsemble.Trees, 1),
        _ => throw new NotSupportedException($"TreeSHAP explains LightGbm, FastTree and FastForest models, not {model?.GetType().Name ?? "nothing"}."),
    };

    private static ShapEnsemble Ensemble<T>(IReadOnlyList<T> trees, double scale)
        where T : RegressionTreeBase =>
        new([.. trees.Select(t => Tree(t, scale))]);

    private static ShapTree Tree(RegressionTreeBase tree, double scale)
    {
        if (tree.CategoricalSplitFlags.Any(f => f))
        {
            throw new NotSupportedException("The model has categorical splits (a split on several slots at once), which this TreeSHAP does not handle.");
        }

        // ML.NET scores a tree that never split as 0 (its root's left child is then itself).
        if (tree.NumberOfNodes == 0 || tree.LeftChild[0] == 0)
        {
            return new ShapTree([], [], [], [], [0]);
        }

        return new ShapTree(
            [.. tree.LeftChild], [.. tree.RightChild], [.. tree.NumericalSplitFeatureIndexes], [.. tree.NumericalSplitThresholds],
            [.. tree.LeafValues.Select(v => v * scale)]);
    }
}
