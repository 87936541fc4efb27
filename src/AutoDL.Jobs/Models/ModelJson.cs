using System.Text.Json;
using System.Text.Json.Serialization;
using AutoDL.Learners;
using AutoDL.Learners.Tabular;
using AutoDL.Jobs.Searches;

namespace AutoDL.Jobs.Models;

/// <summary>One input column of a model, as stored in <c>ModelRow.InputSchemaJson</c> and shown by the API.</summary>
public sealed record ModelInputColumn(string Name, string Type);

/// <summary>
/// Which rows a model's deployed file was fitted on (<c>fittedOn</c>: <see cref="ModelJson.AllRows"/> or
/// <see cref="ModelJson.TrainingRows"/>, and how many: <c>rows</c>), and where its test figures come from: a model
/// fitted on <c>trainingRows</c> and tested once on <c>testRows</c>. Image models also count the training images held
/// out to choose the epoch (<c>validationRows</c>). Stored as <c>ModelRow.FitJson</c> and shown by the API as <c>fit</c>.
/// </summary>
public sealed record ModelFitView(
    string FittedOn, int Rows, int TrainingRows, int TestRows,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? ValidationRows = null)
{
    /// <summary>Whether the deployed model saw every row, test rows included.</summary>
    [JsonIgnore]
    public bool OnAllRows => FittedOn == ModelJson.AllRows;
}

/// <summary>How models' metrics, parameters and input schemas are written to the database.</summary>
public static class ModelJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
        // Metrics may be undefined on a test set (R² of a constant truth): keep NaN as "NaN".
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static string Metrics(TabularEvaluation evaluation) => JsonSerializer.Serialize(evaluation, Options);

    public static string InputSchema(IEnumerable<TabularColumn> columns) =>
        JsonSerializer.Serialize(columns.Select(c => new ModelInputColumn(c.Name, TabularDatasets.ApiName(c.Kind))).ToList(), Options);

    /// <summary>A stored JSON column as an element (null for null).</summary>
    public static JsonElement? Element(string? json)
    {
        if (json is null)
        {
            return null;
        }

        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    /// <summary>A stored <c>InputSchemaJson</c> (null for null).</summary>
    public static List<ModelInputColumn>? ReadInputSchema(string? json) =>
        json is null ? null : JsonSerializer.Deserialize<List<ModelInputColumn>>(json, Options);

    /// <summary>The API's name of a model deployed on every row.</summary>
    public const string AllRows = "all-rows";

    /// <summary>The API's name of a model deployed as fitted on the training rows.</summary>
    public const string TrainingRows = "training-rows";

    public static ModelFitView View(ModelFit fit) => new(
        fit.FittedOn == FittedOn.AllRows ? AllRows : TrainingRows, fit.Rows, fit.TrainingRows, fit.TestRows, fit.ValidationRows);

    public static string Fit(ModelFit fit) => JsonSerializer.Serialize(View(fit), Options);

    /// <summary>A stored <c>FitJson</c>; null when none was recorded or it does not read.</summary>
    public static ModelFitView? ReadFit(string? json)
    {
        if (json is null)
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<ModelFitView>(json, Options);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public static string Parameters(IReadOnlyDictionary<string, object> parameters) => JsonSerializer.Serialize(parameters, Options);
}
