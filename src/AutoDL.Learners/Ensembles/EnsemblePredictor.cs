using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Serialization;
using AutoDL.Learners.Tabular;

namespace AutoDL.Learners.Ensembles;

/// <summary>One member of a stored ensemble: the trial it was fitted from, its weight (picks), and its zip entry.</summary>
public sealed record EnsembleMemberInfo(int Trial, int Weight, string Entry);

/// <summary>The description entry of an ensemble zip.</summary>
internal sealed record EnsembleInfo(int Format, string Target, TabularTask Task, IReadOnlyList<string> Classes, IReadOnlyList<EnsembleMemberInfo> Members)
{
    public const int CurrentFormat = 1;

    /// <summary>The zip entry holding this record; the members are ML.NET zips under <c>members/</c>.</summary>
    public const string EntryName = "AutoDL/ensemble.json";

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
        WriteIndented = true,
    };
}

/// <summary>
/// A weighted ensemble of tabular models of one experiment: it predicts the weighted mean of its members' class
/// probabilities (the class is the most probable one, ties to the earlier class) or values. Saved as one zip holding
/// each member's own model zip (<c>members/trial-{n}.zip</c>, each loadable by <see cref="TabularPredictor.LoadAsync"/>)
/// and <c>AutoDL/ensemble.json</c> with the weights.
/// </summary>
public sealed class EnsemblePredictor : ITabularPredictor
{
    private readonly IReadOnlyList<(int Trial, int Weight, TabularPredictor Predictor)> _members;
    private readonly double _totalWeight;

    /// <exception cref="ArgumentException">No members, a weight below 1, or members that disagree on task, target, classes or inputs.</exception>
    public EnsemblePredictor(IReadOnlyList<(int Trial, int Weight, TabularPredictor Predictor)> members)
    {
        ArgumentNullException.ThrowIfNull(members);
        if (members.Count == 0 || members.Any(m => m.Weight < 1))
        {
            throw new ArgumentException("An ensemble needs at least one member, each of weight 1 or more.", nameof(members));
        }

        var first = members[0].Predictor;
        if (members.Any(m => m.Predictor.Task != first.Task || m.Predictor.Target != first.Target
                             || !m.Predictor.Classes.SequenceEqual(first.Classes)
                             || !m.Predictor.InputColumns.SequenceEqual(first.InputColumns)))
        {
            throw new ArgumentException("The members of an ensemble must be models of the same experiment.", nameof(members));
        }

        _members = members;
        _totalWeight = members.Sum(m => m.Weight);
    }

    public IReadOnlyList<EnsembleMemberInfo> Members => [.. _members.Select(m => new EnsembleMemberInfo(m.Trial, m.Weight, EntryOf(m.Trial)))];

    public TabularTask Task => _members[0].Predictor.Task;

    public string Target => _members[0].Predictor.Target;

    public IReadOnlyList<string> Classes => _members[0].Predictor.Classes;

    public IReadOnlyList<TabularColumn> InputColumns => _members[0].Predictor.InputColumns;

    public IReadOnlyList<TabularPrediction> Predict(IReadOnlyList<IReadOnlyDictionary<string, object?>> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var each = _members.Select(m => (m.Weight, Predictions: m.Predictor.Predict(rows))).ToList();
        var result = new TabularPrediction[rows.Count];
        for (var i = 0; i < rows.Count; i++)
        {
            if (Task == TabularTask.Regression)
            {
                result[i] = new TabularPrediction(null, each.Sum(m => m.Weight * m.Predictions[i].Value ?? double.NaN) / _totalWeight, null);
                continue;
            }

            var probabilities = new Dictionary<string, double>(StringComparer.Ordinal);
            foreach (var c in Classes)
            {
                probabilities[c] = each.Sum(m => m.Weight * (m.Predictions[i].Probabilities?.GetValueOrDefault(c) ?? 0)) / _totalWeight;
            }

            var best = Classes[0];
            foreach (var c in Classes)
            {
                if (probabilities[c] > probabilities[best])
                {
                    best = c;
                }
            }

            result[i] = new TabularPrediction(best, null, probabilities);
        }

        return result;
    }

