using AutoDL.Core.Search;
using AutoDL.Core.Tests.Search;
using AutoDL.Data.Search;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace AutoDL.Data.Tests.Search;

/// <summary>The trial store contract on a real SQLite file (see <see cref="EfTrialStoreContract"/>).</summary>
public sealed class EfTrialStoreTests : EfTrialStoreContract
{
    private SqliteFileDatabase _database = default!;

    public override async Task InitializeAsync() => _database = await SqliteFileDatabase.CreateAsync();

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await _database.DisposeAsync();
    }

    protected override AppDbContext NewContext() => _database.NewContext();

    [Fact]
    public async Task AStoreOnAFreshConnectionSeesWhatAnotherStoreWrote()
    {
        var first = NewStore();
        var id = await first.CreateSearchAsync(Spec(trials: 5), CancellationToken.None);
        var asked = await first.AskAsync(id, "worker-1", RandomSample(), CancellationToken.None);
        await first.ReportAsync(id, 0, 1, 0.4, CancellationToken.None);
        await first.TellAsync(id, 0, TrialOutcome.Complete(0.3), CancellationToken.None);

        await using var db = _database.NewContext();
        var second = new EfTrialStore(db, Clock);
        var trial = Assert.Single(await second.GetTrialsAsync(id, CancellationToken.None));

        Assert.Equal(asked!.Params.OrderBy(p => p.Key), trial.Params.OrderBy(p => p.Key));
        Assert.Equal([new IntermediateValue(1, 0.4)], trial.Intermediate);
        Assert.Equal(0.3, trial.Value);
        Assert.Equal(Clock.GetUtcNow(), (await second.GetSearchAsync(id, CancellationToken.None)).StartedAt);
    }

    protected override void AssertUniqueViolation(DbUpdateException error) =>
        Assert.Equal(2067, Assert.IsType<SqliteException>(error.InnerException).SqliteExtendedErrorCode);

    [Fact]
    public async Task AnAskWaitsForAnotherWriterToFinishInsteadOfFailing()
    {
        var store = NewStore();
        var id = await store.CreateSearchAsync(Spec(trials: 5), CancellationToken.None);

        // Another process's write transaction holds SQLite's write lock.
        await using var other = new SqliteConnection(_database.ConnectionString);
        await other.OpenAsync();
        var transaction = other.BeginTransaction(deferred: false);
        var ask = Task.Run(() => NewStore().AskAsync(id, "worker-2", RandomSample(), CancellationToken.None));
        await Task.Delay(300);
        Assert.False(ask.IsCompleted, "The ask went ahead while another connection held the write lock.");
        transaction.Commit();
        transaction.Dispose();

        var trial = await ask.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(0, trial!.Number);
    }
}
