using System.Globalization;
using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace AutoDL.Learners.Tabular;

/// <summary>
/// One row's prediction: the class (classification, with every class's probability) or the number (regression).
/// </summary>
public sealed record TabularPrediction(string? Class, double? Value, IReadOnlyDictionary<string, double>? Probabilities);

/// <summary>What a saved model needs besides ML.NET's own zip content to turn its output back into classes and check its input.</summary>
internal sealed record TabularModelInfo(
    int Format, string Target, TabularTask Task, TabularMetric Metric, IReadOnlyList<string> Classes, IReadOnlyList<TabularColumn> Columns)
{
    public const int CurrentFormat = 1;

    /// <summary>The format of a model whose learner is a network (<see cref="TabularNetwork"/>'s entries beside the featurizer's).</summary>
    public const int NetworkFormat = 2;

    /// <summary>The zip entry holding this record, beside ML.NET's entries (ML.NET reads only its own).</summary>
    public const string EntryName = "AutoDL/tabular-model.json";

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
    };
}

/// <summary>
/// A fitted tabular model that predicts rows given as name → value dictionaries. Saved as an ML.NET model zip
/// (<c>MLContext.Model.Save</c> with the input schema of the feature columns) plus one JSON entry describing the
/// target, classes and column kinds; <see cref="LoadAsync"/> reads both back. The MLP's model is its featurizer's
/// ML.NET chain and its network (<see cref="TabularNetwork"/>: the architecture JSON, the weights and the target's
/// scale as three more entries of the same zip, format <see cref="TabularModelInfo.NetworkFormat"/>).
/// </summary>
public sealed class TabularPredictor : ITabularPredictor
{
    private readonly ITransformer _model;
    private readonly TabularModelInfo _info;
    private readonly DataViewSchema _inputSchema;
    private readonly TabularNetwork? _network;

    /// <param name="model">The whole ML.NET chain; with a <paramref name="network"/>, the featurizer that feeds it.</param>
    internal TabularPredictor(ITransformer model, TabularModelInfo info, TabularNetwork? network = null)
    {
        _model = model;
        _info = info;
        _network = network;
        var builder = new DataViewSchema.Builder();
        foreach (var column in info.Columns)
        {
            builder.AddColumn(column.Name, TabularValues.IsNumeric(column.Kind) ? NumberDataViewType.Single : TextDataViewType.Instance);
        }

        _inputSchema = builder.ToSchema();
    }

    public TabularTask Task => _info.Task;

    /// <summary>The fitted ML.NET chain (featurisation and learner), for exporting it; the featurizer alone when <see cref="Network"/> is not null.</summary>
    internal ITransformer Transformer => _model;

    /// <summary>The MLP's network after <see cref="Transformer"/>'s features; null for the ML.NET learners.</summary>
    internal TabularNetwork? Network => _network;

    /// <summary>The learner: <see cref="TabularLearners.Mlp"/> for a network, else null (one of ML.NET's, named by the trial's parameters).</summary>
    public string? Learner => _network is null ? null : TabularLearners.Mlp;

    /// <summary>The schema of the rows the chain reads: one column per input column, numbers as Single, the rest as text.</summary>
    internal DataViewSchema InputSchema => _inputSchema;

    /// <summary>The name of the column the model predicts.</summary>
    public string Target => _info.Target;

    /// <summary>The classes (binary: negative, then positive); empty for regression.</summary>
    public IReadOnlyList<string> Classes => _info.Classes;

    /// <summary>The columns every row must have (the model's features).</summary>
    public IReadOnlyList<TabularColumn> InputColumns => _info.Columns;

