using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace AutoDL.Data;

/// <summary>
/// Sets SQLite's own busy timeout on every connection the context opens. Without it a writer that finds the write lock
/// taken is retried by Microsoft.Data.Sqlite, which sleeps about 150 ms between tries, so a worker waiting behind another
/// worker's ask loses on the order of 120 ms even when that ask took 5; SQLite's busy handler waits in steps of
/// milliseconds. The timeout is the connection's <c>Default Timeout</c> (30 s unless the connection string says otherwise).
/// </summary>
public sealed class SqliteBusyTimeout : DbConnectionInterceptor
{
    public static readonly SqliteBusyTimeout Instance = new();

    private SqliteBusyTimeout() { }

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        if (connection is SqliteConnection sqlite)
        {
            using var command = Command(sqlite);
            command.ExecuteNonQuery();
        }
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        if (connection is SqliteConnection sqlite)
        {
            await using var command = Command(sqlite);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    private static SqliteCommand Command(SqliteConnection connection)
    {
        var command = connection.CreateCommand();
        command.CommandText = $"PRAGMA busy_timeout = {(long)connection.DefaultTimeout * 1000};";
        return command;
    }
}
