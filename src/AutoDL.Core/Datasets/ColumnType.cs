using System.Text.Json.Serialization;

namespace AutoDL.Core.Datasets;

/// <summary>What a column holds, as far as reading every value tells.</summary>
[JsonConverter(typeof(CamelCaseEnumConverter<ColumnType>))]
public enum ColumnType
{
    /// <summary>Numbers with decimals (or too large for a 64-bit integer).</summary>
    Numeric,

    /// <summary>Whole numbers.</summary>
    Integer,

    /// <summary>A small set of repeated labels.</summary>
    Categorical,

    /// <summary>Only <c>true false yes no 0 1 y n t f</c>, in any case.</summary>
    Boolean,

    /// <summary>ISO-like dates or dates with times (<c>2024-03-31</c>, <c>2024-03-31T12:00:00Z</c>, <c>2024/03/31</c>).</summary>
    Datetime,

    /// <summary>Free text: many different or long values.</summary>
    Text,

    /// <summary>A different value in every row (a key such as a customer number): nothing to learn from.</summary>
    Identifier,

    /// <summary>At most one distinct value besides missing ones: nothing to learn from.</summary>
    Constant,
}

public static class ColumnTypeNames
{
    /// <summary>The name the REST API uses: <c>numeric</c>, <c>integer</c>, ... <c>constant</c>.</summary>
    public static string ApiName(this ColumnType type) => type switch
    {
        ColumnType.Numeric => "numeric",
        ColumnType.Integer => "integer",
        ColumnType.Categorical => "categorical",
        ColumnType.Boolean => "boolean",
        ColumnType.Datetime => "datetime",
        ColumnType.Text => "text",
        ColumnType.Identifier => "identifier",
        ColumnType.Constant => "constant",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };
}