    /// <summary>
    /// Predicts each row. A row must have a key for every input column (other keys are ignored); a value may be null
    /// or a missing marker (empty, NA, …) for "missing". Numeric columns take numbers or numeric text; the others
    /// take text, numbers, booleans or dates.
    /// </summary>
    /// <exception cref="ArgumentException">A row lacks a column or has a value of the wrong type; the message names the row index and the column.</exception>
    public IReadOnlyList<TabularPrediction> Predict(IReadOnlyList<IReadOnlyDictionary<string, object?>> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (_network is not null)
        {
            return FromValues(TabularMlp.Predict(_model, _network, ToTable(rows).View()), rows.Count);
        }

        var scored = _model.Transform(ToTable(rows).View());
        switch (Task)
        {
            case TabularTask.Regression:
                return [.. scored.GetColumn<float>("Score").Select(v => new TabularPrediction(null, v, null))];

            case TabularTask.Binary:
            {
                var predicted = scored.GetColumn<bool>("PredictedLabel").ToList();
                var probability = scored.GetColumn<float>("Probability").ToList();
                return [.. predicted.Select((positive, i) => new TabularPrediction(
                    Classes[positive ? 1 : 0],
                    null,
                    new Dictionary<string, double>(StringComparer.Ordinal) { [Classes[0]] = 1 - probability[i], [Classes[1]] = probability[i] }))];
            }

            default:
            {
                var predicted = scored.GetColumn<uint>("PredictedLabel").ToList();
                var scores = scored.GetColumn<VBuffer<float>>("Score").Select(v => v.DenseValues().ToArray()).ToList();
                return [.. predicted.Select((key, i) =>
                {
                    var total = scores[i].Sum();
                    var probabilities = Classes.Select((c, k) => (c, p: total > 0 ? scores[i][k] / (double)total : 0))
                        .ToDictionary(x => x.c, x => x.p, StringComparer.Ordinal);
                    return new TabularPrediction(key == 0 ? null : Classes[(int)key - 1], null, probabilities);
                })];
            }
        }
    }

    /// <summary>Predictions laid out as <see cref="TabularExperiment.Predictions"/>'s: the most probable class (ties to the earlier), or the value.</summary>
    private TabularPrediction[] FromValues(double[] values, int count)
    {
        var result = new TabularPrediction[count];
        if (Task == TabularTask.Regression)
        {
            for (var i = 0; i < count; i++)
            {
                result[i] = new TabularPrediction(null, values[i], null);
            }

            return result;
        }

        var width = Classes.Count;
        for (var i = 0; i < count; i++)
        {
            var best = 0;
            var probabilities = new Dictionary<string, double>(StringComparer.Ordinal);
            for (var k = 0; k < width; k++)
            {
                probabilities[Classes[k]] = values[i * width + k];
                if (values[i * width + k] > values[i * width + best])
                {
                    best = k;
                }
            }

            result[i] = new TabularPrediction(Classes[best], null, probabilities);
        }

        return result;
    }

    /// <summary>Writes the ML.NET model zip, with the input schema of the feature columns and the AutoDL description entry (and the network's, if any).</summary>
    public Task SaveAsync(string path, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return System.Threading.Tasks.Task.Run(
            () =>
            {
                var ml = new MLContext();
                ml.Model.Save(_model, _inputSchema, path);
                cancellationToken.ThrowIfCancellationRequested();
                using var zip = ZipFile.Open(path, ZipArchiveMode.Update);
                var entry = zip.CreateEntry(TabularModelInfo.EntryName);
                using (var stream = entry.Open())
                {
                    JsonSerializer.Serialize(stream, _network is null ? _info : _info with { Format = TabularModelInfo.NetworkFormat }, TabularModelInfo.Json);
                }

                _network?.Write(zip);
            },
            cancellationToken);
    }

    /// <exception cref="InvalidDataException">The file is not a tabular model saved by AutoDL.</exception>
    public static Task<TabularPredictor> LoadAsync(string path, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return System.Threading.Tasks.Task.Run(
            () =>
            {
                TabularModelInfo info;
                TabularNetwork? network = null;
                using (var zip = ZipFile.OpenRead(path))
                {
                    var entry = zip.GetEntry(TabularModelInfo.EntryName)
                        ?? throw new InvalidDataException($"'{path}' is not a tabular model saved by AutoDL: it has no {TabularModelInfo.EntryName}.");
                    using (var stream = entry.Open())
                    {
                        info = JsonSerializer.Deserialize<TabularModelInfo>(stream, TabularModelInfo.Json)
                            ?? throw new InvalidDataException($"'{path}' has an empty {TabularModelInfo.EntryName}.");
                    }

                    if (info.Format is not (TabularModelInfo.CurrentFormat or TabularModelInfo.NetworkFormat))
                    {
                        throw new InvalidDataException(
                            $"'{path}' is a tabular model of format {info.Format}; this version reads formats {TabularModelInfo.CurrentFormat} and {TabularModelInfo.NetworkFormat}.");
                    }

                    if (info.Format == TabularModelInfo.NetworkFormat)
                    {
                        network = TabularNetwork.Read(zip, path, info.Task)
                            ?? throw new InvalidDataException($"'{path}' is an MLP model without its {TabularNetwork.InfoEntry}.");
                    }

                    info = info with { Format = TabularModelInfo.CurrentFormat };
                }

                cancellationToken.ThrowIfCancellationRequested();
                var ml = new MLContext();
                // The date featuriser is a custom mapping: ML.NET finds it by contract name among registered assemblies.
                ml.ComponentCatalog.RegisterAssembly(typeof(DateTimePartsMapping).Assembly);
                var model = ml.Model.Load(path, out _);
                return new TabularPredictor(model, info, network);
            },
            cancellationToken);
    }

