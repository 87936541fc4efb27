using AutoDL.Learners.Tabular;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace AutoDL.Learners.Explanations;

/// <summary>One slot of the featurized vector: its name and the user's column it came from.</summary>
public sealed record FeatureSlot(int Index, string Name, string Column);

/// <summary>
/// Which of the user's columns each slot of <see cref="TabularPipeline.FeaturesColumn"/> comes from, read from the
/// fitted chain itself: the concatenation that makes the vector names its inputs in order (a number, its missing
/// indicator, a date's parts, a category's one-hot or hashed slots, a text's n-grams), each input's width is its type's,
/// and each input is a user column or one generated from it (<c>__autodl.{column}.{what}</c>). Slot names are the
/// vector's slot-name annotations where ML.NET gives them.
/// </summary>
internal sealed record FeatureSlots(IReadOnlyList<string> Columns, IReadOnlyList<FeatureSlot> Slots)
{
    private const string GeneratedPrefix = "__autodl.";

    public int Width => Slots.Count;

    /// <exception cref="NotSupportedException">The chain has no concatenation making <see cref="TabularPipeline.FeaturesColumn"/>.</exception>
    public static FeatureSlots Of(ITransformer model, DataViewSchema featurized, IReadOnlyList<TabularColumn> columns)
    {
        // ML.NET keeps the concatenation's columns internal (ML.NET 5.0.1, pinned): read through reflection, checked below.
        var concatenation = Flatten(model).OfType<ColumnConcatenatingTransformer>()
            .SelectMany(t => MlNetInternals.Get<IReadOnlyCollection<(string outputColumnName, string[] inputColumnNames)>>(t, "Columns"))
            .LastOrDefault(c => c.outputColumnName == TabularPipeline.FeaturesColumn);
        if (concatenation.inputColumnNames is null)
        {
            throw new NotSupportedException($"The model's chain does not make {TabularPipeline.FeaturesColumn} by concatenating columns.");
        }

        var names = SlotNames(featurized[TabularPipeline.FeaturesColumn]);
        var slots = new List<FeatureSlot>();
        var columnNames = columns.Select(c => c.Name).ToList();
        foreach (var input in concatenation.inputColumnNames)
        {
            var width = featurized[input].Type is VectorDataViewType vector ? vector.Size : 1;
            var owner = Owner(input, columnNames);
            for (var i = 0; i < width; i++)
            {
                var index = slots.Count;
                var name = names is not null && index < names.Length && names[index].Length > 0
                    ? names[index]
                    : width == 1 ? input : $"{input}[{i}]";
                slots.Add(new FeatureSlot(index, name, owner));
            }
        }

        if (featurized[TabularPipeline.FeaturesColumn].Type is VectorDataViewType { Size: var size } && size != slots.Count)
        {
            throw new NotSupportedException($"The concatenated columns make {slots.Count} slots; {TabularPipeline.FeaturesColumn} has {size}.");
        }

        return new FeatureSlots(columnNames, slots);
    }

    /// <summary>Sums slot values (one per slot) into one value per column, in <see cref="Columns"/>' order.</summary>
    public double[] SumByColumn(ReadOnlySpan<double> slotValues)
    {
        var index = Columns.Select((c, i) => (c, i)).ToDictionary(x => x.c, x => x.i, StringComparer.Ordinal);
        var sums = new double[Columns.Count];
        for (var s = 0; s < Slots.Count; s++)
        {
            if (index.TryGetValue(Slots[s].Column, out var column))
            {
                sums[column] += slotValues[s];
            }
        }

        return sums;
    }

    /// <summary>Every transformer of a chain, nested chains opened, in order.</summary>
    internal static IEnumerable<ITransformer> Flatten(ITransformer model)
    {
        if (model is IEnumerable<ITransformer> chain)
        {
            foreach (var inner in chain)
            {
                foreach (var t in Flatten(inner))
                {
                    yield return t;
                }
            }
        }
        else
        {
            yield return model;
        }
    }

    /// <summary>The user column a concatenated input comes from: itself, or the longest column name it was generated from.</summary>
    private static string Owner(string input, IReadOnlyList<string> columns)
    {
        if (columns.Contains(input, StringComparer.Ordinal))
        {
            return input;
        }

        var name = input;
        while (name.StartsWith(GeneratedPrefix, StringComparison.Ordinal))
        {
            name = name[GeneratedPrefix.Length..];
        }

        return columns.Where(c => name.StartsWith(c + ".", StringComparison.Ordinal)).OrderByDescending(c => c.Length).FirstOrDefault() ?? input;
    }

    private static string[]? SlotNames(DataViewSchema.Column column)
    {
        if (column.Annotations.Schema.GetColumnOrNull("SlotNames") is null)
        {
            return null;
        }

        var names = default(VBuffer<ReadOnlyMemory<char>>);
        column.GetSlotNames(ref names);
        return [.. names.DenseValues().Select(n => n.ToString())];
    }
}

/// <summary>Reads members ML.NET keeps internal, for explanations that need a model's structure.</summary>
internal static class MlNetInternals
{
    /// <exception cref="NotSupportedException">This ML.NET has no such member of that type.</exception>
    public static T Get<T>(object owner, string property)
    {
        var member = owner.GetType().GetProperty(
            property, System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic);
        return member?.GetValue(owner) is T value
            ? value
            : throw new NotSupportedException($"This ML.NET's {owner.GetType().Name} has no {property} of type {typeof(T).Name}; explanations were written for ML.NET 5.0.1.");
    }
}
