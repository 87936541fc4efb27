using AutoDL.Core.Search;
using AutoDL.Data.Search;
using AutoDL.Data.Tokens;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace AutoDL.Data;

public static class DataServiceCollectionExtensions
{
    /// <summary>
    /// The assembly that holds the PostgreSQL migrations (<c>migrations/PostgreSql</c>). EF Core keeps one migrations
    /// assembly per provider; the SQLite ones are compiled into AutoDL.Data itself. Loaded by name, so every host that may
    /// run on PostgreSQL references that project (AutoDL.Jobs does, for the web app and the worker).
    /// </summary>
    public const string PostgreSqlMigrationsAssembly = "AutoDL.Data.PostgreSql";

    /// <summary>Registers the application database and the stores over it.</summary>
    /// <param name="dataRoot">The data folder; the SQLite file goes there unless a connection string says otherwise.</param>
    public static IServiceCollection AddAutoDLDatabase(this IServiceCollection services, DatabaseOptions options, string dataRoot) =>
        services.AddAutoDLDatabase(Resolve(options, dataRoot));

    /// <summary>Registers the application database <paramref name="database"/> (checked by <see cref="Resolve"/>) and the stores over it.</summary>
    public static IServiceCollection AddAutoDLDatabase(this IServiceCollection services, DatabaseConnection database)
    {
        services.AddSingleton(database);
        services.AddDbContext<AppDbContext>(db => db.UseAutoDLDatabase(database));
        services.AddScoped<ApiTokenStore>();
        services.AddScoped<ITrialStore, EfTrialStore>();
        services.AddSingleton(TimeProvider.System);
        return services;
    }

    /// <summary>The application database on the engine <paramref name="database"/> names, as the application uses it.</summary>
    public static TBuilder UseAutoDLDatabase<TBuilder>(this TBuilder db, DatabaseConnection database)
        where TBuilder : DbContextOptionsBuilder => database.Provider switch
        {
            DatabaseProvider.Sqlite => db.UseAutoDLSqlite(database.ConnectionString),
            DatabaseProvider.PostgreSql => db.UseAutoDLPostgreSql(database.ConnectionString),
            _ => throw new ArgumentOutOfRangeException(nameof(database), database.Provider, "Unknown database provider."),
        };

    /// <summary>SQLite as the application uses it: with <see cref="SqliteBusyTimeout"/>, so writers queue for the lock promptly.</summary>
    public static TBuilder UseAutoDLSqlite<TBuilder>(this TBuilder db, string connectionString)
        where TBuilder : DbContextOptionsBuilder
    {
        db.UseSqlite(connectionString).AddInterceptors(SqliteBusyTimeout.Instance);
        return db;
    }

    /// <summary>PostgreSQL as the application uses it: migrations from <see cref="PostgreSqlMigrationsAssembly"/>.</summary>
    public static TBuilder UseAutoDLPostgreSql<TBuilder>(this TBuilder db, string connectionString)
        where TBuilder : DbContextOptionsBuilder
    {
        db.UseNpgsql(connectionString, npgsql => npgsql.MigrationsAssembly(PostgreSqlMigrationsAssembly));
        return db;
    }

    /// <summary>Checks the configured provider and connection string; every error names the key to fix.</summary>
    public static DatabaseConnection Resolve(DatabaseOptions options, string dataRoot)
    {
        var provider = ParseProvider(options.Provider, $"{DatabaseOptions.Section}:Provider");
        if (provider == DatabaseProvider.PostgreSql)
        {
            return string.IsNullOrWhiteSpace(options.ConnectionString)
                ? throw new InvalidOperationException(
                    $"{DatabaseOptions.Section}:Provider is 'PostgreSql', but {DatabaseOptions.Section}:ConnectionString is empty: " +
                    "set it to the PostgreSQL database, e.g. 'Host=db.example.com;Database=autodl;Username=autodl;Password=...'.")
                : new DatabaseConnection(provider, CheckPostgreSqlConnectionString(options.ConnectionString, $"{DatabaseOptions.Section}:ConnectionString"));
        }

        return new DatabaseConnection(provider, string.IsNullOrWhiteSpace(options.ConnectionString)
            ? $"Data Source={Path.Combine(dataRoot, "autodl.db")}"
            : options.ConnectionString);
    }

    /// <summary>A connection string Npgsql can read, or an error naming <paramref name="key"/> (never the value: it may hold a password).</summary>
    public static string CheckPostgreSqlConnectionString(string value, string key)
    {
        try
        {
            _ = new NpgsqlConnectionStringBuilder(value);
            return value;
        }
        catch (ArgumentException e)
        {
            throw new InvalidOperationException($"{key} is not a PostgreSQL connection string Npgsql can read: {e.Message}", e);
        }
    }

    /// <summary><c>Sqlite</c> or <c>PostgreSql</c> in any letter case; anything else is an error naming <paramref name="key"/>.</summary>
    public static DatabaseProvider ParseProvider(string? value, string key) =>
        Enum.GetNames<DatabaseProvider>().FirstOrDefault(n => string.Equals(n, value?.Trim(), StringComparison.OrdinalIgnoreCase)) is { } name
            ? Enum.Parse<DatabaseProvider>(name)
            : throw new InvalidOperationException(
                $"{key} is '{value}', but it must be 'Sqlite' (one machine, the default) or 'PostgreSql' (distributed mode).");
}
