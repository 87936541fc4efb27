using AutoDL.Data;
using AutoDL.Jobs.Datasets;
using AutoDL.Jobs.Events;
using AutoDL.Jobs.Searches;
using Hangfire;
using Hangfire.PostgreSql;
using Hangfire.Storage.SQLite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace AutoDL.Jobs.Hosting;

/// <summary>The set-up the web app and the worker share: data folder, database, background jobs.</summary>
public static class HostingServiceCollectionExtensions
{
    /// <summary>Registers the database and Hangfire from configuration; returns the resolved data folder.</summary>
    /// <param name="alwaysRunJobServer">
    /// The worker runs a Hangfire server whatever <c>AutoDL:Hangfire:Server</c> says: that setting is the web app's
    /// (false when the web app hands all jobs to workers), and both read the same appsettings.json.
    /// </param>
    public static string AddAutoDLCore(this IServiceCollection services, IConfiguration configuration, string contentRoot, bool alwaysRunJobServer = false)
    {
        var options = configuration.GetSection(AutoDLOptions.Section).Get<AutoDLOptions>() ?? new AutoDLOptions();
        var dataRoot = AutoDLPaths.ResolveDataRoot(contentRoot, options.DataRoot);
        services.AddSingleton(new DataFolder(dataRoot));
        services.AddSingleton<InProcessChanges>();
        services.AddSingleton<IChangePublisher>(sp => sp.GetRequiredService<InProcessChanges>());

        var databaseOptions = configuration.GetSection(DatabaseOptions.Section).Get<DatabaseOptions>() ?? new DatabaseOptions();
        var database = DataServiceCollectionExtensions.Resolve(databaseOptions, dataRoot);
        services.AddAutoDLDatabase(database);

        var hangfire = configuration.GetSection(HangfireOptions.Section).Get<HangfireOptions>() ?? new HangfireOptions();
        if (alwaysRunJobServer)
        {
            hangfire = hangfire with { Server = true };
        }

        services.AddAutoDLHangfire(hangfire, database, dataRoot);

        services.AddSingleton(configuration.GetSection(DatasetOptions.Section).Get<DatasetOptions>() ?? new DatasetOptions());
        services.AddScoped<DatasetIngest>();
        services.AddScoped<DatasetCatalog>();
        services.AddAutoDLSearches(configuration);
        return dataRoot;
    }

    /// <param name="database">The application database: Hangfire follows its provider unless told otherwise.</param>
    public static IServiceCollection AddAutoDLHangfire(this IServiceCollection services, HangfireOptions options, DatabaseConnection database, string dataRoot)
    {
        var storage = ResolveStorage(options, database, dataRoot);
        services.AddSingleton(options);
        services.AddSingleton(storage);
        // The host's own storage, not Hangfire's static JobStorage.Current: AddHangfire's default registration answers
        // whatever storage the last configured host in the process set, so two hosts in one process (tests, a web app
        // with an embedded worker) could enqueue into and poll each other's databases. The storage is made inside the
        // configuration (after Hangfire's log provider is this host's) and kept for this host's JobStorage.
        JobStorage? created = null;
        services.AddHangfire(config =>
        {
            config
                .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
                .UseSimpleAssemblyNameTypeSerializer()
                .UseRecommendedSerializerSettings();
            created = CreateStorage(storage);
            config.UseStorage(created);
        });
        services.AddSingleton<JobStorage>(provider =>
        {
            provider.GetRequiredService<IGlobalConfiguration>();
            return created ?? throw new InvalidOperationException("Hangfire was configured without a job storage.");
        });

        if (options.Server)
        {
            services.AddHangfireServer(server =>
            {
                server.ServerName = $"{Environment.MachineName}:{Environment.ProcessId}";
                server.Queues = options.EffectiveQueues;
                server.WorkerCount = options.WorkerCount > 0 ? options.WorkerCount : Environment.ProcessorCount;
            });
        }

        return services;
    }

    private static JobStorage CreateStorage(JobStorageLocation storage)
    {
        if (storage.Provider != DatabaseProvider.PostgreSql)
        {
            return new SQLiteStorage(storage.Location, new SQLiteStorageOptions());
        }

        var options = new PostgreSqlStorageOptions
        {
            // Servers on other machines hear of a new job at once (LISTEN/NOTIFY), not at their next poll.
            EnableLongPolling = true,
            QueuePollInterval = TimeSpan.FromSeconds(5),
            PrepareSchemaIfNecessary = true,
            // A search job runs as long as its budget: the server keeps its job hidden from the others while it runs,
            // however long, and a job whose server died is handed out again after five minutes.
            UseSlidingInvisibilityTimeout = true,
            InvisibilityTimeout = TimeSpan.FromMinutes(5),
        };
        return new PostgreSqlStorage(new Hangfire.PostgreSql.Factories.NpgsqlConnectionFactory(storage.Location, options), options);
    }

    /// <summary>Where Hangfire keeps its jobs, from <c>AutoDL:Hangfire</c>; every error names the key to fix.</summary>
    public static JobStorageLocation ResolveStorage(HangfireOptions options, DatabaseConnection database, string dataRoot)
    {
        var provider = string.IsNullOrWhiteSpace(options.Storage)
            ? database.Provider
            : DataServiceCollectionExtensions.ParseProvider(options.Storage, $"{HangfireOptions.Section}:Storage");
        if (provider == DatabaseProvider.Sqlite)
        {
            return new JobStorageLocation(provider, string.IsNullOrWhiteSpace(options.StoragePath)
                ? Path.Combine(dataRoot, "hangfire.db")
                : Path.GetFullPath(options.StoragePath, dataRoot));
        }

        if (!string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            return new JobStorageLocation(provider,
                DataServiceCollectionExtensions.CheckPostgreSqlConnectionString(options.ConnectionString, $"{HangfireOptions.Section}:ConnectionString"));
        }

        return database.Provider == DatabaseProvider.PostgreSql
            ? new JobStorageLocation(provider, database.ConnectionString)
            : throw new InvalidOperationException(
                $"{HangfireOptions.Section}:Storage is 'PostgreSql', but {HangfireOptions.Section}:ConnectionString is empty and the " +
                $"application database is not PostgreSQL ({DatabaseOptions.Section}:Provider): set {HangfireOptions.Section}:ConnectionString.");
    }
}

/// <summary>The data folder, as an absolute path.</summary>
public sealed record DataFolder(string Path);

/// <summary>Where Hangfire keeps its jobs: a SQLite file's path, or a PostgreSQL connection string.</summary>
public sealed record JobStorageLocation(DatabaseProvider Provider, string Location)
{
    /// <summary>Never the location: a connection string may hold a password.</summary>
    public override string ToString() => Provider.ToString();
}
