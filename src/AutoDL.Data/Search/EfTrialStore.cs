using System.Data.Common;
using System.Text.Json;
using System.Text.Json.Serialization;
using AutoDL.Core.Search;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace AutoDL.Data.Search;

/// <summary>
/// The trial store in the application database, for many workers in many processes: on one SQLite file, or on
/// PostgreSQL with workers on many machines. Behaves exactly as <see cref="InMemoryTrialStore"/>: same checks, same
/// exceptions, same messages.
/// </summary>
/// <remarks>
/// <para>
/// Concurrency. Every write either is one conditional statement (tell, heartbeat, stale sweep: <c>UPDATE ... WHERE
/// State = 'Running'</c>, so of a tell and a sweep racing for one trial exactly one changes it and the other sees it
/// finished) or runs in a write transaction (ask, report).
/// </para>
/// <para>
/// On SQLite that transaction is <c>BEGIN IMMEDIATE</c>: it takes the database's write lock before reading anything, so
/// asks are serialised across connections and processes, the history an ask samples from is the history its trial
/// joins, and no transaction ever has to upgrade a read lock (which SQLite answers with SQLITE_BUSY however long one
/// waits). A writer that finds the lock taken waits for it: SQLite's busy handler (<see cref="SqliteBusyTimeout"/>)
/// waits up to the connection's <c>Default Timeout</c> (30 s unless the connection string says otherwise).
/// </para>
/// <para>
/// On PostgreSQL the transaction runs at read committed and an ask first locks its search's row (<c>SELECT ... FOR NO
/// KEY UPDATE</c>): asks of one search queue behind each other, asks of different searches do not, and since every
/// statement at read committed reads what was committed before it began, the history read after the lock holds every
/// trial an earlier ask added. (<c>NO KEY</c>: inserting a trial or a model only takes a key-share lock on the search,
/// so those never wait for an ask.) A report's first statement is its conditional update of the trial, which holds the
/// trial's row until the transaction ends: a concurrent report waits, and then reads the intermediate values this one
/// wrote, so none is lost.
/// </para>
/// <para>
/// Numbers are the highest number so far plus one, and the unique index on (SearchId, Number) is the last line of
/// defence: should two asks ever pick the same number, one insert fails, its whole transaction is rolled back (on
/// PostgreSQL a failed statement aborts the transaction: nothing more is run in it) and that ask starts again, in a new
/// transaction, on the fresh history. That also keeps the trial budget: a trial is only ever added by an ask that saw
/// every trial before it.
/// </para>
/// <para>
/// Times are kept to the microsecond (PostgreSQL's resolution) on every database: the store truncates its clock's
/// readings before it writes or returns them, so what an ask returns is what a later read finds.
/// </para>
/// </remarks>
public sealed class EfTrialStore(AppDbContext db, TimeProvider clock) : ITrialStore
{
    /// <summary>How many times an ask starts again after losing a trial number to another worker.</summary>
    private const int MaxAskAttempts = 20;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
        // Intermediate values are the learner's own (a diverging loss may be NaN); keep them as reported.
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public async Task<string> CreateSearchAsync(SearchSpec spec, CancellationToken cancellationToken)
    {
        TrialStoreRules.ValidateSpec(spec);
        var row = new SearchRow
        {
            Id = Guid.NewGuid().ToString("N"),
            SpaceJson = spec.Space.ToJson(),
            DirectionsJson = JsonSerializer.Serialize(spec.Directions, Json),
            Seed = spec.Seed,
            BudgetTrials = spec.Budget.Trials,
            BudgetWallClock = spec.Budget.WallClock,
            CreatedAt = Now().UtcDateTime,
        };
        db.SearchRows.Add(row);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        finally
        {
            db.Entry(row).State = EntityState.Detached;
        }

        return row.Id;
    }

    public async Task<StoredSearch> GetSearchAsync(string searchId, CancellationToken cancellationToken) =>
        ToStoredSearch(await FindSearchAsync(searchId, cancellationToken));

    public async Task<IReadOnlyList<Trial>> GetTrialsAsync(string searchId, CancellationToken cancellationToken)
    {
        var trials = await LoadTrialsAsync(searchId, cancellationToken);
        if (trials.Count == 0)
        {
            await FindSearchAsync(searchId, cancellationToken);
        }

        return trials;
    }

