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
        var connection = DataServiceCollectionExtensions.ResolveConnectionString(new DatabaseOptions(), "/srv/autodl");

        Assert.Equal("Data Source=/srv/autodl/autodl.db", connection);
    }

    [Fact]
    public void AnUnsupportedProviderIsNamedInTheError()
    {
        var error = Assert.Throws<InvalidOperationException>(() =>
            DataServiceCollectionExtensions.ResolveConnectionString(new DatabaseOptions { Provider = "Oracle" }, "/srv/autodl"));

        Assert.Contains("AutoDL:Database:Provider is 'Oracle'", error.Message);
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

            using var connection = new SqliteConnection(DataServiceCollectionExtensions.ResolveConnectionString(new DatabaseOptions(), dataRoot));
            SqliteConnection.ClearPool(connection);
        }
        finally
        {
            Directory.Delete(dataRoot, recursive: true);
        }
    }

    private static async Task<T> Single<T>(IQueryable<T> query) => (await query.ToListAsync()).Single();
}
