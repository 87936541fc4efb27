namespace AutoDL.Data;

/// <summary>Where the application database lives. Bound from <c>AutoDL:Database</c>.</summary>
public sealed record DatabaseOptions
{
    public const string Section = "AutoDL:Database";

    /// <summary><c>Sqlite</c> (embedded, the default). PostgreSQL arrives with distributed mode.</summary>
    public string Provider { get; init; } = "Sqlite";

    /// <summary>Empty means <c>Data Source={DataRoot}/autodl.db</c>.</summary>
    public string? ConnectionString { get; init; }
}
