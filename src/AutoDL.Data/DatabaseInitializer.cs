using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace AutoDL.Data;

public static class DatabaseInitializer
{
    /// <summary>
    /// Creates the database when missing and applies every pending migration of its provider (SQLite: <c>migrations/</c>,
    /// PostgreSQL: <c>migrations/PostgreSql</c>); EF Core takes a migration lock, so a web app and workers starting at
    /// once migrate one after another. A SQLite file is switched to write-ahead logging (kept in the file): readers then
    /// never wait for the writer, nor it for them, which the trial store's many workers need. PostgreSQL needs nothing more.
    /// </summary>
    public static async Task InitializeAutoDLDatabaseAsync(this IServiceProvider services, CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        await db.Database.MigrateAsync(cancellationToken);
        if (db.Database.IsSqlite())
        {
            // An in-memory database answers "memory" and stays as it is.
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
        }
    }
}
