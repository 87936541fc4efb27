using AutoDL.Data.Identity;
using AutoDL.Data.Tokens;
using Microsoft.EntityFrameworkCore;

namespace AutoDL.Data.Tests;

public sealed class ApiTokenStoreTests : IAsyncLifetime
{
    private SqliteDatabase _database = default!;
    private AppDbContext _db = default!;
    private ApiTokenStore _store = default!;
    private const string UserId = "user-1";

    public async Task InitializeAsync()
    {
        _database = await SqliteDatabase.CreateAsync();
        _db = _database.NewContext();
        _db.Users.Add(new AppUser { Id = UserId, UserName = "ana@example.com", Email = "ana@example.com" });
        _db.Users.Add(new AppUser { Id = "user-2", UserName = "bo@example.com", Email = "bo@example.com" });
        await _db.SaveChangesAsync();
        _store = new ApiTokenStore(_db, TimeProvider.System);
    }

    public async Task DisposeAsync()
    {
        await _db.DisposeAsync();
        await _database.DisposeAsync();
    }

    [Fact]
    public async Task ACreatedTokenFindsItsUser()
    {
        var created = await _store.CreateAsync(UserId, "script", CancellationToken.None);

        Assert.StartsWith(ApiTokenStore.SecretPrefix, created.Secret);
        Assert.Equal(UserId, await _store.FindUserIdAsync(created.Secret, CancellationToken.None));
    }

    [Fact]
    public async Task OnlyTheHashOfTheSecretIsStored()
    {
        var created = await _store.CreateAsync(UserId, "script", CancellationToken.None);

        await using var db = _database.NewContext();
        var stored = await db.ApiTokens.SingleAsync();
        Assert.Equal(ApiTokenStore.Hash(created.Secret), stored.Hash);
        Assert.DoesNotContain(created.Secret, stored.Hash);
        Assert.True(created.Secret.Length > stored.Prefix.Length);
        Assert.StartsWith(stored.Prefix, created.Secret);
    }

    [Fact]
    public async Task UnknownAndEmptySecretsFindNoUser()
    {
        await _store.CreateAsync(UserId, "script", CancellationToken.None);

        Assert.Null(await _store.FindUserIdAsync("adl_not-a-real-token", CancellationToken.None));
        Assert.Null(await _store.FindUserIdAsync("", CancellationToken.None));
    }

    [Fact]
    public async Task ARevokedTokenNoLongerAuthenticates()
    {
        var created = await _store.CreateAsync(UserId, "script", CancellationToken.None);

        Assert.True(await _store.RevokeAsync(UserId, created.Token.Id, CancellationToken.None));
        Assert.Null(await _store.FindUserIdAsync(created.Secret, CancellationToken.None));
        Assert.Empty(await _store.ListAsync(UserId, CancellationToken.None));
    }

    [Fact]
    public async Task AUserCannotRevokeAnotherUsersToken()
    {
        var created = await _store.CreateAsync(UserId, "script", CancellationToken.None);

        Assert.False(await _store.RevokeAsync("user-2", created.Token.Id, CancellationToken.None));
        Assert.Equal(UserId, await _store.FindUserIdAsync(created.Secret, CancellationToken.None));
    }

    [Fact]
    public async Task ListingShowsOnlyTheUsersOwnTokensNewestFirst()
    {
        var clock = new SteppingClock();
        var store = new ApiTokenStore(_db, clock);
        await store.CreateAsync(UserId, "first", CancellationToken.None);
        await store.CreateAsync(UserId, "second", CancellationToken.None);
        await store.CreateAsync("user-2", "someone else's", CancellationToken.None);

        var names = (await store.ListAsync(UserId, CancellationToken.None)).Select(t => t.Name);

        Assert.Equal(["second", "first"], names);
    }

    [Fact]
    public async Task ImportingTheSameSecretTwiceStoresOneToken()
    {
        const string secret = "configured-bootstrap-token-123";

        var first = await _store.ImportAsync(UserId, "bootstrap", secret, CancellationToken.None);
        var second = await _store.ImportAsync(UserId, "bootstrap", secret, CancellationToken.None);

        Assert.Equal(first.Id, second.Id);
        Assert.Single(await _store.ListAsync(UserId, CancellationToken.None));
        Assert.Equal(UserId, await _store.FindUserIdAsync(secret, CancellationToken.None));
    }

    [Fact]
    public async Task ImportingAnotherUsersSecretIsRefused()
    {
        const string secret = "configured-bootstrap-token-123";
        await _store.ImportAsync(UserId, "bootstrap", secret, CancellationToken.None);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(
            () => _store.ImportAsync("user-2", "bootstrap", secret, CancellationToken.None));
        Assert.Contains("another user", error.Message);
    }

    [Fact]
    public async Task AShortImportedSecretIsRefusedWithItsMinimumLength()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(
            () => _store.ImportAsync(UserId, "bootstrap", "short", CancellationToken.None));
        Assert.Contains($"at least {ApiTokenStore.MinimumSecretLength} characters", error.Message);
    }

    [Fact]
    public async Task AShortImportedSecretShowsNoMoreThanAQuarterOfItself()
    {
        var imported = await _store.ImportAsync(UserId, "bootstrap", "0123456789abcdef", CancellationToken.None);

        Assert.Equal("0123", imported.Prefix);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public async Task ATokenNeedsAName(string name)
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => _store.CreateAsync(UserId, name, CancellationToken.None));
        Assert.Contains("token name", error.Message);
    }

    [Fact]
    public async Task UsingATokenRecordsWhenItWasLastUsed()
    {
        var clock = new SteppingClock();
        var store = new ApiTokenStore(_db, clock);
        var created = await store.CreateAsync(UserId, "script", CancellationToken.None);
        Assert.Null(created.Token.LastUsedAt);

        await store.FindUserIdAsync(created.Secret, CancellationToken.None);

        var listed = Assert.Single(await store.ListAsync(UserId, CancellationToken.None));
        Assert.NotNull(listed.LastUsedAt);
    }

    /// <summary>A clock that moves one minute forward each time it is read, so creation order is unambiguous.</summary>
    private sealed class SteppingClock : TimeProvider
    {
        private DateTimeOffset _now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => _now = _now.AddMinutes(1);
    }
}
