using AutoDL.Core.Search;

namespace AutoDL.Core.Tests.Search;

/// <summary>The trial store contract, in memory: every "new" store is the one store, as all workers of a process share it.</summary>
public sealed class InMemoryTrialStoreTests : TrialStoreContract
{
    private readonly Lazy<InMemoryTrialStore> _store;

    public InMemoryTrialStoreTests() => _store = new(() => new InMemoryTrialStore(Clock));

    protected override ITrialStore NewStore() => _store.Value;
}
