using AutoDL.Core.Search;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace AutoDL.Learners.Tabular;

/// <summary>What a tabular search is asked to do; everything but the target has a default.</summary>
public sealed record TabularExperimentOptions(string Target)
{
    /// <summary>Null: inferred from the target (<see cref="TaskInference.Infer"/>).</summary>
    public TabularTask? Task { get; init; }

    /// <summary>Null: the task's default (<see cref="TaskInference.DefaultMetric"/>).</summary>
    public TabularMetric? Metric { get; init; }

    /// <summary>Share of the rows held out, stratified, for the one final test of the chosen model.</summary>
    public double TestFraction { get; init; } = 0.2;

    /// <summary>Cross-validation folds over the other rows.</summary>
    public int Folds { get; init; } = 5;

    /// <summary>Above this many training rows, one stratified hold-out of <see cref="HoldoutFraction"/> replaces the folds.</summary>
    public int HoldoutAboveRows { get; init; } = 100_000;

    public double HoldoutFraction { get; init; } = 0.2;

    /// <summary>Seeds the split, the search and every ML.NET context of the search.</summary>
    public int Seed { get; init; }

    /// <summary>Null: <see cref="TabularLearners.Default"/> for the task.</summary>
    public IReadOnlyCollection<string>? Learners { get; init; }

    /// <summary>
    /// Binary tasks: the class AUC ranks as positive. Null: a class that reads as true (true, yes, 1, …) if there is
    /// one, else the rarer class (on a tie, the later one in ordinal order).
    /// </summary>
    public string? PositiveClass { get; init; }
}

/// <summary>
/// A tabular search's fixed ground: the table loaded once into memory, the task and metric, the split (a test set no
/// trial sees, and folds over the rest) and the search space. Read-only once loaded, so many trials may share it.
/// </summary>
public sealed class TabularExperiment
{
    private readonly ITransformer? _labelMapping;

    private TabularExperiment(
        TabularData data, TabularExperimentOptions options, LoadedTable loaded, TabularTable table, TabularTask task,
        IReadOnlyList<string> classes, IReadOnlyList<int> strata, ITransformer? labelMapping)
    {
        Data = data;
        Options = options;
        Table = table;
        Task = task;
        Classes = classes;
        Strata = strata;
        RowsWithoutTarget = loaded.RowsWithoutTarget;
        _labelMapping = labelMapping;
        Split = TabularSplit.Create(strata, options.TestFraction, options.Folds, options.Seed, options.HoldoutAboveRows, options.HoldoutFraction);

        var classCounts = task == TabularTask.Regression ? null
            : Split.TrainingRows.GroupBy(r => strata[r]).Select(g => g.Count()).ToList();
        Metric = options.Metric ?? TaskInference.DefaultMetric(task, classCounts);
        if (!Metric.Fits(task))
        {
            throw new ArgumentException($"The metric {Metric} does not fit a {task} task.", nameof(options));
        }

        var cardinalities = loaded.Features
            .Where(c => c.Kind is TabularColumnKind.Boolean or TabularColumnKind.Categorical)
            .ToDictionary(
                c => c.Name,
                c => Split.TrainingRows.Select(r => ((TextTableColumn)table[c.Name]).Values[r].ToString()).Distinct(StringComparer.Ordinal).Count(),
                StringComparer.Ordinal);
        Plan = new FeaturePlan(loaded.Features, cardinalities);
        Space = TabularSearchSpace.For(task, data, options.Target, options.Learners);
    }

    public TabularData Data { get; }

    public TabularExperimentOptions Options { get; }

    public TabularTask Task { get; }

    public TabularMetric Metric { get; }

    public Direction Direction => Metric.Direction();

    /// <summary>The classes, in the order of class indices (binary: negative, then positive); empty for regression.</summary>
    public IReadOnlyList<string> Classes { get; }

    /// <summary>Each loaded row's stratum: its class index, or its target's quantile band (regression).</summary>
    public IReadOnlyList<int> Strata { get; }

    /// <summary>Rows the file has with an empty target: left out of everything.</summary>
    public int RowsWithoutTarget { get; }

    public int RowCount => Table.RowCount;

    public TabularSplit Split { get; }

    public SearchSpace Space { get; }

    /// <summary>The columns a model reads (the features), in the file's order.</summary>
    public IReadOnlyList<TabularColumn> InputColumns => Plan.Features;

    internal TabularTable Table { get; }

    internal FeaturePlan Plan { get; }

    /// <summary>The spec of a search over this experiment: its space, its metric's direction, its seed.</summary>
    public SearchSpec SearchSpec(Budget budget) => new(Space, [Direction], Options.Seed, budget);

