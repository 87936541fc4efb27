using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;

namespace AutoDL.Data.Tokens;

/// <summary>A token as its owner sees it in a list: never the secret.</summary>
public sealed record ApiTokenInfo(string Id, string Name, string Prefix, DateTimeOffset CreatedAt, DateTimeOffset? LastUsedAt);

/// <summary>A freshly created token: <see cref="Secret"/> is shown to the user once and never stored.</summary>
public sealed record CreatedApiToken(ApiTokenInfo Token, string Secret);

/// <summary>Creates, lists, revokes and verifies personal API tokens, stored hashed.</summary>
public sealed class ApiTokenStore(AppDbContext db, TimeProvider clock)
{
    /// <summary>Every token starts with this, so leaked tokens are easy to recognise and scan for.</summary>
    public const string SecretPrefix = "adl_";

    /// <summary>At most this many characters of the secret are kept in clear, to tell tokens apart.</summary>
    private const int VisiblePrefixLength = 10;

    /// <summary>The shortest secret accepted from configuration (the bootstrap token).</summary>
    public const int MinimumSecretLength = 16;

    public async Task<CreatedApiToken> CreateAsync(string userId, string name, CancellationToken cancellationToken)
    {
        var secret = SecretPrefix + Base64Url(RandomNumberGenerator.GetBytes(32));
        var info = await AddAsync(userId, name, secret, cancellationToken);
        return new CreatedApiToken(info, secret);
    }

    /// <summary>Stores a secret chosen elsewhere (the bootstrap token from configuration), unless it is stored already.</summary>
    public async Task<ApiTokenInfo> ImportAsync(string userId, string name, string secret, CancellationToken cancellationToken)
    {
        if (secret.Length < MinimumSecretLength)
        {
            throw new ArgumentException($"An API token must be at least {MinimumSecretLength} characters long.", nameof(secret));
        }

        var hash = Hash(secret);
        var existing = await db.ApiTokens.AsNoTracking().FirstOrDefaultAsync(t => t.Hash == hash, cancellationToken);
        if (existing is not null)
        {
            if (existing.UserId != userId)
            {
                throw new InvalidOperationException("That API token already belongs to another user.");
            }

            return ToInfo(existing);
        }

        return await AddAsync(userId, name, secret, cancellationToken);
    }

    public async Task<IReadOnlyList<ApiTokenInfo>> ListAsync(string userId, CancellationToken cancellationToken)
    {
        var tokens = await db.ApiTokens.AsNoTracking().Where(t => t.UserId == userId).ToListAsync(cancellationToken);
        return tokens.OrderByDescending(t => t.CreatedAt).Select(ToInfo).ToList();
    }

    /// <returns>false when the user has no token with that id.</returns>
    public async Task<bool> RevokeAsync(string userId, string tokenId, CancellationToken cancellationToken)
    {
        var deleted = await db.ApiTokens.Where(t => t.UserId == userId && t.Id == tokenId).ExecuteDeleteAsync(cancellationToken);
        return deleted > 0;
    }

    /// <summary>The id of the user the secret belongs to, or null when it matches no token.</summary>
    public async Task<string?> FindUserIdAsync(string secret, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(secret))
        {
            return null;
        }

        var hash = Hash(secret);
        var token = await db.ApiTokens.FirstOrDefaultAsync(t => t.Hash == hash, cancellationToken);
        if (token is null)
        {
            return null;
        }

        var now = clock.GetUtcNow();
        // Write "last used" at most once a minute, so a busy script does not turn every call into a write.
        if (token.LastUsedAt is null || now - token.LastUsedAt.Value > TimeSpan.FromMinutes(1))
        {
            token.LastUsedAt = now;
            await db.SaveChangesAsync(cancellationToken);
        }

        return token.UserId;
    }

    private async Task<ApiTokenInfo> AddAsync(string userId, string name, string secret, CancellationToken cancellationToken)
    {
        name = name.Trim();
        if (name.Length is 0 or > ApiToken.MaxNameLength)
        {
            throw new ArgumentException($"A token name must be 1 to {ApiToken.MaxNameLength} characters long.", nameof(name));
        }

        var token = new ApiToken
        {
            Id = Guid.NewGuid().ToString("N"),
            UserId = userId,
            Name = name,
            Hash = Hash(secret),
            // Never more than a quarter of the secret: a short configured token must not be mostly on show.
            Prefix = secret[..Math.Min(VisiblePrefixLength, secret.Length / 4)],
            CreatedAt = clock.GetUtcNow(),
        };
        db.ApiTokens.Add(token);
        await db.SaveChangesAsync(cancellationToken);
        return ToInfo(token);
    }

    /// <summary>Tokens are 256 random bits, so one unsalted SHA-256 is the right hash: fast to check, infeasible to invert.</summary>
    public static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    private static ApiTokenInfo ToInfo(ApiToken t) => new(t.Id, t.Name, t.Prefix, t.CreatedAt, t.LastUsedAt);

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
