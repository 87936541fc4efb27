using AutoDL.Core.Datasets.Images;
using AutoDL.Core.Search;
using AutoDL.Learners.Tabular;
using TorchSharp;
using static TorchSharp.torch;

namespace AutoDL.Learners.Neural;

/// <summary>What an image search is asked to do; everything has a default.</summary>
public sealed record ImageExperimentOptions
{
    /// <summary>Null: accuracy.</summary>
    public TabularMetric? Metric { get; init; }

    /// <summary>Share of the images held out, stratified, for the one final test of the chosen model.</summary>
    public double TestFraction { get; init; } = 0.2;

    /// <summary>Share of the other images, stratified, that trials validate on (early stopping and the objective).</summary>
    public double ValidationFraction { get; init; } = 0.15;

    /// <summary>Seeds the split and every trial's weights, dropout, shuffling and augmentation.</summary>
    public int Seed { get; init; }

    /// <summary>The largest epoch cap a trial may draw.</summary>
    public int MaxEpochs { get; init; } = 30;

    /// <summary>Where networks train.</summary>
    public string Device { get; init; } = TorchDevice.Auto;

    /// <summary>Objectives minimised beside the metric (<see cref="NeuralObjectives"/>), in this order after it.</summary>
    public IReadOnlyList<string> Objectives { get; init; } = [];

    /// <summary>Threads a trial's tensor operations use; 0: libtorch's default (every core).</summary>
    public int Threads { get; init; }
}

/// <summary>What a multi-objective image search minimises beside its metric.</summary>
public static class NeuralObjectives
{
    /// <summary>Milliseconds to predict one image on the CPU (the serving device), the median of timed single-image runs.</summary>
    public const string Latency = "latency";

    /// <summary>The network's parameter count.</summary>
    public const string Parameters = "params";

    public static readonly IReadOnlyList<string> All = [Latency, Parameters];
}

/// <summary>
/// An image search's fixed ground: the images (decoded once, see <see cref="ImageCache"/>), a stratified test split no
/// trial sees, a stratified validation part of the other images, the per-channel mean and deviation of the training
/// images, and the search space (<see cref="NeuralSearchSpace.ForImages"/>). Read-only once made, so parallel trials
/// share it.
/// </summary>
public sealed class ImageExperiment : IDisposable
{
    private ImageExperiment(ImagePixels pixels, ImageExperimentOptions options, int[] test, int[] train, int[] validation)
    {
        Pixels = pixels;
        Options = options;
        TestRows = test;
        TrainRows = train;
        ValidationRows = validation;
        Metric = options.Metric ?? TabularMetric.Accuracy;
        Target = new NeuralTarget(pixels.Classes, Metric);
        if (!Metric.Fits(Target.Task))
        {
            throw new ArgumentException($"{Metric} does not fit an image task of {pixels.Classes.Count} classes.", nameof(options));
        }

        Shape = [pixels.Channels, pixels.Height, pixels.Width];
        (Mean, Std) = Statistics(pixels, train);
        Train = Samples(train);
        Validation = Samples(validation);
        Test = Samples(test);
        Space = NeuralSearchSpace.ForImages(options.MaxEpochs);
        Device = TorchDevice.Select(options.Device);
    }

    /// <exception cref="ArgumentException">Too few images, or a class too small to split.</exception>
    public static ImageExperiment Create(ImagePixels pixels, ImageExperimentOptions options)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        ArgumentNullException.ThrowIfNull(options);
        if (options.TestFraction is <= 0 or > 0.5 || options.ValidationFraction is <= 0 or > 0.5)
        {
            throw new ArgumentException("The test and validation fractions must be above 0 and at most 0.5.", nameof(options));
        }

        var small = pixels.Classes.Select((c, i) => (c, n: pixels.Labels.Count(l => l == i))).Where(x => x.n < 3).ToList();
        if (small.Count > 0)
        {
            throw new ArgumentException(
                $"Every class needs at least 3 images (one to train on, one to validate, one to test); {string.Join(", ", small.Select(x => $"'{x.c}' has {x.n}"))}.",
                nameof(pixels));
        }

        var random = new Random(options.Seed);
        var test = new List<int>();
        var validation = new List<int>();
        var train = new List<int>();
        for (var c = 0; c < pixels.Classes.Count; c++)
        {
            var rows = Enumerable.Range(0, pixels.Count).Where(i => pixels.Labels[i] == c).ToArray();
            random.Shuffle(rows);
            var nTest = Math.Clamp((int)Math.Round(rows.Length * options.TestFraction), 1, rows.Length - 2);
            test.AddRange(rows.Take(nTest));
            var others = rows.Skip(nTest).ToArray();
            var nValidation = Math.Clamp((int)Math.Round(others.Length * options.ValidationFraction), 1, others.Length - 1);
            validation.AddRange(others.Take(nValidation));
            train.AddRange(others.Skip(nValidation));
        }

