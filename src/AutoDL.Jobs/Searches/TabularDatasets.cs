using AutoDL.Core.Datasets;
using AutoDL.Data.Datasets;
using AutoDL.Learners.Tabular;

namespace AutoDL.Jobs.Searches;

/// <summary>A stored tabular dataset as the learners read it: its file, format and column kinds, from the stored schema.</summary>
public static class TabularDatasets
{
    public static TabularColumnKind Kind(ColumnType type) => type switch
    {
        ColumnType.Numeric => TabularColumnKind.Numeric,
        ColumnType.Integer => TabularColumnKind.Integer,
        ColumnType.Categorical => TabularColumnKind.Categorical,
        ColumnType.Boolean => TabularColumnKind.Boolean,
        ColumnType.Datetime => TabularColumnKind.DateTime,
        ColumnType.Text => TabularColumnKind.Text,
        ColumnType.Identifier => TabularColumnKind.Identifier,
        _ => TabularColumnKind.Constant,
    };

    /// <summary>The API's name of a column kind (the dataset column types': <c>numeric</c>, <c>datetime</c>, ...).</summary>
    public static string ApiName(TabularColumnKind kind) => kind switch
    {
        TabularColumnKind.Numeric => "numeric",
        TabularColumnKind.Integer => "integer",
        TabularColumnKind.Boolean => "boolean",
        TabularColumnKind.Categorical => "categorical",
        TabularColumnKind.Text => "text",
        TabularColumnKind.DateTime => "datetime",
        TabularColumnKind.Identifier => "identifier",
        _ => "constant",
    };

    public static bool IsFeature(ColumnType type) => type is not (ColumnType.Identifier or ColumnType.Constant);

    /// <exception cref="InvalidOperationException">The dataset is not tabular.</exception>
    public static TabularData Data(DatasetRow dataset, string dataRoot) => Data(dataset.TabularSchema(), dataset.TrainingPath(dataRoot));

    /// <summary>The file at <paramref name="path"/> (UTF-8) read as <paramref name="schema"/> describes it: every column, by position.</summary>
    public static TabularData Data(DatasetSchema schema, string path) => new(
        path,
        schema.Format.Delimiter,
        schema.Format.HasHeader,
        schema.Columns.Select(c => new TabularColumn(c.Name, Kind(c.Type))).ToList())
    {
        ColumnsInFileOrder = true,
    };
}
