using AutoDL.Jobs.Hosting;

namespace AutoDL.Worker;

/// <summary>
/// A headless Hangfire server for scale-out machines: the same job classes as the web app, no UI. It reads the same
/// appsettings.json; GPU machines add the <c>gpu</c> queue (<c>AutoDL__Hangfire__Queues__0=gpu</c>, ...).
/// </summary>
public static class WorkerHost
{
    public static HostApplicationBuilder CreateBuilder(string[] args)
    {
        var contentRoot = AutoDLPaths.LocateContentRoot();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, ContentRootPath = contentRoot });
        builder.Services.AddAutoDLCore(builder.Configuration, builder.Environment.ContentRootPath, alwaysRunJobServer: true);
        return builder;
    }
}
