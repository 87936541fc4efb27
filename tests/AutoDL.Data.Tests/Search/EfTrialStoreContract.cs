using AutoDL.Core.Search;
using AutoDL.Core.Tests.Search;
using AutoDL.Data.Search;
using Microsoft.EntityFrameworkCore;

namespace AutoDL.Data.Tests.Search;

/// <summary>
/// The trial store contract on a real database: every new store is a new context on its own connection, so the
/// concurrency tests race separate connections as separate workers would. The contexts are disposed after the test.
/// </summary>
public abstract class EfTrialStoreContract : TrialStoreContract
{
    private readonly List<AppDbContext> _contexts = [];

    /// <summary>A new context on a new connection to the test's database.</summary>
    protected abstract AppDbContext NewContext();

    /// <summary>Checks that the database itself (its unique index, not the store) refused the insert.</summary>
    protected abstract void AssertUniqueViolation(DbUpdateException error);

    [Fact]
    public async Task TheDatabaseRefusesASecondTrialWithTheSameNumber()
    {
        var store = NewStore();
        var id = await store.CreateSearchAsync(Spec(trials: 5), CancellationToken.None);
        await store.AskAsync(id, "worker-1", RandomSample(), CancellationToken.None);

        await using var db = NewContext();
        db.TrialRows.Add(Rogue(id, 0));

        AssertUniqueViolation(await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync()));
    }

    /// <summary>A Running trial written past the store, as a writer that ignores its rules would.</summary>
    protected static TrialRow Rogue(string searchId, int number) => new()
    {
        SearchId = searchId, Number = number, State = TrialState.Running, ParamsJson = "{}", IntermediateJson = "[]", Worker = "rogue",
        StartedAt = DateTime.UtcNow, HeartbeatAt = DateTime.UtcNow,
    };

    public override async Task DisposeAsync()
    {
        foreach (var db in _contexts)
        {
            await db.DisposeAsync();
        }
    }

    protected override ITrialStore NewStore()
    {
        var db = NewContext();
        lock (_contexts)
        {
            _contexts.Add(db);
        }

        return new EfTrialStore(db, Clock);
    }
}
