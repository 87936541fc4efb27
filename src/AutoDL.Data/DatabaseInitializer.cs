using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace AutoDL.Data;

public static class DatabaseInitializer
{
    /// <summary>
    /// Creates the database when missing and applies every pending migration from <c>migrations/</c>. A SQLite file is
    /// switched to write-ahead logging (kept in the file): readers then never wait for the writer, nor it for them,
    /// which the trial store's many workers need.
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
