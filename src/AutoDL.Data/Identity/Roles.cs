namespace AutoDL.Data.Identity;

/// <summary>The roles AutoDL knows. The fuller roles-and-workspaces model extends this one place.</summary>
public static class Roles
{
    public const string Admin = "Admin";
    public const string Analyst = "Analyst";
    public const string Auditor = "Auditor";

    public static IReadOnlyList<string> All { get; } = [Admin, Analyst, Auditor];
}
