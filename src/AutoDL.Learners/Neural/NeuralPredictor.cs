using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Serialization;
using AutoDL.Core.Datasets.Images;
using AutoDL.Learners.Tabular;
using static TorchSharp.torch;

namespace AutoDL.Learners.Neural;

/// <summary>What a saved image model records beside its architecture and weights: how to read images, and its classes.</summary>
internal sealed record NeuralModelInfo(int Format, string Learner, TabularMetric Metric, IReadOnlyList<string> Classes, int Channels, int Height, int Width)
{
    public const int CurrentFormat = 1;
    public const string InfoEntry = "AutoDL/neural-model.json";
    public const string ArchitectureEntry = "AutoDL/architecture.json";
    public const string WeightsEntry = "AutoDL/weights.bin";

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };
}

/// <summary>
/// A trained image classifier that predicts rows holding one image each, under <see cref="ImageColumn"/>: the file's
/// bytes in base64 (a <c>data:image/...;base64,</c> prefix is allowed), or the bytes themselves. Images are decoded and
/// resized as the training images were. Saved as one zip: the architecture JSON (<see cref="NetworkSpec"/>), the
/// weights (TorchSharp's format) and what it needs to read images; <see cref="LoadAsync"/> reads it back in any process.
/// </summary>
public sealed class NeuralPredictor : ITabularPredictor, IDisposable
{
    /// <summary>The one input a row needs.</summary>
    public const string ImageColumn = "image";

    private readonly NeuralModelInfo _info;
    private readonly object _lock = new();

    internal NeuralPredictor(SpecNetwork network, NeuralModelInfo info)
    {
        Network = network;
        _info = info;
        network.eval();
    }

    /// <summary>The trained network (CPU, eval mode).</summary>
    public SpecNetwork Network { get; }

    public TabularTask Task => _info.Classes.Count == 2 ? TabularTask.Binary : TabularTask.Multiclass;

    public string Target => "class";

    public IReadOnlyList<string> Classes => _info.Classes;

    public IReadOnlyList<TabularColumn> InputColumns { get; } = [new(ImageColumn, TabularColumnKind.Text)];

    /// <summary>One image's shape, <c>[C, H, W]</c>.</summary>
    public IReadOnlyList<int> Shape => [_info.Channels, _info.Height, _info.Width];

    public string Learner => _info.Learner;

    /// <exception cref="ArgumentException">A row has no image, or one that cannot be decoded; the message names the row and the column.</exception>
    public IReadOnlyList<TabularPrediction> Predict(IReadOnlyList<IReadOnlyDictionary<string, object?>> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var bytes = _info.Channels * _info.Height * _info.Width;
        var pixels = new byte[rows.Count * bytes];
        for (var i = 0; i < rows.Count; i++)
        {
            var file = File(rows, i);
            byte[] decoded;
            try
            {
                decoded = ImageDecoder.Decode(file, _info.Channels, _info.Height);
            }
            catch (InvalidDataException e)
            {
                throw new ArgumentException($"Row {i}, column '{ImageColumn}': the image cannot be decoded: {e.Message}.", nameof(rows), e);
            }

            decoded.CopyTo(pixels, i * bytes);
        }

        return PredictPixels(pixels, rows.Count);
    }

    /// <summary>Predicts images already decoded as the training images were (<c>[N, C, H, W]</c> bytes).</summary>
    public IReadOnlyList<TabularPrediction> PredictPixels(byte[] pixels, int count)
    {
        using var samples = NeuralSamples.FromImages(pixels, count, Shape, new long[count]);
        double[][] probabilities;
        lock (_lock)
        {
            (probabilities, _) = NeuralTrainer.Predict(Network, samples, CPU);
        }

        return [.. probabilities.Select(p =>
        {
            var best = Array.IndexOf(p, p.Max());
            return new TabularPrediction(Classes[best], null, Classes.Select((c, i) => (c, i)).ToDictionary(x => x.c, x => p[x.i], StringComparer.Ordinal));
        })];
    }

