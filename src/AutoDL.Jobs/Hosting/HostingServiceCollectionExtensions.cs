using AutoDL.Data;
using AutoDL.Jobs.Datasets;
using AutoDL.Jobs.Events;
using AutoDL.Jobs.Searches;
using Hangfire;
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

        var database = configuration.GetSection(DatabaseOptions.Section).Get<DatabaseOptions>() ?? new DatabaseOptions();
        services.AddAutoDLDatabase(database, dataRoot);

        var hangfire = configuration.GetSection(HangfireOptions.Section).Get<HangfireOptions>() ?? new HangfireOptions();
        if (alwaysRunJobServer)
        {
            hangfire = hangfire with { Server = true };
        }

        services.AddAutoDLHangfire(hangfire, dataRoot);

        services.AddSingleton(configuration.GetSection(DatasetOptions.Section).Get<DatasetOptions>() ?? new DatasetOptions());
        services.AddScoped<DatasetIngest>();
        services.AddScoped<DatasetCatalog>();
        services.AddAutoDLSearches(configuration);
        return dataRoot;
    }

    public static IServiceCollection AddAutoDLHangfire(this IServiceCollection services, HangfireOptions options, string dataRoot)
    {
        var storagePath = string.IsNullOrWhiteSpace(options.StoragePath)
            ? Path.Combine(dataRoot, "hangfire.db")
            : Path.GetFullPath(options.StoragePath, dataRoot);
        services.AddSingleton(options);
        services.AddHangfire(config => config
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings()
            .UseSQLiteStorage(storagePath, new SQLiteStorageOptions()));

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
}

/// <summary>The data folder, as an absolute path.</summary>
public sealed record DataFolder(string Path);
