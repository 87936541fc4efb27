using AutoDL.Jobs.Hosting;
using Hangfire;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AutoDL.Web.Health;

/// <summary>
/// Healthy when Hangfire's storage answers and, where this process runs a Hangfire server (embedded mode),
/// a server has sent a heartbeat within the last minute.
/// </summary>
public sealed class HangfireHealthCheck(JobStorage storage, HangfireOptions options, TimeProvider clock) : IHealthCheck
{
    private static readonly TimeSpan HeartbeatWindow = TimeSpan.FromMinutes(1);

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var servers = storage.GetMonitoringApi().Servers();
            var now = clock.GetUtcNow().UtcDateTime;
            var alive = servers.Count(s => s.Heartbeat is { } beat && now - beat < HeartbeatWindow);
            var data = new Dictionary<string, object> { ["servers"] = servers.Count, ["alive"] = alive };
            if (options.Server && alive == 0)
            {
                return Task.FromResult(HealthCheckResult.Unhealthy("No Hangfire server has sent a heartbeat in the last minute.", data: data));
            }

            return Task.FromResult(HealthCheckResult.Healthy($"{alive} Hangfire server(s) alive.", data));
        }
        catch (Exception e)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy("Hangfire's storage does not answer.", e));
        }
    }
}
