using AutoDL.Core.Search;
using AutoDL.Core.Tests.Search;
using AutoDL.Data.Search;
using AutoDL.Data.Tests.PostgreSql;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace AutoDL.Data.Tests.Search;

/// <summary>
/// The trial store contract on a real PostgreSQL server, at its default isolation (read committed), racing separate
/// connections as workers on separate machines would (see <see cref="EfTrialStoreContract"/>). Every test makes its
/// own searches, so the class shares one database.
/// </summary>
[Collection(PostgreSqlCollection.Name)]
public sealed class EfTrialStoreOnPostgreSqlTests(PostgreSqlServer server) : EfTrialStoreContract
{
    private PostgreSqlDatabase _database = default!;

    public override async Task InitializeAsync() => _database = await PostgreSqlDatabase.ForAsync(server, nameof(EfTrialStoreOnPostgreSqlTests));

    protected override AppDbContext NewContext() => _database.NewContext();

    protected override void AssertUniqueViolation(DbUpdateException error) =>
        Assert.Equal(PostgresErrorCodes.UniqueViolation, Assert.IsType<PostgresException>(error.InnerException).SqlState);

    [Fact]
    public async Task AnAskThatLosesItsNumberToAnotherWriterStartsAgainInANewTransaction()
    {
        var store = NewStore();
        var id = await store.CreateSearchAsync(Spec(trials: 5), CancellationToken.None);
        var sample = RandomSample();
        var calls = new List<int>();

        // The first time the sampler runs (inside the ask's transaction, the history read), another writer that ignores
        // the search's lock stores trial 0: the ask's insert fails, which aborts its transaction on PostgreSQL.
        var trial = await store.AskAsync(id, "worker-1", (number, trials) =>
        {
            calls.Add(number);
            if (calls.Count == 1)
            {
                using var rogue = _database.NewContext();
                rogue.TrialRows.Add(Rogue(id, number));
                rogue.SaveChanges();
            }

            return sample(number, trials);
        }, CancellationToken.None);

        Assert.Equal([0, 1], calls);
        Assert.Equal(1, trial!.Number);
        var stored = await NewStore().GetTrialsAsync(id, CancellationToken.None);
        Assert.Equal(["rogue", "worker-1"], stored.Select(t => t.Worker));
    }

    [Fact]
    public async Task AnAskWaitsForAnotherAskOfTheSameSearchButNotOfAnother()
    {
        var store = NewStore();
        var id = await store.CreateSearchAsync(Spec(trials: 5), CancellationToken.None);
        var other = await store.CreateSearchAsync(Spec(trials: 5), CancellationToken.None);

        // Another worker's ask of the same search holds the search's row lock.
        await using var connection = new NpgsqlConnection(_database.ConnectionString);
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using (var lockSearch = new NpgsqlCommand("SELECT 1 FROM \"Searches\" WHERE \"Id\" = @id FOR NO KEY UPDATE", connection, transaction))
        {
            lockSearch.Parameters.AddWithValue("id", id);
            await lockSearch.ExecuteNonQueryAsync();
        }

        var ask = Task.Run(() => NewStore().AskAsync(id, "worker-2", RandomSample(), CancellationToken.None));
        var elsewhere = await NewStore().AskAsync(other, "worker-3", RandomSample(), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(20));
        await Task.Delay(300);
        Assert.False(ask.IsCompleted, "The ask went ahead while another ask of its search held the search's lock.");
        await transaction.CommitAsync();

        Assert.Equal(0, elsewhere!.Number);
        Assert.Equal(0, (await ask.WaitAsync(TimeSpan.FromSeconds(20)))!.Number);
    }

    [Fact]
    public async Task TimesAreKeptToTheMicrosecondAndAskedTrialsMatchWhatIsStored()
    {
        var store = NewStore();
        var id = await store.CreateSearchAsync(Spec(trials: 5), CancellationToken.None);
        Clock.Advance(TimeSpan.FromTicks(1234567));

        var asked = await store.AskAsync(id, "worker-1", RandomSample(), CancellationToken.None);

        Assert.Equal(0, asked!.StartedAt.Ticks % TimeSpan.TicksPerMicrosecond);
        Assert.Equal(Clock.GetUtcNow().Ticks / TimeSpan.TicksPerMicrosecond, asked.StartedAt.Ticks / TimeSpan.TicksPerMicrosecond);
        var stored = Assert.Single(await NewStore().GetTrialsAsync(id, CancellationToken.None));
        Assert.Equal(asked.StartedAt, stored.StartedAt);
        Assert.Equal(TimeSpan.Zero, stored.StartedAt.Offset);
    }
}
