using Hangfire;

namespace AutoDL.Jobs;

/// <summary>The job servers Hangfire knows of (web apps and workers, on this machine or others), as their heartbeats last told.</summary>
public class JobServers(JobStorage storage)
{
    /// <summary>Whether some live server takes jobs from <paramref name="queue"/>.</summary>
    public virtual bool AnyListeningOn(string queue) =>
        storage.GetMonitoringApi().Servers().Any(s => s.Queues.Contains(queue, StringComparer.OrdinalIgnoreCase));
}
