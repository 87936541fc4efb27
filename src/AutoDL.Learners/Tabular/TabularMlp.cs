using System.IO.Compression;
using System.Text.Json;
using AutoDL.Learners.Neural;
using Microsoft.ML;
using Microsoft.ML.Data;
using static TorchSharp.torch;

namespace AutoDL.Learners.Tabular;

/// <summary>What a saved MLP model records beside its network: the width of its input and how its output is scaled back.</summary>
internal sealed record TabularNetworkInfo(int Features, double TargetMean, double TargetScale);

/// <summary>
/// The network half of a fitted tabular MLP: the trained <see cref="SpecNetwork"/> (CPU, eval mode) that maps the
/// featurizer's <see cref="TabularPipeline.FeaturesColumn"/> vectors to class probabilities, or to a standardised
/// value that <see cref="TargetMean"/> and <see cref="TargetScale"/> turn back into the target's units. Its predictions
/// are laid out as <see cref="TabularExperiment.Predictions"/>'s; one prediction runs at a time (the network is shared).
/// </summary>
internal sealed class TabularNetwork : IDisposable
{
    public const string InfoEntry = "AutoDL/mlp.json";
    public const string ArchitectureEntry = "AutoDL/mlp-architecture.json";
    public const string WeightsEntry = "AutoDL/mlp-weights.bin";

    private readonly object _lock = new();

    public TabularNetwork(SpecNetwork network, TabularTask task, TabularNetworkInfo info)
    {
        Network = network;
        Task = task;
        Info = info;
        network.eval();
    }

    public SpecNetwork Network { get; }

    public TabularTask Task { get; }

    public TabularNetworkInfo Info { get; }

    public double TargetMean => Info.TargetMean;

    public double TargetScale => Info.TargetScale;

    /// <summary>The predictions of <paramref name="count"/> feature vectors (row-major), as <see cref="TabularExperiment.Predictions"/> lays them out.</summary>
    public double[] Predict(float[] features, int count)
    {
        if (count == 0)
        {
            return [];
        }

        using var samples = Task == TabularTask.Regression
            ? NeuralSamples.FromVectors(features, count, Info.Features, new float[count])
            : NeuralSamples.FromVectors(features, count, Info.Features, new long[count]);
        double[][] outputs;
        lock (_lock)
        {
            (outputs, _) = NeuralTrainer.Predict(Network, samples, CPU);
        }

        return Task == TabularTask.Regression
            ? [.. outputs.Select(o => TargetMean + TargetScale * o[0])]
            : [.. outputs.SelectMany(p => p)];
    }

