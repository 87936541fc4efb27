namespace AutoDL.Web.Auth;

/// <summary>The first Admin, created on the first start with an empty database. Bound from <c>AutoDL:Bootstrap</c>.</summary>
public sealed record BootstrapOptions
{
    public const string Section = "AutoDL:Bootstrap";

    public string AdminEmail { get; init; } = "admin@autodl.local";

    /// <summary>Empty: a random password is generated and written once to the log.</summary>
    public string? AdminPassword { get; init; }

    /// <summary>Optional API token for the Admin (environment: <c>AutoDL__Bootstrap__AdminApiToken</c>); stored hashed.</summary>
    public string? AdminApiToken { get; init; }
}