    /// <summary>Writes the ensemble zip: every member's model zip and the description entry.</summary>
    public async Task SaveAsync(string path, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var folder = Directory.CreateTempSubdirectory("autodl-ensemble-");
        try
        {
            foreach (var (trial, _, predictor) in _members)
            {
                await predictor.SaveAsync(Path.Combine(folder.FullName, $"trial-{trial}.zip"), cancellationToken);
            }

            await System.Threading.Tasks.Task.Run(
                () =>
                {
                    File.Delete(path);
                    using var zip = ZipFile.Open(path, ZipArchiveMode.Create);
                    foreach (var (trial, _, _) in _members)
                    {
                        // Member zips are compressed already.
                        zip.CreateEntryFromFile(Path.Combine(folder.FullName, $"trial-{trial}.zip"), EntryOf(trial), CompressionLevel.NoCompression);
                    }

                    var entry = zip.CreateEntry(EnsembleInfo.EntryName);
                    using var stream = entry.Open();
                    JsonSerializer.Serialize(stream, new EnsembleInfo(EnsembleInfo.CurrentFormat, Target, Task, Classes, Members), EnsembleInfo.Json);
                },
                cancellationToken);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    /// <summary>Whether <paramref name="path"/> is an ensemble zip (else, presumably, one model's zip).</summary>
    public static bool IsEnsemble(string path)
    {
        using var zip = ZipFile.OpenRead(path);
        return zip.GetEntry(EnsembleInfo.EntryName) is not null;
    }

    /// <summary>Loads a model zip: an ensemble's or one model's (<see cref="TabularPredictor.LoadAsync"/>).</summary>
    /// <exception cref="InvalidDataException">The file is neither.</exception>
    public static async Task<ITabularPredictor> LoadAnyAsync(string path, CancellationToken cancellationToken) =>
        IsEnsemble(path) ? await LoadAsync(path, cancellationToken)
        : Neural.NeuralPredictor.IsNeuralModel(path) ? await Neural.NeuralPredictor.LoadAsync(path, cancellationToken)
        : await TabularPredictor.LoadAsync(path, cancellationToken);

    /// <exception cref="InvalidDataException">The file is not an ensemble saved by AutoDL.</exception>
    public static async Task<EnsemblePredictor> LoadAsync(string path, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var folder = Directory.CreateTempSubdirectory("autodl-ensemble-");
        try
        {
            EnsembleInfo info;
            using (var zip = ZipFile.OpenRead(path))
            {
                var entry = zip.GetEntry(EnsembleInfo.EntryName)
                    ?? throw new InvalidDataException($"'{path}' is not an ensemble saved by AutoDL: it has no {EnsembleInfo.EntryName}.");
                using (var stream = entry.Open())
                {
                    info = JsonSerializer.Deserialize<EnsembleInfo>(stream, EnsembleInfo.Json)
                        ?? throw new InvalidDataException($"'{path}' has an empty {EnsembleInfo.EntryName}.");
                }

                if (info.Format != EnsembleInfo.CurrentFormat)
                {
                    throw new InvalidDataException($"'{path}' is an ensemble of format {info.Format}; this version reads format {EnsembleInfo.CurrentFormat}.");
                }

                foreach (var member in info.Members)
                {
                    var memberEntry = zip.GetEntry(member.Entry) ?? throw new InvalidDataException($"'{path}' lacks its member {member.Entry}.");
                    memberEntry.ExtractToFile(Path.Combine(folder.FullName, $"trial-{member.Trial}.zip"));
                }
            }

            var members = new List<(int, int, TabularPredictor)>(info.Members.Count);
            foreach (var member in info.Members)
            {
                members.Add((member.Trial, member.Weight, await TabularPredictor.LoadAsync(Path.Combine(folder.FullName, $"trial-{member.Trial}.zip"), cancellationToken)));
            }

            return new EnsemblePredictor(members);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static string EntryOf(int trial) => $"members/trial-{trial}.zip";
}
