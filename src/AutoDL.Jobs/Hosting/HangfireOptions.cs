namespace AutoDL.Jobs.Hosting;

/// <summary>Background job settings. Bound from <c>AutoDL:Hangfire</c>.</summary>
public sealed record HangfireOptions
{
    public const string Section = "AutoDL:Hangfire";

    /// <summary>Run a Hangfire server inside this process (the web app in embedded mode, always the worker).</summary>
    public bool Server { get; init; } = true;

    /// <summary>Jobs run at once by this process; 0 means one per processor core.</summary>
    public int WorkerCount { get; init; }

    /// <summary>
    /// Queues this process takes jobs from, most urgent first; empty means <c>default</c> and <c>cpu</c>.
    /// GPU machines add <c>gpu</c>. (No initializer: configuration binding appends to an initialized array.)
    /// </summary>
    public string[] Queues { get; init; } = [];

    public string[] EffectiveQueues => Queues.Length > 0 ? Queues : [JobQueues.Default, JobQueues.Cpu];

    /// <summary>
    /// Where Hangfire keeps its jobs: <c>Sqlite</c> or <c>PostgreSql</c> (any letter case). Empty means the application
    /// database's provider (<c>AutoDL:Database:Provider</c>), so distributed mode is one switch.
    /// </summary>
    public string? Storage { get; init; }

    /// <summary>Hangfire's SQLite file; empty means <c>{DataRoot}/hangfire.db</c>.</summary>
    public string? StoragePath { get; init; }

    /// <summary>
    /// Hangfire's PostgreSQL database (its tables go in the schema <c>hangfire</c>); empty means the application
    /// database's connection string, when that is PostgreSQL.
    /// </summary>
    public string? ConnectionString { get; init; }
}