    public async Task SaveAsync(string path, CancellationToken cancellationToken)
    {
        await using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None);
        using var zip = new ZipArchive(stream, ZipArchiveMode.Create);
        await WriteEntryAsync(zip, NeuralModelInfo.InfoEntry, JsonSerializer.Serialize(_info, NeuralModelInfo.Json), cancellationToken);
        await WriteEntryAsync(zip, NeuralModelInfo.ArchitectureEntry, Network.Spec.ToJson(), cancellationToken);
        var weights = zip.CreateEntry(NeuralModelInfo.WeightsEntry, CompressionLevel.Fastest);
        await using var entry = weights.Open();
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            lock (_lock)
            {
                Network.save(writer);
            }
        }

        buffer.Position = 0;
        await buffer.CopyToAsync(entry, cancellationToken);
    }

    /// <summary>Whether <paramref name="path"/> is a neural model saved by AutoDL.</summary>
    public static bool IsNeuralModel(string path)
    {
        try
        {
            using var zip = ZipFile.OpenRead(path);
            return zip.GetEntry(NeuralModelInfo.InfoEntry) is not null;
        }
        catch (InvalidDataException)
        {
            return false;
        }
    }

    /// <exception cref="InvalidDataException">The file is not a neural model saved by AutoDL, or of a later format.</exception>
    public static async Task<NeuralPredictor> LoadAsync(string path, CancellationToken cancellationToken)
    {
        using var zip = ZipFile.OpenRead(path);
        var info = JsonSerializer.Deserialize<NeuralModelInfo>(await ReadEntryAsync(zip, path, NeuralModelInfo.InfoEntry, cancellationToken), NeuralModelInfo.Json)
            ?? throw new InvalidDataException($"'{path}' has an empty {NeuralModelInfo.InfoEntry}.");
        if (info.Format > NeuralModelInfo.CurrentFormat)
        {
            throw new InvalidDataException($"'{path}' is a neural model of format {info.Format}; this version reads up to {NeuralModelInfo.CurrentFormat}.");
        }

        var spec = NetworkSpec.FromJson(await ReadEntryAsync(zip, path, NeuralModelInfo.ArchitectureEntry, cancellationToken));
        using var generator = new Generator(0, CPU);
        var network = new SpecNetwork(spec, generator);
        try
        {
            var weights = zip.GetEntry(NeuralModelInfo.WeightsEntry) ?? throw new InvalidDataException($"'{path}' has no {NeuralModelInfo.WeightsEntry}.");
            using var buffer = new MemoryStream();
            await using (var entry = weights.Open())
            {
                await entry.CopyToAsync(buffer, cancellationToken);
            }

            buffer.Position = 0;
            using var reader = new BinaryReader(buffer);
            network.load(reader);
            return new NeuralPredictor(network, info);
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    public void Dispose() => Network.Dispose();

    private static byte[] File(IReadOnlyList<IReadOnlyDictionary<string, object?>> rows, int index)
    {
        var row = rows[index] ?? throw new ArgumentException($"Row {index} is null.", nameof(rows));
        if (!row.TryGetValue(ImageColumn, out var value) || value is null)
        {
            throw new ArgumentException($"Row {index}, column '{ImageColumn}': the model needs an image (its file's bytes in base64).", nameof(rows));
        }

        var text = value switch
        {
            byte[] raw => null,
            string s => s,
            JsonElement { ValueKind: JsonValueKind.String } json => json.GetString(),
            _ => throw new ArgumentException($"Row {index}, column '{ImageColumn}': expected the image file's bytes in base64, got {value.GetType().Name}.", nameof(rows)),
        };
        if (text is null)
        {
            return (byte[])value;
        }

        var comma = text.StartsWith("data:", StringComparison.OrdinalIgnoreCase) ? text.IndexOf(',', StringComparison.Ordinal) : -1;
        try
        {
            return Convert.FromBase64String(comma >= 0 ? text[(comma + 1)..] : text);
        }
        catch (FormatException e)
        {
            throw new ArgumentException($"Row {index}, column '{ImageColumn}': the image is not valid base64.", nameof(rows), e);
        }
    }

    private static async Task WriteEntryAsync(ZipArchive zip, string name, string text, CancellationToken cancellationToken)
    {
        await using var entry = zip.CreateEntry(name, CompressionLevel.Optimal).Open();
        await using var writer = new StreamWriter(entry);
        await writer.WriteAsync(text.AsMemory(), cancellationToken);
    }

    private static async Task<string> ReadEntryAsync(ZipArchive zip, string path, string name, CancellationToken cancellationToken)
    {
        var entry = zip.GetEntry(name) ?? throw new InvalidDataException($"'{path}' is not a neural model saved by AutoDL: it has no {name}.");
        using var reader = new StreamReader(entry.Open());
        return await reader.ReadToEndAsync(cancellationToken);
    }

    internal static NeuralModelInfo Info(ImageExperiment experiment, string learner) =>
        new(NeuralModelInfo.CurrentFormat, learner, experiment.Metric, experiment.Classes, experiment.Shape[0], experiment.Shape[1], experiment.Shape[2]);
}
