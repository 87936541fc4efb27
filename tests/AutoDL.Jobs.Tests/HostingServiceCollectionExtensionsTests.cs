using Microsoft.EntityFrameworkCore;
using AutoDL.Data;
using AutoDL.Jobs.Hosting;
using Hangfire;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace AutoDL.Jobs.Tests;

public sealed class HostingServiceCollectionExtensionsTests
{
    [Fact]
    public async Task AnEnqueuedJobRunsOnTheInProcessServerWithSqliteStorage()
    {
        using var folder = new TempFolder();
        using var host = BuildHost(folder.Path, new Dictionary<string, string?>());
        await host.StartAsync();

        var marker = Path.Combine(folder.Path, "marker.txt");
        host.Services.GetRequiredService<IBackgroundJobClient>().Enqueue(() => MarkerJob.Write(marker));
        await MarkerJob.WaitForAsync(marker, TimeSpan.FromSeconds(30));

        Assert.True(File.Exists(Path.Combine(folder.Path, "hangfire.db")), "Hangfire's SQLite storage is not in the data folder.");
        await host.StopAsync();
    }

    [Fact]
    public void TheDatabaseAndJobStorageGoInTheConfiguredDataFolder()
    {
        using var folder = new TempFolder();
        var dataRoot = Path.Combine(folder.Path, "nested", "data");
        using var host = BuildHost(folder.Path, new Dictionary<string, string?> { ["AutoDL:DataRoot"] = dataRoot });

        Assert.Equal(dataRoot, host.Services.GetRequiredService<DataFolder>().Path);
        Assert.True(Directory.Exists(dataRoot));
        using var scope = host.Services.CreateScope();
        var connection = scope.ServiceProvider.GetRequiredService<AppDbContext>().Database.GetConnectionString();
        Assert.Equal($"Data Source={Path.Combine(dataRoot, "autodl.db")}", connection);
    }

    [Fact]
    public void ARelativeDataFolderIsRelativeToTheContentRoot()
    {
        using var folder = new TempFolder();

        Assert.Equal(Path.Combine(folder.Path, "my-data"), AutoDLPaths.ResolveDataRoot(folder.Path, "my-data"));
        Assert.Equal(Path.Combine(folder.Path, "data"), AutoDLPaths.ResolveDataRoot(folder.Path, ""));
    }

    [Fact]
    public void NoJobServerRunsWhenTheWebAppLeavesJobsToWorkers()
    {
        using var folder = new TempFolder();
        using var host = BuildHost(folder.Path, new Dictionary<string, string?> { ["AutoDL:Hangfire:Server"] = "false" });

        Assert.DoesNotContain(host.Services.GetServices<IHostedService>(), s => s.GetType().Name.Contains("Hangfire", StringComparison.Ordinal));
    }

    private static IHost BuildHost(string dataRoot, Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = dataRoot, DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AutoDL:DataRoot"] = dataRoot,
            ["AutoDL:Hangfire:WorkerCount"] = "1",
        });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddAutoDLCore(builder.Configuration, dataRoot);
        return builder.Build();
    }
}
