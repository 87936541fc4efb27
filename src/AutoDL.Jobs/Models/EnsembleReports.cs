using System.Text.Json;
using AutoDL.Jobs.Hosting;

namespace AutoDL.Jobs.Models;

/// <summary>Settings of the ensemble a search builds when it finishes. Bound from <c>AutoDL:Ensembles</c>.</summary>
public sealed record EnsembleOptions
{
    public const string Section = "AutoDL:Ensembles";

    /// <summary>Whether a finishing search tries an ensemble of its best trials at all.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>Most trials (the best complete ones, distinct parameters) whose out-of-fold predictions are recomputed as candidates.</summary>
    public int Candidates { get; init; } = 10;

    /// <summary>Rounds of greedy selection (picks, repeats allowed).</summary>
    public int Rounds { get; init; } = 25;

    /// <summary>
    /// Recomputing a candidate's out-of-fold predictions costs its cross-validation again. Candidates are taken best
    /// first while their trials' summed durations stay within this share of the summed durations of every finished
    /// trial (the best two are always taken).
    /// </summary>
    public double ExtraTimeShare { get; init; } = 0.5;
}

/// <summary>One candidate of a search's ensemble: its trial, cross-validated (mean of folds) and out-of-fold (pooled) scores, and picks.</summary>
public sealed record EnsembleCandidateReport(int Trial, string Learner, double CrossValidated, double OutOfFold, int Weight);

/// <summary>
/// What a finishing search's ensemble step came to, kept beside the models as <c>models/ensembles/{searchId}.json</c>
/// (no table: it is a note for the search page). Scores are out-of-fold, pooled over every training row, on the
/// search's metric; <see cref="ModelId"/> is the stored ensemble model when one was kept.
/// </summary>
public sealed record EnsembleReport(
    bool Built, string Summary, string Metric, double? EnsembleScore, double? BestSingleScore, int? BestSingleTrial,
    IReadOnlyList<EnsembleCandidateReport> Candidates, string? ModelId, DateTime CreatedAt);

/// <summary>Reads and writes searches' <see cref="EnsembleReport"/>s under the data folder.</summary>
public sealed class EnsembleReports(DataFolder dataFolder)
{
    /// <summary>Null when the search has none (not finished yet, ensembles off, or a search from before ensembles).</summary>
    public async Task<EnsembleReport?> ReadAsync(string searchId, CancellationToken cancellationToken)
    {
        var path = PathOf(searchId);
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            await using var stream = File.OpenRead(path);
            return await JsonSerializer.DeserializeAsync<EnsembleReport>(stream, ModelJson.Options, cancellationToken);
        }
        catch (Exception e) when (e is JsonException or IOException)
        {
            return null;
        }
    }

    public async Task WriteAsync(string searchId, EnsembleReport report, CancellationToken cancellationToken)
    {
        var path = PathOf(searchId);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        var temporary = path + ".tmp";
        await using (var stream = File.Create(temporary))
        {
            await JsonSerializer.SerializeAsync(stream, report, ModelJson.Options, cancellationToken);
        }

        File.Move(temporary, path, overwrite: true);
    }

    private string PathOf(string searchId) =>
        System.IO.Path.Combine(dataFolder.Path, "models", "ensembles", $"{string.Concat(searchId.Where(char.IsAsciiLetterOrDigit))}.json");
}
