using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace AutoDL.Data.Tests;

/// <summary>A real SQLite database in memory, migrated with the project's migrations; lives as long as the connection.</summary>
public sealed class SqliteDatabase : IAsyncDisposable
{
    private readonly SqliteConnection _connection = new("Data Source=:memory:");

    private SqliteDatabase() { }

    public static async Task<SqliteDatabase> CreateAsync()
    {
        var database = new SqliteDatabase();
        await database._connection.OpenAsync();
        await using var db = database.NewContext();
        await db.Database.MigrateAsync();
        return database;
    }

    public AppDbContext NewContext() => new(new DbContextOptionsBuilder<AppDbContext>().UseSqlite(_connection).Options);

    public ValueTask DisposeAsync() => _connection.DisposeAsync();
}
