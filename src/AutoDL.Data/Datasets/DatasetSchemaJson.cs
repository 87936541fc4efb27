using System.Text.Json;
using System.Text.Json.Serialization;
using AutoDL.Core.Datasets;
using AutoDL.Core.Datasets.Images;

namespace AutoDL.Data.Datasets;

/// <summary>How <see cref="DatasetRow.SchemaJson"/> stores what reading a CSV found: the <see cref="DatasetSchema"/> itself, camelCase, enums by name.</summary>
public static class DatasetSchemaJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
    };

    public static string Write(DatasetSchema schema) => JsonSerializer.Serialize(schema, Options);

    public static string Write(ImageDatasetSchema schema) => JsonSerializer.Serialize(schema, Options);

    /// <summary>The schema of an image-folder dataset: classes, sizes, skipped files, thumbnails.</summary>
    /// <exception cref="InvalidOperationException">The row is not an image dataset.</exception>
    public static ImageDatasetSchema ImageSchema(this DatasetRow dataset) =>
        dataset.Kind == DatasetKind.Images
            ? JsonSerializer.Deserialize<ImageDatasetSchema>(dataset.SchemaJson, Options)
              ?? throw new InvalidOperationException($"Dataset {dataset.Id} has no schema.")
            : throw new InvalidOperationException($"Dataset '{dataset.Name}' is a {dataset.Kind} dataset, not images.");

    /// <summary>camelCase, enums by their own (camelCase) names: the profile JSON the API serves as stored.</summary>
    public static readonly JsonSerializerOptions ProfileOptions = new(JsonSerializerDefaults.Web);

    public static string Write(DatasetProfile profile) => JsonSerializer.Serialize(profile, ProfileOptions);

    /// <summary>The stored profile of a tabular dataset, or null when it has none.</summary>
    public static DatasetProfile? Profile(this DatasetRow dataset) =>
        dataset.ProfileJson is null || dataset.Kind != DatasetKind.Tabular
            ? null
            : JsonSerializer.Deserialize<DatasetProfile>(dataset.ProfileJson, ProfileOptions);

    /// <summary>Where an image dataset's thumbnails are, relative to the data folder (<c>datasets/{sha256}.thumbs</c>).</summary>
    public static string ThumbnailFolder(string sha256) => $"datasets/{sha256}.thumbs";

    /// <summary>The schema of a tabular dataset.</summary>
    /// <exception cref="InvalidOperationException">The row is not a tabular dataset.</exception>
    public static DatasetSchema TabularSchema(this DatasetRow dataset) =>
        dataset.Kind == DatasetKind.Tabular
            ? JsonSerializer.Deserialize<DatasetSchema>(dataset.SchemaJson, Options)
              ?? throw new InvalidOperationException($"Dataset {dataset.Id} has no schema.")
            : throw new InvalidOperationException($"Dataset '{dataset.Name}' is a {dataset.Kind} dataset, not a table.");

    /// <summary>
    /// The file the learners read (as UTF-8): the stored file itself, or for a table stored in another encoding
    /// (UTF-16, Latin-1) the UTF-8 copy made at upload, <c>datasets/{sha256}.utf8.csv</c>.
    /// </summary>
    public static string TrainingPath(this DatasetRow dataset, string dataRoot) =>
        dataset.TabularSchema().Format.Encoding == CsvEncoding.Utf8 ? dataset.FullPath(dataRoot) : Utf8CopyPath(dataset.Sha256, dataRoot);

    public static string Utf8CopyPath(string sha256, string dataRoot) => Path.Combine(dataRoot, "datasets", $"{sha256}.utf8.csv");

    /// <summary>The stored file's absolute path under <paramref name="dataRoot"/>.</summary>
    public static string FullPath(this DatasetRow dataset, string dataRoot) =>
        Path.Combine(dataRoot, dataset.StoredPath.Replace('/', Path.DirectorySeparatorChar));
}
