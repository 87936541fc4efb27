namespace AutoDL.Data;

/// <summary>Where the application database lives. Bound from <c>AutoDL:Database</c>.</summary>
public sealed record DatabaseOptions
{
    public const string Section = "AutoDL:Database";

    /// <summary>
    /// <c>Sqlite</c> (embedded, the default) or <c>PostgreSql</c> (distributed mode: workers on other machines), in any
    /// letter case.
    /// </summary>
    public string Provider { get; init; } = nameof(DatabaseProvider.Sqlite);

    /// <summary>Empty means <c>Data Source={DataRoot}/autodl.db</c> for SQLite; PostgreSQL needs one.</summary>
    public string? ConnectionString { get; init; }
}

/// <summary>The database engines the application database runs on.</summary>
public enum DatabaseProvider
{
    Sqlite,
    PostgreSql,
}

/// <summary>The application database as configured and checked: its engine and the connection string to use.</summary>
public sealed record DatabaseConnection(DatabaseProvider Provider, string ConnectionString)
{
    /// <summary>Never the connection string: it may hold a password.</summary>
    public override string ToString() => Provider.ToString();
}
