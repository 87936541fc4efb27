using AutoDL.Core.Search;
using AutoDL.Core.Tests.Search;
using AutoDL.Data.Search;

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
