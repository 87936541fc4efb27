namespace AutoDL.Data.Reports;

/// <summary>
/// An explainability and fairness report of one model (table <c>Reports</c>). A job computes it once; when Ready its
/// document is a file under the data folder (<c>reports/{id}.json</c>, the canonical JSON whose SHA-256 is
/// <see cref="Sha256"/>, and <c>reports/{id}.html</c>, the self-contained download) that is never rewritten.
/// Times are UTC <see cref="DateTime"/>s.
/// </summary>
public sealed class ReportRow
{
    public const int IdLength = 32;

    public required string Id { get; init; }

    public required string ModelId { get; init; }

    /// <summary>What was asked (methods, rows, sensitive columns), as JSON.</summary>
    public required string RequestJson { get; init; }

    public ReportState State { get; set; }

    /// <summary>Share of the work done, 0 to 1, while Running.</summary>
    public double Progress { get; set; }

    /// <summary>What the job is doing now, in words ("SHAP values of 20 rows").</summary>
    public string? Stage { get; set; }

    /// <summary>The report's JSON document, relative to the data folder; set when Ready.</summary>
    public string? StoredPath { get; set; }

    /// <summary>The self-contained HTML download, relative to the data folder; set when Ready.</summary>
    public string? HtmlPath { get; set; }

    /// <summary>Hex SHA-256 of the JSON document's bytes; set when Ready.</summary>
    public string? Sha256 { get; set; }

    public DateTime CreatedAt { get; init; }

    public string? CreatedBy { get; init; }

    public DateTime? FinishedAt { get; set; }

    /// <summary>Why the report failed, in words for the user.</summary>
    public string? Error { get; set; }
}

public enum ReportState
{
    Queued,
    Running,
    Ready,
    Failed,
}

/// <summary>One opening or download of a report (table <c>ReportViews</c>): append-only, shown to Auditors and Admins.</summary>
public sealed class ReportViewRow
{
    public long Id { get; init; }

    public required string ReportId { get; init; }

    /// <summary>The user's name (their email), or the API token's owner.</summary>
    public required string User { get; init; }

    /// <summary><c>viewed</c>, <c>downloaded-html</c> or <c>downloaded-json</c>.</summary>
    public required string Action { get; init; }

    public DateTime At { get; init; }
}
