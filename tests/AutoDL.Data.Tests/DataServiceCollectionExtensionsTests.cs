using AutoDL.Core.Search;
using AutoDL.Data.Search;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace AutoDL.Data.Tests;

public sealed class DataServiceCollectionExtensionsTests
{
    [Fact]
    public void AnEmptyConnectionStringPutsTheDatabaseInTheDataFolder()
    {
        var database = DataServiceCollectionExtensions.Resolve(new DatabaseOptions(), "/srv/autodl");

        Assert.Equal(new DatabaseConnection(DatabaseProvider.Sqlite, "Data Source=/srv/autodl/autodl.db"), database);
    }

    [Fact]
    public void AnUnsupportedProviderIsNamedInTheError()
    {
        var error = Assert.Throws<InvalidOperationException>(() =>
            DataServiceCollectionExtensions.Resolve(new DatabaseOptions { Provider = "Oracle" }, "/srv/autodl"));

        Assert.Contains("AutoDL:Database:Provider is 'Oracle'", error.Message);
        Assert.Contains("'Sqlite'", error.Message);
        Assert.Contains("'PostgreSql'", error.Message);
    }

    [Theory]
    [InlineData("Sqlite", DatabaseProvider.Sqlite)]
    [InlineData("SQLITE", DatabaseProvider.Sqlite)]
    [InlineData("PostgreSql", DatabaseProvider.PostgreSql)]
    [InlineData("postgresql", DatabaseProvider.PostgreSql)]
    public void TheProviderIsReadInAnyLetterCase(string configured, DatabaseProvider provider)
    {
        var database = DataServiceCollectionExtensions.Resolve(
            new DatabaseOptions { Provider = configured, ConnectionString = "Host=db;Database=autodl" }, "/srv/autodl");

        Assert.Equal(provider, database.Provider);
        Assert.Equal("Host=db;Database=autodl", database.ConnectionString);
    }

    [Theory]
    [InlineData(null)]
    [InlineData(" ")]
    public void PostgreSqlWithoutAConnectionStringIsRefusedNamingTheKey(string? connectionString)
    {
        var error = Assert.Throws<InvalidOperationException>(() => DataServiceCollectionExtensions.Resolve(
            new DatabaseOptions { Provider = "PostgreSql", ConnectionString = connectionString }, "/srv/autodl"));

        Assert.Contains("AutoDL:Database:ConnectionString is empty", error.Message);
    }

    [Fact]
    public void AnUnreadablePostgreSqlConnectionStringIsRefusedNamingTheKeyNotTheValue()
    {
        var error = Assert.Throws<InvalidOperationException>(() => DataServiceCollectionExtensions.Resolve(
            new DatabaseOptions { Provider = "PostgreSql", ConnectionString = "Hots=db;Password=secret" }, "/srv/autodl"));

        Assert.StartsWith("AutoDL:Database:ConnectionString is not a PostgreSQL connection string", error.Message);
        Assert.DoesNotContain("secret", error.Message);
    }

    [Fact]
    public void TheResolvedDatabaseNeverShowsItsConnectionString()
    {
        var database = new DatabaseConnection(DatabaseProvider.PostgreSql, "Host=db;Password=secret");

        Assert.Equal("PostgreSql", database.ToString());
    }

    [Fact]
    public async Task TheInitializedDatabaseServesTheTrialStoreInWalModeAndWaitsWhenBusy()
    {
        var dataRoot = Directory.CreateTempSubdirectory("autodl-data-").FullName;
        try
        {
            var services = new ServiceCollection().AddAutoDLDatabase(new DatabaseOptions(), dataRoot);
            await using (var provider = services.BuildServiceProvider())
            {
                await provider.InitializeAutoDLDatabaseAsync(CancellationToken.None);
                await using var scope = provider.CreateAsyncScope();

                Assert.IsType<EfTrialStore>(scope.ServiceProvider.GetRequiredService<ITrialStore>());
                var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
                Assert.Equal("wal", await Single(db.Database.SqlQuery<string>($"SELECT journal_mode AS Value FROM pragma_journal_mode")));
                Assert.Equal(30000, await Single(db.Database.SqlQuery<int>($"SELECT timeout AS Value FROM pragma_busy_timeout")));
            }

            using var connection = new SqliteConnection(DataServiceCollectionExtensions.Resolve(new DatabaseOptions(), dataRoot).ConnectionString);
            SqliteConnection.ClearPool(connection);
        }
        finally
        {
            Directory.Delete(dataRoot, recursive: true);
        }
    }

    private static async Task<T> Single<T>(IQueryable<T> query) => (await query.ToListAsync()).Single();
}