    /// <exception cref="ArgumentException">The options or the description do not fit the file (the message says how).</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static Task<TabularExperiment> LoadAsync(TabularData data, TabularExperimentOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        return System.Threading.Tasks.Task.Run(() => Load(data, options, cancellationToken), cancellationToken);
    }

    private static TabularExperiment Load(TabularData data, TabularExperimentOptions options, CancellationToken cancellationToken) =>
        FromTable(data, options, TabularLoader.Load(new MLContext(options.Seed), data, options.Target, cancellationToken));

    /// <summary>The experiment over a table already in memory (as <see cref="TabularLoader.Load"/> reads it), described by <paramref name="data"/>.</summary>
    /// <exception cref="ArgumentException">The options do not fit the table (the message says how).</exception>
    internal static TabularExperiment FromTable(TabularData data, TabularExperimentOptions options, LoadedTable loaded)
    {
        var ml = new MLContext(options.Seed);
        var targets = ((TextTableColumn)loaded.Table[options.Target]).Values.Select(v => v.ToString()).ToArray();
        var distinct = targets.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var task = options.Task ?? TaskInference.Infer(loaded.Target.Kind, distinct.Count);
        if (task != TabularTask.Regression && distinct.Count < 2)
        {
            throw new ArgumentException($"The target '{options.Target}' has {distinct.Count} class(es); classifying needs at least two.", nameof(options));
        }

        if (task == TabularTask.Binary && distinct.Count != 2)
        {
            throw new ArgumentException(
                $"A binary task needs exactly two classes; the target '{options.Target}' has {distinct.Count}.", nameof(options));
        }

        var table = loaded.Table;
        switch (task)
        {
            case TabularTask.Regression:
            {
                var values = new float[targets.Length];
                for (var row = 0; row < targets.Length; row++)
                {
                    if (!TabularValues.TryParseNumber(targets[row], out values[row]) || !float.IsFinite(values[row]))
                    {
                        throw new ArgumentException(
                            $"Row {row} of the loaded rows has target '{targets[row]}', which is not a number: a regression target must be numeric.",
                            nameof(options));
                    }
                }

                table = table.With(new SingleTableColumn(TabularPipeline.LabelColumn, values));
                return new TabularExperiment(data, options, loaded, table, task, [], TabularSplit.Bands(values), null);
            }

            case TabularTask.Binary:
            {
                var positive = options.PositiveClass ?? PositiveClass(distinct, targets);
                if (!distinct.Contains(positive, StringComparer.Ordinal))
                {
                    throw new ArgumentException(
                        $"The positive class '{positive}' is not a class of '{options.Target}' ({string.Join(", ", distinct)}).", nameof(options));
                }

                string[] classes = [distinct.First(c => c != positive), positive];
                var labels = targets.Select(t => t == positive).ToArray();
                table = table.With(new BooleanTableColumn(TabularPipeline.LabelColumn, labels));
                return new TabularExperiment(data, options, loaded, table, task, classes, labels.Select(l => l ? 1 : 0).ToArray(), null);
            }

            default:
            {
                var keys = new TabularTable([new TextTableColumn(options.Target, distinct.Select(c => c.AsMemory()).ToArray())], distinct.Count);
                var mapping = ml.Transforms.Conversion
                    .MapValueToKey(TabularPipeline.LabelColumn, options.Target, keyData: keys.View())
                    .Fit(table.View());
                var index = distinct.Select((c, i) => (c, i)).ToDictionary(x => x.c, x => x.i, StringComparer.Ordinal);
                return new TabularExperiment(data, options, loaded, table, task, distinct, targets.Select(t => index[t]).ToArray(), mapping);
            }
        }
    }

    private static string PositiveClass(IReadOnlyList<string> classes, IReadOnlyList<string> targets)
    {
        if (classes.Count(TabularValues.IsTrueWord) == 1)
        {
            return classes.First(TabularValues.IsTrueWord);
        }

        var counts = classes.Select(c => (Class: c, Count: targets.Count(t => t == c))).ToList();
        return counts.OrderBy(x => x.Count).ThenByDescending(x => x.Class, StringComparer.Ordinal).First().Class;
    }

    /// <summary>The rows <paramref name="rows"/> with the label column the learners train on.</summary>
    internal IDataView Labelled(IReadOnlyList<int> rows)
    {
        var view = Table.View(rows);
        return _labelMapping?.Transform(view) ?? view;
    }

    /// <summary>
    /// Rows <paramref name="rows"/> as the predict API receives them: every input column's value (a number, text, or
    /// null where it is missing) by column name; explanations and fairness figures predict them through a model.
    /// </summary>
    public IReadOnlyList<IReadOnlyDictionary<string, object?>> InputRows(IReadOnlyList<int> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var columns = InputColumns.Select(c => Table[c.Name]).ToList();
        var result = new List<IReadOnlyDictionary<string, object?>>(rows.Count);
        foreach (var row in rows)
        {
            var values = new Dictionary<string, object?>(columns.Count, StringComparer.Ordinal);
            foreach (var column in columns)
            {
                values[column.Name] = column switch
                {
                    SingleTableColumn numbers => float.IsNaN(numbers.Values[row]) ? null : (double)numbers.Values[row],
                    TextTableColumn texts => texts.Values[row].Length == 0 ? null : texts.Values[row].ToString(),
                    BooleanTableColumn flags => flags.Values[row] ? "true" : "false",
                    _ => null,
                };
            }

            result.Add(values);
        }

        return result;
    }

    /// <summary>Each row's target: its class as the file spells it, or (regression) its number as text.</summary>
    public IReadOnlyList<string> TargetTexts(IReadOnlyList<int> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var targets = (TextTableColumn)Table[Options.Target];
        return [.. rows.Select(r => targets.Values[r].ToString())];
    }

    /// <summary>Numbers per row of <see cref="Predictions"/>: one per class, or one value (regression).</summary>
    public int PredictionWidth => Task == TabularTask.Regression ? 1 : Classes.Count;

    /// <summary>
    /// A model's output as numbers, row-major, <see cref="PredictionWidth"/> per row: each class's probability (binary:
    /// 1 − p, p; multiclass: the scores normalised to sum 1), or the predicted value. What ensembles average.
    /// </summary>
    internal double[] Predictions(IDataView scored)
    {
        switch (Task)
        {
            case TabularTask.Regression:
                return [.. scored.GetColumn<float>("Score").Select(v => (double)v)];

            case TabularTask.Binary:
                return [.. scored.GetColumn<float>("Probability").SelectMany(p => new[] { 1 - (double)p, p })];

            default:
                return [.. scored.GetColumn<VBuffer<float>>("Score").SelectMany(v =>
                {
                    var row = v.DenseValues().Select(p => (double)p).ToArray();
                    var total = row.Sum();
                    return total > 0 && double.IsFinite(total) ? row.Select(p => p / total) : row.Select(_ => 1.0 / row.Length);
                })];
        }
    }

    /// <summary>The true class index (classification) or value (regression) of each of <paramref name="rows"/>.</summary>
    internal double[] Truth(IReadOnlyList<int> rows) => Task == TabularTask.Regression
        ? [.. rows.Select(r => (double)((SingleTableColumn)Table[TabularPipeline.LabelColumn]).Values[r])]
        : [.. rows.Select(r => (double)Strata[r])];

    /// <summary>Scores a model's output (from <see cref="Labelled"/> rows) against the labels.</summary>
    /// <param name="detailed">Also the ROC and precision–recall curves, or the residuals: for a model's test rows.</param>
    internal TabularEvaluation Evaluate(IDataView scored, bool detailed = false)
    {
        switch (Task)
        {
            case TabularTask.Regression:
                return TabularEvaluation.ForNumbers(
                    [.. scored.GetColumn<float>(TabularPipeline.LabelColumn).Select(v => (double)v)],
                    [.. scored.GetColumn<float>("Score").Select(v => (double)v)],
                    residuals: detailed);

            case TabularTask.Binary:
            {
                var truth = scored.GetColumn<bool>(TabularPipeline.LabelColumn).Select(b => b ? 1 : 0).ToList();
                var predicted = scored.GetColumn<bool>("PredictedLabel").Select(b => b ? 1 : 0).ToList();
                var probability = scored.GetColumn<float>("Probability").Select(p => (double)p).ToList();
                var score = scored.GetColumn<float>("Score").Select(s => (double)s).ToList();
                return TabularEvaluation.ForClasses(
                    Task, Classes, truth, predicted, probability.Select(p => new[] { 1 - p, p }).ToList(), score, curves: detailed);
            }

            default:
            {
                var truth = scored.GetColumn<uint>(TabularPipeline.LabelColumn).Select(k => (int)k - 1).ToList();
                var predicted = scored.GetColumn<uint>("PredictedLabel").Select(k => (int)k - 1).ToList();
                var probabilities = scored.GetColumn<VBuffer<float>>("Score").Select(v => v.DenseValues().Select(p => (double)p).ToArray()).ToList();
                return TabularEvaluation.ForClasses(Task, Classes, truth, predicted, probabilities, curves: detailed);
            }
        }
    }
}
