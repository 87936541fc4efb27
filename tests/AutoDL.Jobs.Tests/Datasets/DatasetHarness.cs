using AutoDL.Data;
using AutoDL.Jobs.Datasets;
using AutoDL.Jobs.Events;
using AutoDL.Jobs.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace AutoDL.Jobs.Tests.Datasets;

/// <summary>A data folder, a real SQLite database in memory (migrated), and the changes announced.</summary>
public sealed class DatasetHarness : IAsyncDisposable
{
    private readonly SqliteConnection _connection = new("Data Source=:memory:");
    private readonly TempFolder _folder = new();

    private DatasetHarness(DatasetOptions options)
    {
        Options = options;
        Changes.Subscribe(change =>
        {
            lock (Announced)
            {
                Announced.Add(change);
            }
        });
    }

    public DatasetOptions Options { get; }

    public DataFolder DataFolder => new(_folder.Path);

    public InProcessChanges Changes { get; } = new();

    public List<Change> Announced { get; } = [];

    public static async Task<DatasetHarness> CreateAsync(DatasetOptions? options = null)
    {
        var harness = new DatasetHarness(options ?? new DatasetOptions());
        await harness._connection.OpenAsync();
        await using var db = harness.NewContext();
        await db.Database.MigrateAsync();
        return harness;
    }

    public AppDbContext NewContext() => new(new DbContextOptionsBuilder<AppDbContext>().UseSqlite(_connection).Options);

    public DatasetIngest Ingest(AppDbContext db) => new(db, DataFolder, Options, Changes, TimeProvider.System);

    public DatasetCatalog Catalog(AppDbContext db) => new(db, DataFolder, Changes);

    public async Task<IngestResult> UploadAsync(string fileName, string content, string? name = null)
    {
        await using var db = NewContext();
        using var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(content));
        return await Ingest(db).IngestAsync(stream, fileName, name, userId: "user-1", CancellationToken.None);
    }

    public async Task<IngestResult> UploadAsync(string fileName, byte[] content)
    {
        await using var db = NewContext();
        using var stream = new MemoryStream(content);
        return await Ingest(db).IngestAsync(stream, fileName, null, userId: "user-1", CancellationToken.None);
    }

    /// <summary>Every file under the data folder, relative to it with forward slashes.</summary>
    public IReadOnlyList<string> Files() =>
        Directory.EnumerateFiles(_folder.Path, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(_folder.Path, f).Replace('\\', '/'))
            .Order(StringComparer.Ordinal)
            .ToList();

    public async ValueTask DisposeAsync()
    {
        await _connection.DisposeAsync();
        _folder.Dispose();
    }
}
