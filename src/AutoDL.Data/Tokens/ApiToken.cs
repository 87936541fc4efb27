namespace AutoDL.Data.Tokens;

/// <summary>
/// A personal API token. Only the SHA-256 of the secret is stored; the secret itself is shown once,
/// when the token is created. <see cref="Prefix"/> is the token's first characters, kept so a user can tell tokens apart.
/// </summary>
public sealed class ApiToken
{
    public const int MaxNameLength = 100;

    public required string Id { get; init; }
    public required string UserId { get; init; }
    public required string Name { get; init; }
    public required string Hash { get; init; }
    public required string Prefix { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? LastUsedAt { get; set; }
}
