namespace AutoDL.Data.Datasets;

/// <summary>
/// One immutable dataset version (table <c>Datasets</c>): the uploaded file as stored under the data folder, its
/// SHA-256 (unique: the same bytes are the same version), what reading it found, and its profile once computed.
/// Times are UTC <see cref="DateTime"/>s.
/// </summary>
public sealed class DatasetRow
{
    public const int IdLength = 32;

    public required string Id { get; init; }

    /// <summary>The name shown to users: the upload's <c>name</c> field, else the file name without extension.</summary>
    public required string Name { get; set; }

    public required DatasetKind Kind { get; init; }

    /// <summary>Lower-case hex SHA-256 of the stored bytes.</summary>
    public required string Sha256 { get; init; }

    /// <summary>The uploaded file's own name (no directories).</summary>
    public required string FileName { get; init; }

    /// <summary>Where the bytes are, relative to the data folder, with forward slashes (<c>datasets/{sha256}.csv</c>).</summary>
    public required string StoredPath { get; init; }

    public long SizeBytes { get; init; }

    /// <summary>Data rows (CSV) or readable images (zip).</summary>
    public long Rows { get; set; }

    /// <summary>What reading the whole file found, as JSON: columns (name, type, missing, unique), classes for image zips, warnings.</summary>
    public required string SchemaJson { get; set; }

    public DateTime CreatedAt { get; init; }

    /// <summary>The user who uploaded it (Identity user id); null for the sample datasets.</summary>
    public string? CreatedBy { get; init; }

    public ProfileState ProfileState { get; set; }

    /// <summary>0..1 while a profile is computed (uploads store it Ready, at 1).</summary>
    public double ProfileProgress { get; set; }

    /// <summary>The finished profile, as JSON (statistics per column, histograms, correlations, class balance, preview).</summary>
    public string? ProfileJson { get; set; }

    /// <summary>Why profiling failed, in words for the user.</summary>
    public string? ProfileError { get; set; }
}

public enum DatasetKind
{
    Tabular,
    Images,
}

public enum ProfileState
{
    Pending,
    Running,
    Ready,
    Failed,
}