    public async Task<Trial?> AskAsync(string searchId, string worker, TrialSampler sample, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            TrialRow? added = null;
            try
            {
                return await InWriteTransactionAsync(async () =>
                {
                    await LockSearchAsync(searchId, cancellationToken);
                    var search = await FindSearchAsync(searchId, cancellationToken);
                    var spec = ToSpec(search);
                    var trials = await LoadTrialsAsync(searchId, cancellationToken);
                    var number = trials.Count == 0 ? 0 : trials[^1].Number + 1;
                    var now = Now();
                    var trial = TrialStoreRules.StartTrial(spec, trials, number, worker, sample, now);
                    if (trial is null)
                    {
                        return null;
                    }

                    added = ToRow(searchId, trial);
                    db.TrialRows.Add(added);
                    await db.SaveChangesAsync(cancellationToken);
                    if (search.StartedAt is null)
                    {
                        var utc = now.UtcDateTime;
                        await db.SearchRows
                            .Where(s => s.Id == searchId && s.StartedAt == null)
                            .ExecuteUpdateAsync(s => s.SetProperty(x => x.StartedAt, utc), cancellationToken);
                    }

                    return trial;
                }, cancellationToken);
            }
            catch (DbUpdateException e) when (IsUniqueViolation(e) && attempt < MaxAskAttempts && db.Database.CurrentTransaction is null)
            {
                // Another worker took this number between our read and our insert: the transaction was rolled back;
                // sample again, in a new one, on the fresh history. (Inside a caller's transaction, which the failed
                // insert has aborted on PostgreSQL, the caller decides: the exception goes to it.)
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(1, 5 * attempt)), cancellationToken);
            }
            finally
            {
                if (added is not null)
                {
                    db.Entry(added).State = EntityState.Detached;
                }
            }
        }
    }

    public Task ReportAsync(string searchId, int number, int step, double value, CancellationToken cancellationToken) =>
        InWriteTransactionAsync<object?>(async () =>
        {
            var now = Now().UtcDateTime;
            // The conditional update comes first: it refuses a trial that is not Running and, on databases with row
            // locks (PostgreSQL), holds the trial's row until the transaction ends, so two reports cannot interleave: the
            // second waits for the first to commit, and its read below (a new snapshot at read committed) sees it.
            var running = await Running(searchId, number)
                .ExecuteUpdateAsync(s => s.SetProperty(t => t.HeartbeatAt, now), cancellationToken);
            if (running == 0)
            {
                throw await WhyNotRunningAsync(searchId, number, cancellationToken);
            }

            var json = await Running(searchId, number).Select(t => t.IntermediateJson).SingleAsync(cancellationToken);
            var intermediate = Deserialize<List<IntermediateValue>>(json)
                .Where(i => i.Step != step)
                .Append(new IntermediateValue(step, value))
                .OrderBy(i => i.Step)
                .ToList();
            var updated = JsonSerializer.Serialize(intermediate, Json);
            await Running(searchId, number)
                .ExecuteUpdateAsync(s => s.SetProperty(t => t.IntermediateJson, updated), cancellationToken);
            return null;
        }, cancellationToken);

    public async Task HeartbeatAsync(string searchId, int number, CancellationToken cancellationToken)
    {
        var now = Now().UtcDateTime;
        var running = await Running(searchId, number)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.HeartbeatAt, now), cancellationToken);
        if (running == 0)
        {
            throw await WhyNotRunningAsync(searchId, number, cancellationToken);
        }
    }

    public async Task TellAsync(string searchId, int number, TrialOutcome outcome, CancellationToken cancellationToken)
    {
        TrialStoreRules.ValidateOutcome(ToSpec(await FindSearchAsync(searchId, cancellationToken)), number, outcome);
        var now = Now().UtcDateTime;
        var values = outcome.State == TrialState.Complete ? JsonSerializer.Serialize(outcome.Values, Json) : null;
        var running = await Running(searchId, number)
            .ExecuteUpdateAsync(s => s
                .SetProperty(t => t.State, outcome.State)
                .SetProperty(t => t.ValuesJson, values)
                .SetProperty(t => t.Error, outcome.Error)
                .SetProperty(t => t.FinishedAt, now)
                .SetProperty(t => t.HeartbeatAt, now), cancellationToken);
        if (running == 0)
        {
            throw await WhyNotRunningAsync(searchId, number, cancellationToken);
        }
    }

    public async Task<int> FailStaleTrialsAsync(string searchId, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var exactNow = clock.GetUtcNow().UtcDateTime;
        var now = Truncate(exactNow);
        // Stale: a heartbeat more than the timeout before now. Stored heartbeats are whole microseconds, so comparing
        // them with the cutoff rounded up to the next microsecond gives the exact answer on a microsecond database.
        var cutoff = Ceiling(exactNow - timeout);
        var because = $" for {timeout.TotalSeconds:0} s: the worker stopped or lost contact.";
        var failed = await db.TrialRows
            .Where(t => t.SearchId == searchId && t.State == TrialState.Running && t.HeartbeatAt < cutoff)
            .ExecuteUpdateAsync(s => s
                .SetProperty(t => t.State, TrialState.Failed)
                .SetProperty(t => t.Stale, true)
                .SetProperty(t => t.FinishedAt, now)
                .SetProperty(t => t.Error, t => "No heartbeat from " + t.Worker + because), cancellationToken);
        if (failed == 0)
        {
            await FindSearchAsync(searchId, cancellationToken);
        }

        return failed;
    }

    /// <summary>
    /// On PostgreSQL, locks the search's row until the transaction ends, so asks of one search run one at a time (see
    /// the remarks). SQLite's <c>BEGIN IMMEDIATE</c> has already locked the whole database.
    /// </summary>
    private async Task LockSearchAsync(string searchId, CancellationToken cancellationToken)
    {
        if (db.Database.IsNpgsql())
        {
            await db.Database
                .SqlQuery<string>($"SELECT \"Id\" AS \"Value\" FROM \"Searches\" WHERE \"Id\" = {searchId} FOR NO KEY UPDATE")
                .ToListAsync(cancellationToken);
        }
    }

    /// <summary>The clock's reading, truncated to the microsecond: what every database keeps.</summary>
    private DateTimeOffset Now() => new(Truncate(clock.GetUtcNow().UtcDateTime));

    private static DateTime Truncate(DateTime value) => value.AddTicks(-(value.Ticks % TimeSpan.TicksPerMicrosecond));

    private static DateTime Ceiling(DateTime value) =>
        value.Ticks % TimeSpan.TicksPerMicrosecond == 0 ? value : Truncate(value).AddTicks(TimeSpan.TicksPerMicrosecond);

    private IQueryable<TrialRow> Running(string searchId, int number) =>
        db.TrialRows.Where(t => t.SearchId == searchId && t.Number == number && t.State == TrialState.Running);

    /// <summary>The exception for a trial a conditional update did not find Running: no such search or trial, or finished.</summary>
    private async Task<Exception> WhyNotRunningAsync(string searchId, int number, CancellationToken cancellationToken)
    {
        var trial = await db.TrialRows.AsNoTracking()
            .Where(t => t.SearchId == searchId && t.Number == number)
            .Select(t => new { t.State, t.Stale })
            .SingleOrDefaultAsync(cancellationToken);
        if (trial is not null)
        {
            return TrialStoreRules.NotRunning(number, trial.State, trial.Stale);
        }

        await FindSearchAsync(searchId, cancellationToken);
        return new KeyNotFoundException($"Search {searchId} has no trial {number}.");
    }

    /// <summary>
    /// Runs <paramref name="work"/> in a write transaction: on SQLite <c>BEGIN IMMEDIATE</c>, which holds the database's
    /// write lock from its first statement; elsewhere the provider's default (read committed on PostgreSQL), where the
    /// work takes the row locks it needs. Rolled back when <paramref name="work"/> throws. Inside a transaction the
    /// caller already began, runs in that one.
    /// </summary>
    private async Task<T> InWriteTransactionAsync<T>(Func<Task<T>> work, CancellationToken cancellationToken)
    {
        if (db.Database.CurrentTransaction is not null)
        {
            return await work();
        }

        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await using var transaction = await BeginWriteTransactionAsync(cancellationToken);
            try
            {
                var result = await work();
                await transaction.CommitAsync(cancellationToken);
                return result;
            }
            finally
            {
                await db.Database.UseTransactionAsync(null, CancellationToken.None);
            }
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    private async Task<DbTransaction> BeginWriteTransactionAsync(CancellationToken cancellationToken)
    {
        DbTransaction transaction = db.Database.GetDbConnection() is SqliteConnection sqlite
            // deferred: false is BEGIN IMMEDIATE; a busy database is retried up to the connection's Default Timeout.
            ? sqlite.BeginTransaction(deferred: false)
            : await db.Database.GetDbConnection().BeginTransactionAsync(cancellationToken);
        try
        {
            await db.Database.UseTransactionAsync(transaction, cancellationToken);
            return transaction;
        }
        catch
        {
            await transaction.DisposeAsync();
            throw;
        }
    }

    /// <summary>A unique index refused the insert: SQLite's SQLITE_CONSTRAINT_UNIQUE / _PRIMARYKEY, or SQLSTATE 23505.</summary>
    private static bool IsUniqueViolation(DbUpdateException e) => e.InnerException switch
    {
        SqliteException sqlite => sqlite.SqliteExtendedErrorCode is 2067 or 1555,
        DbException other => other.SqlState == "23505",
        _ => false,
    };

    private async Task<SearchRow> FindSearchAsync(string searchId, CancellationToken cancellationToken) =>
        await db.SearchRows.AsNoTracking().SingleOrDefaultAsync(s => s.Id == searchId, cancellationToken)
        ?? throw new KeyNotFoundException($"No search has the id '{searchId}'.");

    private async Task<List<Trial>> LoadTrialsAsync(string searchId, CancellationToken cancellationToken)
    {
        var rows = await db.TrialRows.AsNoTracking()
            .Where(t => t.SearchId == searchId)
            .OrderBy(t => t.Number)
            .ToListAsync(cancellationToken);
        return rows.Select(ToTrial).ToList();
    }

    private static SearchSpec ToSpec(SearchRow row) => new(
        SearchSpace.FromJson(row.SpaceJson),
        Deserialize<List<Direction>>(row.DirectionsJson),
        row.Seed,
        new Budget(row.BudgetTrials, row.BudgetWallClock));

    private static StoredSearch ToStoredSearch(SearchRow row) =>
        new(row.Id, ToSpec(row), Utc(row.CreatedAt), row.StartedAt is { } started ? Utc(started) : null);

    private static TrialRow ToRow(string searchId, Trial trial) => new()
    {
        SearchId = searchId,
        Number = trial.Number,
        State = trial.State,
        ParamsJson = JsonSerializer.Serialize(trial.Params, Json),
        ValuesJson = trial.Values is null ? null : JsonSerializer.Serialize(trial.Values, Json),
        IntermediateJson = JsonSerializer.Serialize(trial.Intermediate, Json),
        StartedAt = trial.StartedAt.UtcDateTime,
        FinishedAt = trial.FinishedAt?.UtcDateTime,
        HeartbeatAt = trial.HeartbeatAt.UtcDateTime,
        Worker = trial.Worker ?? "",
        Error = trial.Error,
        Stale = trial.Stale,
    };

    private static Trial ToTrial(TrialRow row) => new()
    {
        Number = row.Number,
        State = row.State,
        Params = new Dictionary<string, double>(Deserialize<Dictionary<string, double>>(row.ParamsJson), StringComparer.Ordinal),
        Values = row.ValuesJson is null ? null : Deserialize<List<double>>(row.ValuesJson),
        Intermediate = Deserialize<List<IntermediateValue>>(row.IntermediateJson),
        StartedAt = Utc(row.StartedAt),
        FinishedAt = row.FinishedAt is { } finished ? Utc(finished) : null,
        HeartbeatAt = Utc(row.HeartbeatAt),
        Worker = row.Worker,
        Error = row.Error,
        Stale = row.Stale,
    };

    private static T Deserialize<T>(string json) =>
        JsonSerializer.Deserialize<T>(json, Json) ?? throw new InvalidDataException($"Stored JSON is null where a {typeof(T).Name} was expected.");

    /// <summary>SQLite gives dates back without a kind (PostgreSQL as UTC); the store writes only UTC.</summary>
    private static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));
}