    /// <summary>The rows as the ML.NET view the chain reads (checked as <see cref="Predict"/> checks them).</summary>
    /// <exception cref="ArgumentException">A row lacks a column or has a value of the wrong type.</exception>
    internal IDataView View(IReadOnlyList<IReadOnlyDictionary<string, object?>> rows) => ToTable(rows).View();

    private TabularTable ToTable(IReadOnlyList<IReadOnlyDictionary<string, object?>> rows)
    {
        var columns = new List<TableColumn>(_info.Columns.Count);
        foreach (var column in _info.Columns)
        {
            if (TabularValues.IsNumeric(column.Kind))
            {
                var values = new float[rows.Count];
                for (var i = 0; i < rows.Count; i++)
                {
                    values[i] = Number(Cell(rows, i, column), i, column);
                }

                columns.Add(new SingleTableColumn(column.Name, values));
            }
            else
            {
                var values = new ReadOnlyMemory<char>[rows.Count];
                for (var i = 0; i < rows.Count; i++)
                {
                    values[i] = TabularValues.NormalizeText(column.Kind, Text(Cell(rows, i, column), i, column)).AsMemory();
                }

                columns.Add(new TextTableColumn(column.Name, values));
            }
        }

        return new TabularTable(columns, rows.Count);
    }

    private object? Cell(IReadOnlyList<IReadOnlyDictionary<string, object?>> rows, int index, TabularColumn column)
    {
        var row = rows[index] ?? throw new ArgumentException($"Row {index} is null.", nameof(rows));
        return row.TryGetValue(column.Name, out var value)
            ? value
            : throw new ArgumentException(
                $"Row {index} has no value for column '{column.Name}', which the model needs (it reads {string.Join(", ", _info.Columns.Select(c => $"'{c.Name}'"))}); "
                + "give null for a missing value.",
                nameof(rows));
    }

    private static float Number(object? value, int row, TabularColumn column) => value switch
    {
        null => float.NaN,
        float f => f,
        double d => (float)d,
        int or long or short or byte or sbyte or uint or ulong or ushort or decimal => Convert.ToSingle(value, CultureInfo.InvariantCulture),
        string s when TabularValues.TryParseNumber(s, out var parsed) => parsed,
        JsonElement { ValueKind: JsonValueKind.Number } json => (float)json.GetDouble(),
        JsonElement { ValueKind: JsonValueKind.Null } => float.NaN,
        JsonElement { ValueKind: JsonValueKind.String } json when TabularValues.TryParseNumber(json.GetString()!, out var parsed) => parsed,
        _ => throw new ArgumentException(
            $"Row {row}, column '{column.Name}' ({column.Kind}): expected a number, got {Describe(value)}.", nameof(value)),
    };

    private static string Text(object? value, int row, TabularColumn column) => value switch
    {
        null => string.Empty,
        string s => s,
        bool b => b ? "true" : "false",
        DateTime d => d.ToString("o", CultureInfo.InvariantCulture),
        DateTimeOffset d => d.ToString("o", CultureInfo.InvariantCulture),
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        float or double or decimal or int or long or short or byte or sbyte or uint or ulong or ushort => Convert.ToString(value, CultureInfo.InvariantCulture)!,
        JsonElement { ValueKind: JsonValueKind.String } json => json.GetString()!,
        JsonElement { ValueKind: JsonValueKind.Null } => string.Empty,
        JsonElement { ValueKind: JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False } json => json.GetRawText(),
        _ => throw new ArgumentException(
            $"Row {row}, column '{column.Name}' ({column.Kind}): expected text, got {Describe(value)}.", nameof(value)),
    };

    private static string Describe(object value) => value switch
    {
        string s => $"the text '{s}'",
        _ => $"{value} ({value.GetType().Name})",
    };
}
