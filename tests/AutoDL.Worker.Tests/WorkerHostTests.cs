using AutoDL.Data;
using Hangfire;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace AutoDL.Worker.Tests;

public sealed class WorkerHostTests : IDisposable
{
    private readonly string _dataRoot = Directory.CreateTempSubdirectory("autodl-worker-").FullName;

    [Fact]
    public async Task TheWorkerRunsEnqueuedJobsEvenWhenTheWebAppRunsNone()
    {
        // The shared appsettings.json may say Server=false for the web app; the worker runs jobs regardless.
        using var host = WorkerHost.CreateBuilder([$"--AutoDL:DataRoot={_dataRoot}", "--AutoDL:Hangfire:Server=false", "--AutoDL:Hangfire:WorkerCount=1"]).Build();
        await host.Services.InitializeAutoDLDatabaseAsync(CancellationToken.None);
        await host.StartAsync();

        var marker = Path.Combine(_dataRoot, "marker.txt");
        host.Services.GetRequiredService<IBackgroundJobClient>().Enqueue(() => File.WriteAllText(marker, "ran"));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!File.Exists(marker))
        {
            await Task.Delay(100, timeout.Token);
        }

        Assert.True(File.Exists(Path.Combine(_dataRoot, "autodl.db")), "The worker did not create the application database.");
        await host.StopAsync();
    }

    [Fact]
    public async Task AGpuWorkerListensOnTheQueuesItIsGiven()
    {
        using var host = WorkerHost.CreateBuilder([$"--AutoDL:DataRoot={_dataRoot}", "--AutoDL:Hangfire:Queues:0=gpu", "--AutoDL:Hangfire:WorkerCount=1"]).Build();
        await host.StartAsync();

        var storage = host.Services.GetRequiredService<JobStorage>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (storage.GetMonitoringApi().Servers().Count == 0)
        {
            await Task.Delay(100, timeout.Token);
        }

        var server = Assert.Single(storage.GetMonitoringApi().Servers());
        Assert.Equal(["gpu", "cpu"], server.Queues);
        await host.StopAsync();
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dataRoot, recursive: true);
        }
        catch (IOException)
        {
            // SQLite may hold its file a moment longer; the temp folder is cleaned by the OS.
        }
    }
}