        test.Sort();
        validation.Sort();
        train.Sort();
        return new ImageExperiment(pixels, options, [.. test], [.. train], [.. validation]);
    }

    public ImagePixels Pixels { get; }

    public ImageExperimentOptions Options { get; }

    public IReadOnlyList<string> Classes => Pixels.Classes;

    public TabularMetric Metric { get; }

    public NeuralTarget Target { get; }

    /// <summary>One image's shape, <c>[C, H, W]</c>.</summary>
    public IReadOnlyList<int> Shape { get; }

    public IReadOnlyList<float> Mean { get; }

    public IReadOnlyList<float> Std { get; }

    public int[] TestRows { get; }

    public int[] TrainRows { get; }

    public int[] ValidationRows { get; }

    public NeuralSamples Train { get; }

    public NeuralSamples Validation { get; }

    public NeuralSamples Test { get; }

    public SearchSpace Space { get; }

    public Device Device { get; }

    /// <summary>
    /// The search objective: one value, the best validation score of the trial's epochs; one report per epoch. The
    /// trial's epochs fit the search's deadline (<see cref="TrialContext.Deadline"/>): a trial stopped by it after at
    /// least one epoch is complete with its best epoch, and its note says so.
    /// </summary>
    public TrialObjective Objective => async (trial, cancellationToken) =>
    {
        var spec = Network(trial.Parameters);
        var settings = TrainingSettings.From(trial.Parameters);
        var limit = new TrainingLimit { Deadline = trial.Deadline, Clock = trial.Clock };
        var result = await TrainAsync(spec, trial.Parameters, trial.ReportAsync, keepNetwork: false, cancellationToken, limit);
        if (result.StoppedBy == TrainingStop.Budget)
        {
            trial.Note = BudgetNote(result, settings.Epochs);
        }

        var values = new List<double> { result.BestValue };
        foreach (var objective in Options.Objectives)
        {
            // Not cancelled: the deadline may have passed as training stopped, and a trained trial is worth its few timed images.
            values.Add(objective == NeuralObjectives.Latency
                ? await Task.Run(() => LatencyMilliseconds(spec), CancellationToken.None)
                : NetworkSummary.Of(spec).Parameters);
        }

        return values;
    };

    /// <summary>What a trial the budget stopped says of itself: that the budget stopped it, its epochs and its best one.</summary>
    public static string BudgetNote(TrainingResult result, int epochCap) =>
        $"Stopped by the budget after {result.Epochs.Count} of {epochCap} epochs: no time was left for another. "
        + $"Its value and weights are its best epoch's ({result.BestEpoch + 1}), which its refit trains to.";

    /// <summary>
    /// Milliseconds one image takes through <paramref name="spec"/> on the CPU in inference mode: the median of 15
    /// single-image runs after 3 warm-up runs (weights do not change the cost, so a freshly built network is timed).
    /// </summary>
    public double LatencyMilliseconds(NetworkSpec spec)
    {
        using var network = NeuralTrainer.Build(spec, Options.Seed, CPU);
        network.eval();
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var image = Test.Batch([0]);
        var times = new List<double>();
        for (var i = 0; i < 18; i++)
        {
            var watch = System.Diagnostics.Stopwatch.StartNew();
            using var output = network.forward(image);
            if (i >= 3)
            {
                times.Add(watch.Elapsed.TotalMilliseconds);
            }
        }

        times.Sort();
        return times[times.Count / 2];
    }

    /// <summary>
    /// Trains the network <paramref name="parameters"/> describe, as a trial does (the same seed, so the same weights);
    /// <paramref name="limit"/> stops it short of its epoch cap (a trial's first epochs, exactly) or at a deadline.
    /// </summary>
    /// <exception cref="ArgumentException">The parameters do not describe a network of this space.</exception>
    public Task<TrainingResult> TrainAsync(
        IReadOnlyDictionary<string, object> parameters, EpochReporter? report, bool keepNetwork, CancellationToken cancellationToken,
        TrainingLimit? limit = null) =>
        TrainAsync(Network(parameters), parameters, report, keepNetwork, cancellationToken, limit);

    private Task<TrainingResult> TrainAsync(
        NetworkSpec spec, IReadOnlyDictionary<string, object> parameters, EpochReporter? report, bool keepNetwork, CancellationToken cancellationToken,
        TrainingLimit? limit) =>
        NeuralTrainer.RunAsync(
            spec, TrainingSettings.From(parameters), Train, Validation, Target, Options.Seed, Device, report, keepNetwork, cancellationToken, Options.Threads, limit);

    /// <summary>The architecture of a trial's parameters for this experiment's images and classes.</summary>
    public NetworkSpec Network(IReadOnlyDictionary<string, object> parameters) => Architectures.For(parameters, Shape, Classes.Count, Mean, Std);

    /// <summary>The starting points of a search: the small residual CNN.</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, double>> StartingPoints() => [NeuralSearchSpace.DefaultCnn(Space)];

    private NeuralSamples Samples(int[] rows)
    {
        var bytes = Pixels.ImageBytes;
        var pixels = new byte[(long)rows.Length * bytes];
        for (var i = 0; i < rows.Length; i++)
        {
            Array.Copy(Pixels.Pixels, (long)rows[i] * bytes, pixels, (long)i * bytes, bytes);
        }

        return NeuralSamples.FromImages(pixels, rows.Length, Shape, [.. rows.Select(r => (long)Pixels.Labels[r])]);
    }

    /// <summary>Mean and standard deviation of each channel over the training images, in pixels / 255.</summary>
    private static (float[] Mean, float[] Std) Statistics(ImagePixels pixels, int[] rows)
    {
        var plane = pixels.Height * pixels.Width;
        var mean = new float[pixels.Channels];
        var std = new float[pixels.Channels];
        for (var c = 0; c < pixels.Channels; c++)
        {
            double sum = 0, squares = 0;
            foreach (var r in rows)
            {
                var offset = (long)r * pixels.ImageBytes + (long)c * plane;
                for (var p = 0; p < plane; p++)
                {
                    var v = pixels.Pixels[offset + p] / 255.0;
                    sum += v;
                    squares += v * v;
                }
            }

            var n = (double)rows.Length * plane;
            var m = sum / n;
            mean[c] = (float)m;
            std[c] = (float)Math.Max(Math.Sqrt(Math.Max(squares / n - m * m, 0)), 1e-3);
        }

        return (mean, std);
    }

    public void Dispose()
    {
        Train.Dispose();
        Validation.Dispose();
        Test.Dispose();
    }
}
