using System.Collections.Concurrent;
using AutoDL.Data;
using AutoDL.Data.Datasets;
using AutoDL.Jobs.Datasets;
using AutoDL.Jobs.Hosting;
using AutoDL.Jobs.Models;
using AutoDL.Jobs.Searches;
using Hangfire;
using Hangfire.Common;
using Hangfire.States;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace AutoDL.Jobs.Tests.Searches;

/// <summary>Records enqueued jobs instead of running them, so a test runs them itself, directly.</summary>
public sealed class RecordingJobClient : IBackgroundJobClient
{
    public ConcurrentQueue<(Job Job, string? Queue)> Jobs { get; } = new();

    public string Create(Job job, IState state)
    {
        Jobs.Enqueue((job, job.Queue ?? (state as EnqueuedState)?.Queue));
        return Jobs.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    public bool ChangeState(string jobId, IState state, string expectedState) => true;
}

/// <summary>The services the web app and worker share, on a fresh data folder and SQLite database, with no job server.</summary>
public sealed class SearchHarness : IAsyncDisposable
{
    private readonly TempFolder _folder;
    private readonly IHost _host;

    public string DataRoot => _folder.Path;

    public IServiceProvider Services => _host.Services;

    public RecordingJobClient Jobs { get; }

    public static async Task<SearchHarness> CreateAsync()
    {
        var folder = new TempFolder();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = folder.Path, DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AutoDL:DataRoot"] = folder.Path,
            ["AutoDL:Hangfire:Server"] = "false",
            ["AutoDL:Searches:StatusPollSeconds"] = "0.2",
        });
        builder.Services.AddLogging();
        builder.Services.AddAutoDLCore(builder.Configuration, folder.Path);
        var jobs = new RecordingJobClient();
        builder.Services.AddSingleton<IBackgroundJobClient>(jobs);
        var host = builder.Build();
        await host.Services.InitializeAutoDLDatabaseAsync(CancellationToken.None);
        return new SearchHarness(host, folder, jobs);
    }

    private SearchHarness(IHost host, TempFolder folder, RecordingJobClient jobs)
    {
        _host = host;
        _folder = folder;
        Jobs = jobs;
    }

    /// <summary>Uploads <paramref name="csv"/> as a dataset, through the product's own upload path (<see cref="DatasetIngest"/>).</summary>
    public async Task<DatasetRow> AddDatasetAsync(string name, string csv)
    {
        await using var scope = Services.CreateAsyncScope();
        using var content = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(csv));
        var result = await scope.ServiceProvider.GetRequiredService<DatasetIngest>().IngestAsync(content, $"{name}.csv", name, "tester", CancellationToken.None);
        return result.Dataset;
    }

    /// <summary>Uploads a zip of image folders as a dataset, through the product's own upload path.</summary>
    public async Task<DatasetRow> AddImagesAsync(string name, byte[] zip)
    {
        await using var scope = Services.CreateAsyncScope();
        using var content = new MemoryStream(zip);
        var result = await scope.ServiceProvider.GetRequiredService<DatasetIngest>().IngestAsync(content, $"{name}.zip", name, "tester", CancellationToken.None);
        return result.Dataset;
    }

    public Task<DatasetRow> AddIrisAsync() => AddDatasetAsync("iris", File.ReadAllText(IrisPath));

    public static string IrisPath => Path.Combine(AutoDLPaths.LocateContentRoot(), "samples", "iris.csv");

    public async Task<SearchLaunch> LaunchAsync(SearchRequest request)
    {
        await using var scope = Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<SearchLauncher>().LaunchAsync(request, "tester", CancellationToken.None);
    }

    /// <summary>A quick search of <paramref name="target"/>: SDCA only, two trials, two folds, seed 1.</summary>
    public static SearchRequest Quick(string datasetId, string target) => new()
    {
        DatasetId = datasetId,
        Target = target,
        Learners = ["sdca"],
        Budget = new SearchBudgetRequest(Trials: 2),
        Folds = 2,
        Seed = 1,
    };

    /// <summary>Launches <paramref name="request"/>, runs its workers and returns its winner, checked completed and ready.</summary>
    public async Task<ModelDetails> WinnerAsync(SearchRequest request)
    {
        var launch = await LaunchAsync(request);
        await RunWorkersAsync(launch.SearchId!);
        var search = await WithAsync<SearchQueries, SearchDetails?>(q => q.GetAsync(launch.SearchId!, CancellationToken.None));
        Assert.True(search!.Status == "completed", search.Error);
        var model = await WithAsync<ModelService, ModelDetails?>(m => m.GetAsync(search.BestModelId!, CancellationToken.None));
        Assert.Equal("ready", model!.State);
        return model;
    }

    /// <summary>Runs every recorded worker of <paramref name="searchId"/> at once, as Hangfire would, and waits for them.</summary>
    public Task RunWorkersAsync(string searchId, CancellationToken cancellationToken = default)
    {
        var workers = Jobs.Jobs
            .Where(j => j.Job.Type == typeof(SearchJob) && (string)j.Job.Args[0] == searchId)
            .Select(j => (int)j.Job.Args[1])
            .ToList();
        return Task.WhenAll(workers.Select(worker => Task.Run(async () =>
        {
            await using var scope = Services.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<SearchJob>().RunAsync(searchId, worker, cancellationToken);
        }, CancellationToken.None)));
    }

    public async Task<T> WithDbAsync<T>(Func<AppDbContext, Task<T>> query)
    {
        await using var scope = Services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<AppDbContext>());
    }

    public async Task<T> WithAsync<TService, T>(Func<TService, Task<T>> call)
        where TService : notnull
    {
        await using var scope = Services.CreateAsyncScope();
        return await call(scope.ServiceProvider.GetRequiredService<TService>());
    }

    public async ValueTask DisposeAsync()
    {
        _host.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _folder.Dispose();
        await Task.CompletedTask;
    }
}
