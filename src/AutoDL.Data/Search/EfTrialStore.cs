using System.Data.Common;
using System.Text.Json;
using System.Text.Json.Serialization;
using AutoDL.Core.Search;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace AutoDL.Data.Search;

/// <summary>
/// The trial store in the application database, for many workers in many processes on one SQLite file (and, later,
/// on PostgreSQL). Behaves exactly as <see cref="InMemoryTrialStore"/>: same checks, same exceptions, same messages.
/// </summary>
/// <remarks>
/// <para>
/// Concurrency. Every write either is one conditional statement (tell, heartbeat, stale sweep: <c>UPDATE ... WHERE
/// State = 'Running'</c>, so of a tell and a sweep racing for one trial exactly one changes it and the other sees it
/// finished) or runs in a write transaction (ask, report). On SQLite that transaction is <c>BEGIN IMMEDIATE</c>: it takes
/// the database's write lock before reading anything, so asks are serialised across connections and processes, the
/// history an ask samples from is the history its trial joins, and no transaction ever has to upgrade a read lock
/// (which SQLite answers with SQLITE_BUSY however long one waits). A writer that finds the lock taken waits for it:
/// Microsoft.Data.Sqlite retries a busy database until the connection's <c>Default Timeout</c> (30 s unless the
/// connection string says otherwise).
/// </para>
/// <para>
/// Numbers are the highest number so far plus one, and the unique index on (SearchId, Number) is the last line of
/// defence: where the write lock is not taken up front (PostgreSQL at read committed), two asks that read the same
/// history pick the same number, one insert fails, and that ask starts again on the fresh history. That also keeps the
/// trial budget: a trial is only ever added by an ask that saw every trial before it.
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
            CreatedAt = clock.GetUtcNow().UtcDateTime,
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
                    var search = await FindSearchAsync(searchId, cancellationToken);
                    var spec = ToSpec(search);
                    var trials = await LoadTrialsAsync(searchId, cancellationToken);
                    var number = trials.Count == 0 ? 0 : trials[^1].Number + 1;
                    var now = clock.GetUtcNow();
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
            catch (DbUpdateException e) when (IsUniqueViolation(e) && attempt < MaxAskAttempts)
            {
                // Another worker took this number between our read and our insert: sample again on the fresh history.
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
            var now = clock.GetUtcNow().UtcDateTime;
            // The conditional update comes first: it refuses a trial that is not Running and, on databases with row
            // locks, holds the trial's row until the transaction ends, so two reports cannot interleave.
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
        var now = clock.GetUtcNow().UtcDateTime;
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
        var now = clock.GetUtcNow().UtcDateTime;
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
        var now = clock.GetUtcNow().UtcDateTime;
        var cutoff = now - timeout;
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
    /// Runs <paramref name="work"/> in a transaction that holds the database's write lock from its first statement:
    /// <c>BEGIN IMMEDIATE</c> on SQLite. Inside a transaction the caller already began, runs in that one.
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

    /// <summary>SQLite gives dates back without a kind; the store writes only UTC.</summary>
    private static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));
}
