using Microsoft.EntityFrameworkCore;
using AutoDL.Core.Search;
using AutoDL.Data.Search;
using AutoDL.Data.Tokens;
using Microsoft.Extensions.DependencyInjection;

namespace AutoDL.Data.Tests.PostgreSql;

/// <summary>The PostgreSQL migrations (<c>migrations/PostgreSql</c>, assembly AutoDL.Data.PostgreSql) on a real server.</summary>
[Collection(PostgreSqlCollection.Name)]
public sealed class PostgreSqlMigrationTests(PostgreSqlServer server)
{
    [Fact]
    public void TheModelHasNoChangesMissingFromThePostgreSqlMigrations()
    {
        // Comparing the model with the last migration's snapshot needs no server.
        using var db = new AppDbContext(new DbContextOptionsBuilder<AppDbContext>().UseAutoDLPostgreSql("Host=unused").Options);

        Assert.False(db.Database.HasPendingModelChanges(),
            "The model differs from the last PostgreSQL migration: run scripts/add-migration.sh <Name>.");
    }

    [Fact]
    public void TheSqliteAndPostgreSqlMigrationsAreKeptInStep()
    {
        using var sqlite = new AppDbContext(new DbContextOptionsBuilder<AppDbContext>().UseSqlite("Data Source=:memory:").Options);
        using var postgres = new AppDbContext(new DbContextOptionsBuilder<AppDbContext>().UseAutoDLPostgreSql("Host=unused").Options);

        // PostgreSQL started with one migration of the whole schema; every later one is added to both (scripts/add-migration.sh).
        var sqliteNames = sqlite.Database.GetMigrations().Select(Name).ToList();
        var postgresNames = postgres.Database.GetMigrations().Select(Name).ToList();
        Assert.Equal("InitialSchema", postgresNames[0]);
        Assert.Equal(sqliteNames.SkipWhile(n => n != "AddSearchSettingsAndModels").Skip(1), postgresNames.Skip(1));
    }

    [Fact]
    public async Task MigrationsCreateEveryTableOnAnEmptyDatabase()
    {
        var connection = await server.CreateDatabaseAsync(nameof(MigrationsCreateEveryTableOnAnEmptyDatabase));
        await using var db = new AppDbContext(new DbContextOptionsBuilder<AppDbContext>().UseAutoDLPostgreSql(connection).Options);

        await db.Database.MigrateAsync();

        Assert.Empty(await db.Database.GetPendingMigrationsAsync());
        Assert.Equal(0, await db.Users.CountAsync());
        Assert.Equal(0, await db.ApiTokens.CountAsync());
        Assert.Equal(0, await db.Datasets.CountAsync());
        Assert.Equal(0, await db.SearchRows.CountAsync());
        Assert.Equal(0, await db.TrialRows.CountAsync());
        Assert.Equal(0, await db.Models.CountAsync());
    }

    [Fact]
    public async Task TheDatabaseIsCreatedWhenMissing()
    {
        var existing = new Npgsql.NpgsqlConnectionStringBuilder(await server.CreateDatabaseAsync("unused"));
        var missing = new Npgsql.NpgsqlConnectionStringBuilder(existing.ConnectionString) { Database = "autodl_created_by_migrate" }.ConnectionString;
        await using var db = new AppDbContext(new DbContextOptionsBuilder<AppDbContext>().UseAutoDLPostgreSql(missing).Options);

        await db.Database.MigrateAsync();

        Assert.True(await db.Database.CanConnectAsync());
        Assert.Empty(await db.Database.GetPendingMigrationsAsync());
    }

    [Fact]
    public async Task TheApplicationDatabaseOnPostgreSqlIsMigratedAtStartAndServesTheStores()
    {
        var connection = await server.CreateDatabaseAsync(nameof(TheApplicationDatabaseOnPostgreSqlIsMigratedAtStartAndServesTheStores));
        var options = new DatabaseOptions { Provider = "postgresql", ConnectionString = connection };
        await using var provider = new ServiceCollection().AddAutoDLDatabase(options, "/unused").BuildServiceProvider();

        await provider.InitializeAutoDLDatabaseAsync(CancellationToken.None);

        await using var scope = provider.CreateAsyncScope();
        Assert.Equal(DatabaseProvider.PostgreSql, scope.ServiceProvider.GetRequiredService<DatabaseConnection>().Provider);
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        Assert.True(db.Database.IsNpgsql());
        Assert.Empty(await db.Database.GetPendingMigrationsAsync());
        Assert.IsType<EfTrialStore>(scope.ServiceProvider.GetRequiredService<ITrialStore>());
        db.Users.Add(new Identity.AppUser { Id = "user-1", UserName = "ana@example.com", Email = "ana@example.com" });
        await db.SaveChangesAsync();
        var tokens = scope.ServiceProvider.GetRequiredService<ApiTokenStore>();
        var created = await tokens.CreateAsync("user-1", "script", CancellationToken.None);
        Assert.Equal("user-1", await tokens.FindUserIdAsync(created.Secret, CancellationToken.None));
        Assert.NotNull(Assert.Single(await tokens.ListAsync("user-1", CancellationToken.None)).LastUsedAt);
    }

    private static string Name(string id) => id[(id.IndexOf('_', StringComparison.Ordinal) + 1)..];
}
