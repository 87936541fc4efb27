using System.Text.Json;

namespace AutoDL.Learners;

/// <summary>
/// What exporting a model to ONNX came to, for tabular pipelines (<see cref="Tabular.TabularOnnx"/>) and networks
/// (<see cref="Neural.NeuralOnnx"/>) alike. Available: the file was written, and ONNX Runtime's outputs on
/// <see cref="Rows"/> rows (or images) matched the model's own within the exporter's tolerance (largest difference
/// <see cref="MaxAbsDifference"/>). Otherwise <see cref="Reason"/> says why not, and no file exists. Kept beside the
/// model as JSON: <c>{ available, maxAbsDifference, rows, reason }</c>.
/// </summary>
public sealed record OnnxCheck(bool Available, double? MaxAbsDifference, int Rows, string? Reason)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static OnnxCheck Unavailable(string reason, double? maxAbsDifference = null, int rows = 0) => new(false, maxAbsDifference, rows, reason);

    /// <summary>Writes <paramref name="check"/> as JSON, whole (through a temporary name).</summary>
    public static async Task WriteAsync(OnnxCheck check, string path, CancellationToken cancellationToken)
    {
        var temporary = path + ".tmp";
        await using (var stream = File.Create(temporary))
        {
            await JsonSerializer.SerializeAsync(stream, check, Json, cancellationToken);
        }

        File.Move(temporary, path, overwrite: true);
    }

    /// <returns>The check written by <see cref="WriteAsync"/>; null when there is none or it does not read.</returns>
    public static async Task<OnnxCheck?> ReadAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            await using var stream = File.OpenRead(path);
            return await JsonSerializer.DeserializeAsync<OnnxCheck>(stream, Json, cancellationToken);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or JsonException)
        {
            return null;
        }
    }
}
