namespace AutoDL.Jobs.Hosting;

/// <summary>Settings every AutoDL process shares. Bound from <c>AutoDL</c>.</summary>
public sealed record AutoDLOptions
{
    public const string Section = "AutoDL";

    /// <summary>Datasets, models, reports and the SQLite databases live here. Relative to the content root.</summary>
    public string DataRoot { get; init; } = "data";
}
