using Microsoft.EntityFrameworkCore;

namespace AutoDL.Data.Tests.PostgreSql;

/// <summary>A real PostgreSQL database of the test server, migrated with the project's PostgreSQL migrations.</summary>
public sealed class PostgreSqlDatabase
{
    private PostgreSqlDatabase(string connectionString) => ConnectionString = connectionString;

    public string ConnectionString { get; }

    /// <summary>The test class's own database (<paramref name="name"/>: the class), created and migrated on first use.</summary>
    public static async Task<PostgreSqlDatabase> ForAsync(PostgreSqlServer server, string name)
    {
        var database = new PostgreSqlDatabase(await server.DatabaseAsync(name));
        await using var db = database.NewContext();
        // Once per database in effect: later calls find every migration applied.
        await db.Database.MigrateAsync();
        return database;
    }

    /// <summary>A new context configured as the application configures it, on its own pooled connection.</summary>
    public AppDbContext NewContext() =>
        new(new DbContextOptionsBuilder<AppDbContext>().UseAutoDLPostgreSql(ConnectionString).Options);
}
