using System.Text.Json;
using System.Text.Json.Serialization;
using AutoDL.Learners.Tabular;
using AutoDL.Jobs.Searches;

namespace AutoDL.Jobs.Models;

/// <summary>One input column of a model, as stored in <c>ModelRow.InputSchemaJson</c> and shown by the API.</summary>
public sealed record ModelInputColumn(string Name, string Type);

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

    public static string Parameters(IReadOnlyDictionary<string, object> parameters) => JsonSerializer.Serialize(parameters, Options);
}
