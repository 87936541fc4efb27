using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace AutoDL.Data.Tests;

/// <summary>
/// A real SQLite database in a temporary file, migrated and in WAL mode as the application runs it, for tests that need
/// several connections at once (concurrency, persistence). Deleted on disposal.
/// </summary>
public sealed class SqliteFileDatabase : IAsyncDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("autodl-db-").FullName;

    private SqliteFileDatabase() => ConnectionString = new SqliteConnectionStringBuilder
    {
        DataSource = Path.Combine(_folder, "autodl.db"),
    }.ToString();

    public string ConnectionString { get; }

    public static async Task<SqliteFileDatabase> CreateAsync()
    {
        var database = new SqliteFileDatabase();
        await using var db = database.NewContext();
        await db.Database.MigrateAsync();
        await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;");
        return database;
    }

    /// <summary>A new context configured as the application configures it, which opens its own pooled connection to the file whenever it needs one.</summary>
    public AppDbContext NewContext() =>
        new(new DbContextOptionsBuilder<AppDbContext>().UseAutoDLSqlite(ConnectionString).Options);

    public ValueTask DisposeAsync()
    {
        using (var connection = new SqliteConnection(ConnectionString))
        {
            SqliteConnection.ClearPool(connection);
        }

        Directory.Delete(_folder, recursive: true);
        return ValueTask.CompletedTask;
    }
}
