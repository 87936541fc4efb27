using System.Reflection;
using AutoDL.Data;
using AutoDL.Jobs.Hosting;
using Hangfire;

namespace AutoDL.Web.Status;

public sealed record HangfireServerInfo(string Name, IReadOnlyList<string> Queues, int WorkerCount, DateTime? Heartbeat);

public sealed record SystemSnapshot(
    string Version,
    string DataFolder,
    string DatabaseProvider,
    string JobStorage,
    IReadOnlyList<HangfireServerInfo> Servers,
    long JobsEnqueued,
    long JobsProcessing,
    long JobsSucceeded,
    long JobsFailed);

/// <summary>What the Home and Admin pages show about this installation, read live from Hangfire and configuration.</summary>
public sealed class SystemStatus(JobStorage storage, DataFolder dataFolder, DatabaseConnection database, JobStorageLocation jobStorage)
{
    public static string Version { get; } =
        typeof(SystemStatus).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "unknown";

    public SystemSnapshot Read()
    {
        var monitoring = storage.GetMonitoringApi();
        var stats = monitoring.GetStatistics();
        var servers = monitoring.Servers()
            .Select(s => new HangfireServerInfo(s.Name, s.Queues.ToList(), s.WorkersCount, s.Heartbeat))
            .ToList();
        return new SystemSnapshot(
            Version,
            dataFolder.Path,
            database.Provider.ToString(),
            jobStorage.Provider.ToString(),
            servers,
            stats.Enqueued,
            stats.Processing,
            stats.Succeeded,
            stats.Failed);
    }
}
