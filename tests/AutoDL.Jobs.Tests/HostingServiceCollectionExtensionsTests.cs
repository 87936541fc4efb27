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
        // Generous: the server starts and polls its queue while the other test assemblies load both cores (30 s was
        // once not enough in a full run).
        await MarkerJob.WaitForAsync(marker, TimeSpan.FromSeconds(120));

        Assert.True(File.Exists(Path.Combine(folder.Path, "hangfire.db")), "Hangfire's SQLite storage is not in the data folder.");
        await host.StopAsync();
    }

    [Fact]
    public void TwoHostsInOneProcessEachKeepTheirOwnJobStorage()
    {
        using var first = new TempFolder();
        using var second = new TempFolder();
        using var a = BuildHost(first.Path, new Dictionary<string, string?> { ["AutoDL:Hangfire:Server"] = "false" });
        using var b = BuildHost(second.Path, new Dictionary<string, string?> { ["AutoDL:Hangfire:Server"] = "false" });

        // Configure the first, then the second (which sets Hangfire's static current storage), then ask the first.
        a.Services.GetRequiredService<IGlobalConfiguration>();
        b.Services.GetRequiredService<IGlobalConfiguration>();
        var storageOfA = a.Services.GetRequiredService<JobStorage>();
        var storageOfB = b.Services.GetRequiredService<JobStorage>();

        Assert.NotSame(storageOfA, storageOfB);
        a.Services.GetRequiredService<IBackgroundJobClient>().Enqueue(() => MarkerJob.Write("unused"));
        Assert.Equal(1, storageOfA.GetMonitoringApi().EnqueuedCount("default"));
        Assert.Equal(0, storageOfB.GetMonitoringApi().EnqueuedCount("default"));
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

    [Fact]
    public void JobStorageFollowsTheApplicationDatabaseUnlessConfigured()
    {
        var sqlite = new DatabaseConnection(DatabaseProvider.Sqlite, "Data Source=/srv/autodl/autodl.db");
        var postgres = new DatabaseConnection(DatabaseProvider.PostgreSql, "Host=db;Database=autodl");

        Assert.Equal(new JobStorageLocation(DatabaseProvider.Sqlite, "/srv/autodl/hangfire.db"),
            HostingServiceCollectionExtensions.ResolveStorage(new HangfireOptions(), sqlite, "/srv/autodl"));
        Assert.Equal(new JobStorageLocation(DatabaseProvider.PostgreSql, "Host=db;Database=autodl"),
            HostingServiceCollectionExtensions.ResolveStorage(new HangfireOptions(), postgres, "/srv/autodl"));
        Assert.Equal(new JobStorageLocation(DatabaseProvider.Sqlite, "/srv/autodl/jobs.db"),
            HostingServiceCollectionExtensions.ResolveStorage(new HangfireOptions { Storage = "SQLITE", StoragePath = "jobs.db" }, postgres, "/srv/autodl"));
        Assert.Equal(new JobStorageLocation(DatabaseProvider.PostgreSql, "Host=jobs;Database=hangfire"),
            HostingServiceCollectionExtensions.ResolveStorage(
                new HangfireOptions { Storage = "postgresql", ConnectionString = "Host=jobs;Database=hangfire" }, sqlite, "/srv/autodl"));
    }

    [Fact]
    public void PostgreSqlJobStorageWithNowhereToConnectIsRefusedNamingTheKey()
    {
        var sqlite = new DatabaseConnection(DatabaseProvider.Sqlite, "Data Source=/srv/autodl/autodl.db");

        var error = Assert.Throws<InvalidOperationException>(() =>
            HostingServiceCollectionExtensions.ResolveStorage(new HangfireOptions { Storage = "PostgreSql" }, sqlite, "/srv/autodl"));

        Assert.Contains("AutoDL:Hangfire:ConnectionString is empty", error.Message);
    }

    [Fact]
    public void AnUnknownJobStorageIsRefusedNamingTheKey()
    {
        using var folder = new TempFolder();

        var error = Assert.Throws<InvalidOperationException>(() =>
            BuildHost(folder.Path, new Dictionary<string, string?> { ["AutoDL:Hangfire:Storage"] = "Redis" }));

        Assert.Contains("AutoDL:Hangfire:Storage is 'Redis'", error.Message);
    }

    [Fact]
    public void AnUnknownDatabaseProviderStopsTheStartNamingTheKey()
    {
        using var folder = new TempFolder();

        var error = Assert.Throws<InvalidOperationException>(() =>
            BuildHost(folder.Path, new Dictionary<string, string?> { ["AutoDL:Database:Provider"] = "MySql" }));

        Assert.Contains("AutoDL:Database:Provider is 'MySql'", error.Message);
    }

    [Fact]
    public void ThePostgreSqlDatabaseAndJobStorageAreConfiguredWithoutConnectingAtStartUp()
    {
        using var folder = new TempFolder();
        using var host = BuildHost(folder.Path, new Dictionary<string, string?>
        {
            ["AutoDL:Database:Provider"] = "PostgreSql",
            ["AutoDL:Database:ConnectionString"] = "Host=db.example;Database=autodl",
        });

        using var scope = host.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        Assert.True(db.Database.IsNpgsql());
        Assert.Equal("Host=db.example;Database=autodl", db.Database.GetConnectionString());
        Assert.Equal(DatabaseProvider.PostgreSql, host.Services.GetRequiredService<JobStorageLocation>().Provider);
        Assert.False(File.Exists(Path.Combine(folder.Path, "hangfire.db")));
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
