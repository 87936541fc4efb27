using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace AutoDL.Jobs.Reports;

/// <summary>The report's canonical JSON (camelCase, properties in declaration order, no indentation) and its SHA-256.</summary>
public static class ReportJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        WriteIndented = false,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>The bytes stored as <c>reports/{id}.json</c> and downloaded with <c>?format=json</c>: hashing them gives the report's SHA-256.</summary>
    public static byte[] Canonical(ReportDocument document) => JsonSerializer.SerializeToUtf8Bytes(document, Options);

    public static string Sha256(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    public static ReportDocument Read(ReadOnlySpan<byte> bytes) =>
        JsonSerializer.Deserialize<ReportDocument>(bytes, Options) ?? throw new JsonException("The report file holds no report.");

    internal static string Text(byte[] bytes) => Encoding.UTF8.GetString(bytes);
}
