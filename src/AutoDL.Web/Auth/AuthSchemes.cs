namespace AutoDL.Web.Auth;

/// <summary>Names of the authentication schemes and authorization policies.</summary>
public static class AuthSchemes
{
    /// <summary>Picks the bearer-token scheme when a request carries <c>Authorization: Bearer</c>, the cookie otherwise.</summary>
    public const string Default = "AutoDL";

    public const string ApiToken = "ApiToken";

    /// <summary>Policy: signed in with the Admin role.</summary>
    public const string AdminPolicy = "Admin";

    /// <summary>Policy: may change things (upload and delete datasets, start, cancel and refit): Admins and Analysts; Auditors only read.</summary>
    public const string WriterPolicy = "Writer";

    /// <summary>Policy: may see who viewed and downloaded reports: Admins and Auditors.</summary>
    public const string AuditPolicy = "Audit";
}