    /// <summary>Adds the network's entries to a model zip.</summary>
    public void Write(ZipArchive zip)
    {
        using (var writer = new StreamWriter(zip.CreateEntry(InfoEntry).Open()))
        {
            writer.Write(JsonSerializer.Serialize(Info, TabularModelInfo.Json));
        }

        using (var writer = new StreamWriter(zip.CreateEntry(ArchitectureEntry).Open()))
        {
            writer.Write(Network.Spec.ToJson());
        }

        using var buffer = new MemoryStream();
        using (var binary = new BinaryWriter(buffer, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            lock (_lock)
            {
                Network.save(binary);
            }
        }

        using var entry = zip.CreateEntry(WeightsEntry, CompressionLevel.Fastest).Open();
        buffer.Position = 0;
        buffer.CopyTo(entry);
    }

    /// <summary>The network a model zip holds; null when it holds none (a model of an ML.NET learner).</summary>
    /// <exception cref="InvalidDataException">The zip holds part of a network only.</exception>
    public static TabularNetwork? Read(ZipArchive zip, string path, TabularTask task)
    {
        var infoEntry = zip.GetEntry(InfoEntry);
        if (infoEntry is null)
        {
            return null;
        }

        TabularNetworkInfo info;
        using (var stream = infoEntry.Open())
        {
            info = JsonSerializer.Deserialize<TabularNetworkInfo>(stream, TabularModelInfo.Json)
                ?? throw new InvalidDataException($"'{path}' has an empty {InfoEntry}.");
        }

        var architecture = zip.GetEntry(ArchitectureEntry) ?? throw new InvalidDataException($"'{path}' is an MLP model without its {ArchitectureEntry}.");
        var weights = zip.GetEntry(WeightsEntry) ?? throw new InvalidDataException($"'{path}' is an MLP model without its {WeightsEntry}.");
        NetworkSpec spec;
        using (var reader = new StreamReader(architecture.Open()))
        {
            spec = NetworkSpec.FromJson(reader.ReadToEnd());
        }

        using var generator = new Generator(0, CPU);
        var network = new SpecNetwork(spec, generator);
        try
        {
            using var buffer = new MemoryStream();
            using (var entry = weights.Open())
            {
                entry.CopyTo(buffer);
            }

            buffer.Position = 0;
            using var binary = new BinaryReader(buffer);
            network.load(binary);
            return new TabularNetwork(network, task, info);
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    public void Dispose() => Network.Dispose();
}

/// <summary>
/// Fits the tabular MLP: the ML.NET featurizer (<see cref="TabularPipeline.Featurizer"/>) on the fit's rows, then a
/// network of <see cref="Architectures.Mlp"/> trained by <see cref="NeuralTrainer"/> on their dense feature vectors,
/// with <see cref="EarlyStoppingShare"/> of them (stratified) held out to choose the best epoch. Classification
/// minimises cross-entropy; regression the mean squared error of the target standardised on the rows it trains on.
/// Everything random comes from the experiment's seed: the same seed fits the same model.
/// </summary>
internal static class TabularMlp
{
    /// <summary>Share of a fit's rows held out, stratified, to stop its training early (the best epoch's weights are kept).</summary>
    public const double EarlyStoppingShare = 0.15;

    /// <summary>Fewer rows than this train on all of them and stop early on the same rows.</summary>
    public const int MinRowsToHoldOut = 20;

    /// <summary>
    /// Batches per epoch at least, while the batch is above <see cref="MinBatch"/>: a small table (iris: 82 rows to train
    /// on per fold) would otherwise take one step an epoch, and 30 epochs would not train the network.
    /// </summary>
    public const int MinStepsPerEpoch = 10;

    public const int MinBatch = 8;

    /// <summary>The most feature numbers a fit holds densely (rows × feature slots): 2^28 floats, 1 GiB.</summary>
    public const long MaxDenseValues = 1L << 28;

    /// <summary>Fits the featurizer and the network on <paramref name="trainRows"/>.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled; the training stops within one step.</exception>
    public static (ITransformer Featurizer, TabularNetwork Network) Fit(
        MLContext ml, TabularExperiment experiment, IReadOnlyDictionary<string, object> parameters, IReadOnlyList<int> trainRows,
        CancellationToken cancellationToken)
    {
        var seed = experiment.Options.Seed;
        var (fitRows, stopRows) = EarlyStoppingSplit(trainRows, experiment.Strata, seed);
        var featurizer = TabularPipeline.Featurizer(ml, experiment.Plan, parameters).Fit(experiment.Labelled(fitRows));
        cancellationToken.ThrowIfCancellationRequested();
        var (fitFeatures, width) = Features(featurizer, experiment.Labelled(fitRows));
        var (stopFeatures, _) = Features(featurizer, experiment.Labelled(stopRows));
        cancellationToken.ThrowIfCancellationRequested();

        var neural = ForNeural(parameters, experiment.Task);
        var settings = TrainingSettings.From(neural);
        settings = settings with { BatchSize = Math.Clamp((fitRows.Count + MinStepsPerEpoch - 1) / MinStepsPerEpoch, MinBatch, settings.BatchSize) };
        var outputs = experiment.Task == TabularTask.Regression ? 1 : experiment.Classes.Count;
        var spec = Architectures.Mlp(neural, [width], outputs);

        double mean = 0, scale = 1;
        NeuralSamples train, stop;
        NeuralTarget target;
        if (experiment.Task == TabularTask.Regression)
        {
            var truth = experiment.Truth(fitRows);
            mean = truth.Average();
            var deviation = Math.Sqrt(truth.Sum(t => (t - mean) * (t - mean)) / truth.Length);
            scale = deviation > 0 && double.IsFinite(deviation) ? deviation : 1;
            float[] Standardised(IReadOnlyList<int> rows) => [.. experiment.Truth(rows).Select(t => (float)((t - mean) / scale))];
            train = NeuralSamples.FromVectors(fitFeatures, fitRows.Count, width, Standardised(fitRows));
            stop = NeuralSamples.FromVectors(stopFeatures, stopRows.Count, width, Standardised(stopRows));
            // Early stopping on the standardised target: RMSE and MAE are the metric's own scaled by a constant, R² the same.
            target = NeuralTarget.Regression(experiment.Metric);
        }
        else
        {
            long[] Labels(IReadOnlyList<int> rows) => [.. rows.Select(r => (long)experiment.Strata[r])];
            train = NeuralSamples.FromVectors(fitFeatures, fitRows.Count, width, Labels(fitRows));
            stop = NeuralSamples.FromVectors(stopFeatures, stopRows.Count, width, Labels(stopRows));
            target = new NeuralTarget(experiment.Classes, experiment.Metric);
        }

        using (train)
        using (stop)
        {
            var result = NeuralTrainer.RunAsync(spec, settings, train, stop, target, seed, CPU, null, keepNetwork: true, cancellationToken)
                .GetAwaiter().GetResult();
            return (featurizer, new TabularNetwork(result.Network!, experiment.Task, new TabularNetworkInfo(width, mean, scale)));
        }
    }

    /// <summary>The <see cref="TabularPipeline.FeaturesColumn"/> vectors of <paramref name="rows"/>, dense and row-major, and their width.</summary>
    public static (float[] Values, int Width) Features(ITransformer featurizer, IDataView rows)
    {
        var featurized = featurizer.Transform(rows);
        var column = featurized.Schema[TabularPipeline.FeaturesColumn];
        if (column.Type is not VectorDataViewType { Size: > 0 } vector)
        {
            throw new ArgumentException($"The featurizer made features of type {column.Type}, not a vector of known size.", nameof(featurizer));
        }

        var width = vector.Size;
        var known = featurized.GetRowCount() ?? rows.GetRowCount();
        if (known is { } count && count * width > MaxDenseValues)
        {
            throw TooWide(count, width);
        }

        // Filled in place when the row count is known (the loaded tables' views know it), else grown row by row.
        var values = known is { } rowCount ? new float[rowCount * width] : null;
        var grown = values is null ? new List<float>() : null;
        using var cursor = featurized.GetRowCursor([column]);
        var getter = cursor.GetGetter<VBuffer<float>>(column);
        var buffer = default(VBuffer<float>);
        long offset = 0;
        while (cursor.MoveNext())
        {
            getter(ref buffer);
            if (offset + width > MaxDenseValues)
            {
                throw TooWide(offset / width + 1, width);
            }

            if (values is not null)
            {
                buffer.CopyTo(values, (int)offset);
            }
            else
            {
                grown!.AddRange(buffer.DenseValues());
            }

            offset += width;
        }

        return (values is not null && offset == values.Length ? values : [.. (IEnumerable<float>?)grown ?? values!.Take((int)offset)], width);
    }

    private static ArgumentException TooWide(long rows, int width) => new(
        $"The MLP's features would be {rows:N0} rows × {width:N0} slots or more, over {MaxDenseValues * 4.0 / (1 << 30):0.#} GiB as dense numbers: "
        + "fewer text or category columns, a lower one-hot limit, or another learner would fit.");

    /// <summary>The predictions of the fitted model for <paramref name="rows"/>, laid out as <see cref="TabularExperiment.Predictions"/>'s.</summary>
    public static double[] Predict(ITransformer featurizer, TabularNetwork network, IDataView rows)
    {
        var (features, width) = Features(featurizer, rows);
        return network.Predict(features, width == 0 ? 0 : features.Length / width);
    }

    /// <summary>
    /// The rows to train on and the rows to stop early on: <see cref="EarlyStoppingShare"/> of each stratum (class, or
    /// the target's band) drawn by <paramref name="seed"/>, at least one row of a stratum of two or more. Below
    /// <see cref="MinRowsToHoldOut"/> rows, all rows are both.
    /// </summary>
    public static (IReadOnlyList<int> Fit, IReadOnlyList<int> Stop) EarlyStoppingSplit(IReadOnlyList<int> rows, IReadOnlyList<int> strata, int seed)
    {
        if (rows.Count < MinRowsToHoldOut)
        {
            return (rows, rows);
        }

        var random = new Random(seed);
        var fit = new List<int>();
        var stop = new List<int>();
        foreach (var group in rows.GroupBy(r => strata[r]).OrderBy(g => g.Key))
        {
            var members = group.ToArray();
            random.Shuffle(members);
            var held = members.Length < 2 ? 0 : Math.Max(1, (int)Math.Round(members.Length * EarlyStoppingShare));
            stop.AddRange(members.Take(held));
            fit.AddRange(members.Skip(held));
        }

        fit.Sort();
        stop.Sort();
        return (fit, stop);
    }

    /// <summary>The trial's MLP parameters under their neural names, as <see cref="Architectures.Mlp"/> and <see cref="TrainingSettings.From"/> read them.</summary>
    private static Dictionary<string, object> ForNeural(IReadOnlyDictionary<string, object> parameters, TabularTask task)
    {
        var neural = new Dictionary<string, object>(StringComparer.Ordinal);
        foreach (var (name, value) in parameters)
        {
            if (TabularParameters.MlpTraining(name) is { } neuralName)
            {
                neural[neuralName] = value;
            }
        }

        if (task == TabularTask.Regression)
        {
            neural.TryAdd(NeuralParameters.LabelSmoothing, 0.0);
        }

        return neural;
    }
}
