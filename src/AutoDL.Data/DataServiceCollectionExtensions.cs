using AutoDL.Core.Search;
using AutoDL.Data.Search;
using AutoDL.Data.Tokens;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace AutoDL.Data;

public static class DataServiceCollectionExtensions
{
    /// <summary>Registers the application database and the stores over it.</summary>
    /// <param name="dataRoot">The data folder; the SQLite file goes there unless a connection string says otherwise.</param>
    public static IServiceCollection AddAutoDLDatabase(this IServiceCollection services, DatabaseOptions options, string dataRoot)
    {
        var connectionString = ResolveConnectionString(options, dataRoot);
        services.AddDbContext<AppDbContext>(db => db.UseAutoDLSqlite(connectionString));
        services.AddScoped<ApiTokenStore>();
        services.AddScoped<ITrialStore, EfTrialStore>();
        services.AddSingleton(TimeProvider.System);
        return services;
    }

    /// <summary>SQLite as the application uses it: with <see cref="SqliteBusyTimeout"/>, so writers queue for the lock promptly.</summary>
    public static TBuilder UseAutoDLSqlite<TBuilder>(this TBuilder db, string connectionString)
        where TBuilder : DbContextOptionsBuilder
    {
        db.UseSqlite(connectionString).AddInterceptors(SqliteBusyTimeout.Instance);
        return db;
    }

    public static string ResolveConnectionString(DatabaseOptions options, string dataRoot)
    {
        if (!string.Equals(options.Provider, "Sqlite", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException(
                $"AutoDL:Database:Provider is '{options.Provider}', but this version supports only 'Sqlite'.");
        }

        return string.IsNullOrWhiteSpace(options.ConnectionString)
            ? $"Data Source={Path.Combine(dataRoot, "autodl.db")}"
            : options.ConnectionString;
    }
}
