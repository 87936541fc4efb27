using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Text.Json;
using AutoDL.Core.Datasets.Images;
using AutoDL.Core.Search;
using AutoDL.Jobs.Searches;
using AutoDL.Learners.Neural;
using AutoDL.Learners.Tabular;

using static AutoDL.Bench.BenchText;

namespace AutoDL.Bench;

/// <summary>
/// Image-search quality through the product's own path: a zip of class folders decoded as an upload's is
/// (<see cref="ImageCache"/>, <see cref="ImageDecoder.ReadZipAsync"/>), split by <see cref="ImageExperiment"/>, searched by
/// the search job's loop (<see cref="SearchRunner"/> over an in-memory trial store, with the sampler and pruner
/// <see cref="SearchStrategies"/> builds for an image search) under a wall-clock budget, and the winner trained and
/// tested once by <see cref="ImageModelBuilder.FitAsync"/>. On the shipped 8×8 digits, and on Fashion-MNIST (Debian's
/// dataset-fashion-mnist), whose 10,000 test images are then predicted as PNG files through
/// <see cref="NeuralPredictor.Predict"/> (the REST API's path) beside a fixed PyTorch CNN (bench/torch_baseline.py)
/// trained on the same 60,000 images for as long as our search and winner training took.
/// </summary>
public static class NeuralQualityBenchmark
{
    private const string TorchPython = "/usr/bin/python3";

    private const string FashionFolder = "/usr/share/datasets/fashion-mnist";

    private const double DigitsGoal = 0.98;

    private const double FashionGoal = 0.93;

    private const double LoadShareGoal = 0.10;

    private static readonly string[] FashionClasses =
        ["T-shirt_top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle_boot"];

    /// <param name="Model">The winner trained and tested; null when no trial completed (the search job then fails the search).</param>
    /// <param name="Cut">Pruned trials the end of the budget stopped (they carry the runner's reason), not the pruner.</param>
    private sealed record SearchOutcome(
        ImageExperiment Experiment, ImageModel? Model, int Complete, int Pruned, int Cut, int Failed, SearchStopReason StopReason,
        IReadOnlyDictionary<string, object>? Parameters, int BestTrial, double BestValidation, double DecodeSeconds, double SearchSeconds,
        double FitSeconds, IReadOnlyList<string> TrialLines, IReadOnlyList<string> Failures);

    public static async Task<int> RunAsync(string[] args)
    {
        var threads = (int)Option(args, "--threads", Environment.ProcessorCount);
        var seed = (int)Option(args, "--seed", 0);
        var digitsSeconds = Option(args, "--digits-seconds", 420);
        var fashionSeconds = Option(args, "--fashion-seconds", 1800);
        var trainLimit = (int)Option(args, "--fashion-train-limit", 0);
        var testLimit = (int)Option(args, "--fashion-test-limit", 0);
        var datasets = args.SkipWhile(a => a != "--datasets").Skip(1).FirstOrDefault()?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                       ?? ["digits", "fashion"];
        if (threads < 1 || digitsSeconds <= 0 || fashionSeconds <= 0 || trainLimit < 0 || testLimit < 0)
        {
            Console.Error.WriteLine("--threads and the budgets must be positive, the limits non-negative (0: all images).");
            return 2;
        }

        var unknown = datasets.Where(d => d is not ("digits" or "fashion")).ToList();
        if (unknown.Count > 0)
        {
            Console.Error.WriteLine($"Unknown dataset(s) {string.Join(", ", unknown)}; choose among digits, fashion.");
            return 2;
        }

        // As the speed benchmark: the thread count goes into the environment libgomp reads when libtorch loads, and
        // into TorchSharp's setting, as the search job sets it for an image search (NeuralThreads).
        if (OperatingSystem.IsLinux())
        {
            var text = threads.ToString(CultureInfo.InvariantCulture);
            _ = SetEnv("OMP_NUM_THREADS", text, 1);
            _ = SetEnv("MKL_NUM_THREADS", text, 1);
        }

        NeuralThreads.Use(threads);
        Console.WriteLine("Neural quality: image searches through the product's path (zip decoded by ImageCache/ImageDecoder, ImageExperiment split: "
            + "test 0.2, validation 0.15 of the rest, stratified; SearchRunner + InMemoryTrialStore with SearchStrategies' TPE sampler and median pruner "
            + "for an image search, one worker; the winner trained and tested once by ImageModelBuilder.FitAsync).");
        Console.WriteLine($"Machine: {Environment.ProcessorCount} cores, {threads} threads, .NET {Environment.Version}, TorchSharp CPU; seed {seed}.");

        var temp = Directory.CreateTempSubdirectory("autodl-neural-quality-").FullName;
        try
        {
            var verdicts = new List<string>();
            if (datasets.Contains("digits"))
            {
                verdicts.AddRange(await DigitsAsync(digitsSeconds, seed, temp));
            }

            if (datasets.Contains("fashion"))
            {
                verdicts.AddRange(await FashionAsync(fashionSeconds, seed, threads, trainLimit, testLimit, temp));
            }

            Console.WriteLine();
            Console.WriteLine("Summary:");
            foreach (var verdict in verdicts)
            {
                Console.WriteLine($"  {verdict}");
            }

            return 0;
        }
        finally
        {
            Directory.Delete(temp, recursive: true);
        }
    }

    private static async Task<IEnumerable<string>> DigitsAsync(double seconds, int seed, string temp)
    {
        var zip = Path.Combine(RepositoryRoot(), "samples", "digits-images.zip");
        Console.WriteLine();
        Console.WriteLine($"digits: {zip} (8×8 grey PNGs in class folders d0..d9), {seconds:0.#} s search");
        var outcome = await SearchAsync("digits", zip, 8, seconds, seed, temp);
        using var experiment = outcome.Experiment;
        PrintSearch(outcome);
        if (outcome.Model is null)
        {
            return [$"digits   FAIL: no trial completed in {seconds:0} s, so no model"];
        }

        using var predictor = outcome.Model.Predictor;
        var accuracy = outcome.Model.Test.Classification!.Accuracy;
        Console.WriteLine($"  test accuracy {F(accuracy)} on the {experiment.TestRows.Length} held-out images (goal >= {DigitsGoal:0.00})  {PassFail(accuracy >= DigitsGoal)}");
        return
        [
            $"digits   test accuracy {F(accuracy)} (goal >= {DigitsGoal:0.00}) {PassFail(accuracy >= DigitsGoal)}; "
                + $"batches {Pct(outcome.Model.Training.LoadShare)} of training (goal < {Pct(LoadShareGoal)}) {PassFail(outcome.Model.Training.LoadShare < LoadShareGoal)}",
        ];
    }

    private static async Task<IEnumerable<string>> FashionAsync(double seconds, int seed, int threads, int trainLimit, int testLimit, string temp)
    {
        var (trainPixels, trainLabels, side) = ReadIdx("train", trainLimit);
        var (testPixels, testLabels, _) = ReadIdx("t10k", testLimit);
        var trainCount = trainLabels.Length;
        var testCount = testLabels.Length;
        var plane = side * side;
        Console.WriteLine();
        Console.WriteLine($"fashion: Fashion-MNIST ({FashionFolder}), {trainCount:N0} training and {testCount:N0} test images of {side}×{side}, {seconds:0.#} s search"
            + (trainLimit > 0 || testLimit > 0 ? " (LIMITED: --fashion-train-limit / --fashion-test-limit; not the issue's protocol)" : ""));

        var write = Stopwatch.StartNew();
        var zip = Path.Combine(temp, "fashion-mnist-train.zip");
        await using (var stream = new FileStream(zip, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
        using (var archive = new ZipArchive(stream, ZipArchiveMode.Create))
        {
            for (var i = 0; i < trainCount; i++)
            {
                var png = ImageDecoder.EncodePng(trainPixels.AsSpan(i * plane, plane), 1, side, side);
                var entry = archive.CreateEntry($"{FashionClasses[trainLabels[i]]}/{i:00000}.png", CompressionLevel.NoCompression);
                await using var entryStream = entry.Open();
                await entryStream.WriteAsync(png);
            }
        }

        Console.WriteLine($"  wrote the training images as a zip of class folders of PNGs ({new FileInfo(zip).Length / 1e6:0.0} MB) in {write.Elapsed.TotalSeconds:0.0} s (bench setup, not product time)");

        var outcome = await SearchAsync("fashion", zip, side, seconds, seed, temp);
        using var experiment = outcome.Experiment;
        PrintSearch(outcome);
        var (trainImages, trainLabelsPath, testImages, testLabelsPath) =
            (Path.Combine(temp, "train.u8"), Path.Combine(temp, "train.i64"), Path.Combine(temp, "test.u8"), Path.Combine(temp, "test.i64"));
        await File.WriteAllBytesAsync(trainImages, trainPixels);
        await File.WriteAllBytesAsync(trainLabelsPath, trainLabels.SelectMany(l => BitConverter.GetBytes((long)l)).ToArray());
        await File.WriteAllBytesAsync(testImages, testPixels);
        await File.WriteAllBytesAsync(testLabelsPath, testLabels.SelectMany(l => BitConverter.GetBytes((long)l)).ToArray());
        object Request(double budget) => new
        {
            train_images = trainImages,
            train_labels = trainLabelsPath,
            train_count = trainCount,
            test_images = testImages,
            test_labels = testLabelsPath,
            test_count = testCount,
            side,
            classes = FashionClasses.Length,
            seconds = budget,
            threads,
            seed,
        };

        if (outcome.Model is null)
        {
            // What the search job would do: fail the search, no model. The baseline still gets the search's time.
            Console.WriteLine($"  no model: no trial completed within the {seconds:0} s budget (the search job fails such a search); "
                + $"test accuracy n/a (goal >= {FashionGoal:0.00})  FAIL");
            Console.Error.WriteLine($"[bench] fashion: PyTorch baseline for {outcome.SearchSeconds:0} s");
            using var alone = await RunBaselineAsync(Request(outcome.SearchSeconds), threads);
            var a = alone.RootElement;
            Console.WriteLine($"  {Baseline(a, trainCount)} for {a.GetProperty("train_seconds").GetDouble():0} s (our search's {outcome.SearchSeconds:0} s): "
                + $"{a.GetProperty("epochs").GetDouble():0.0} epochs, {a.GetProperty("steps").GetInt32():N0} steps; test accuracy {F(a.GetProperty("accuracy").GetDouble())}");
            return
            [
                $"fashion  FAIL: no trial completed in {seconds:0} s, so no model; PyTorch baseline {F(a.GetProperty("accuracy").GetDouble())} in the same time; "
                    + $"zip decoding {outcome.DecodeSeconds:0.0} s" + (trainLimit > 0 || testLimit > 0 ? " (LIMITED images)" : ""),
            ];
        }

        using var predictor = outcome.Model.Predictor;
        var heldOut = outcome.Model.Test.Classification!.Accuracy;
        Console.WriteLine($"  held-out accuracy {F(heldOut)} on the experiment's {experiment.TestRows.Length:N0} test images (20% of the training zip)");

        // The official test images, each as a PNG file's bytes in a row, through the REST API's prediction path.
        var rows = new List<IReadOnlyDictionary<string, object?>>(testCount);
        for (var i = 0; i < testCount; i++)
        {
            rows.Add(new Dictionary<string, object?> { [NeuralPredictor.ImageColumn] = ImageDecoder.EncodePng(testPixels.AsSpan(i * plane, plane), 1, side, side) });
        }

        var predictWatch = Stopwatch.StartNew();
        var correct = 0;
        const int chunk = 500;
        for (var start = 0; start < testCount; start += chunk)
        {
            var part = rows.GetRange(start, Math.Min(chunk, testCount - start));
            var predictions = predictor.Predict(part);
            for (var i = 0; i < predictions.Count; i++)
            {
                correct += predictions[i].Class == FashionClasses[testLabels[start + i]] ? 1 : 0;
            }
        }

        var predictSeconds = predictWatch.Elapsed.TotalSeconds;
        var accuracy = (double)correct / testCount;
        Console.WriteLine($"  test accuracy {F(accuracy)} on the {testCount:N0} official test images, predicted as PNG rows through NeuralPredictor.Predict "
            + $"in {predictSeconds:0.0} s ({testCount / predictSeconds:N0} images/s, chunks of {chunk}) (goal >= {FashionGoal:0.00})  {PassFail(accuracy >= FashionGoal)}");

        // PyTorch's fixed CNN, for as long as our search and the winner's training took (not the decoding).
        var budget = outcome.SearchSeconds + outcome.FitSeconds;
        Console.Error.WriteLine($"[bench] fashion: PyTorch baseline for {budget:0} s");
        using var baseline = await RunBaselineAsync(Request(budget), threads);
        var b = baseline.RootElement;
        var theirs = b.GetProperty("accuracy").GetDouble();
        Console.WriteLine($"  {Baseline(b, trainCount)} for {b.GetProperty("train_seconds").GetDouble():0} s "
            + $"(our search {outcome.SearchSeconds:0} s + winner training {outcome.FitSeconds:0} s): {b.GetProperty("epochs").GetDouble():0.0} epochs, "
            + $"{b.GetProperty("steps").GetInt32():N0} steps; test accuracy {F(theirs)}");
        Console.WriteLine($"  ours / PyTorch baseline: {accuracy / theirs:0.000} ({accuracy - theirs:+0.0000;-0.0000;0.0000})");
        return
        [
            $"fashion  test accuracy {F(accuracy)} (goal >= {FashionGoal:0.00}) {PassFail(accuracy >= FashionGoal)}; PyTorch baseline {F(theirs)} in the same time, "
                + $"ratio {accuracy / theirs:0.000}; batches {Pct(outcome.Model.Training.LoadShare)} of training (goal < {Pct(LoadShareGoal)}) "
                + $"{PassFail(outcome.Model.Training.LoadShare < LoadShareGoal)}; zip decoding {outcome.DecodeSeconds:0.0} s; search budget {seconds:0} s"
                + (trainLimit > 0 || testLimit > 0 ? " (LIMITED images)" : ""),
        ];
    }

    /// <summary>The search as the search job runs it for an image dataset, one worker; then the winner trained and tested once.</summary>
    private static async Task<SearchOutcome> SearchAsync(string name, string zip, int size, double seconds, int seed, string temp)
    {
        // The job decodes the zip once into its cache (SearchExperiments.LoadImagesAsync); here the cache starts empty.
        var decode = Stopwatch.StartNew();
        var pixels = await ImageCache.LoadOrBuildAsync(zip, Path.GetFileName(zip), size, Path.Combine(temp, $"{name}-{size}.bin"), CancellationToken.None);
        var decodeSeconds = decode.Elapsed.TotalSeconds;
        Console.WriteLine($"  decoded {pixels.Count:N0} images ({pixels.Classes.Count} classes, {pixels.Channels}×{pixels.Height}×{pixels.Width}) "
            + $"through ImageCache.LoadOrBuildAsync in {decodeSeconds:0.00} s ({pixels.Count / decodeSeconds:N0} images/s)");

        var settings = new SearchSettings
        {
            DatasetId = "benchmark",
            Target = "class",
            Task = pixels.Classes.Count == 2 ? TabularTask.Binary : TabularTask.Multiclass,
            Kind = SearchKind.Images,
            Metric = TabularMetric.Accuracy,
            Strategy = SearchStrategy.Tpe,
            Pruner = SearchPrunerKind.Median,
            Learners = [NeuralLearners.Cnn],
            Budget = new SearchBudgetSettings(null, seconds),
            Device = SearchDevice.Cpu,
            Seed = seed,
            Folds = 0,
        };
        var experiment = ImageExperiment.Create(pixels, settings.ImageOptions());
        // The product's workload; not disposed here, since disposing it disposes the experiment the winner trains on after the search.
        var workload = new ImageWorkload(experiment);
        Console.WriteLine($"  split: {experiment.TrainRows.Length:N0} train, {experiment.ValidationRows.Length:N0} validation, {experiment.TestRows.Length:N0} test");

        var store = new InMemoryTrialStore();
        var direction = experiment.Metric.Direction();
        var searchId = await store.CreateSearchAsync(new SearchSpec(workload.Space, [direction], seed, new Budget(null, TimeSpan.FromSeconds(seconds))), CancellationToken.None);
        var defaults = new SearchOptions();
        var runner = new SearchRunner(store, SearchStrategies.Sampler(settings, workload.StartingPoints), SearchStrategies.Pruner(settings), TimeProvider.System,
            new SearchRunnerOptions
            {
                HeartbeatInterval = TimeSpan.FromSeconds(defaults.HeartbeatSeconds),
                StaleAfter = TimeSpan.FromSeconds(defaults.StaleAfterSeconds),
            });
        var objective = workload.Objective;
        TrialObjective timed = async (trial, cancellationToken) =>
        {
            var watch = Stopwatch.StartNew();
            try
            {
                return await objective(trial, cancellationToken);
            }
            finally
            {
                Console.Error.WriteLine($"[bench] {name}: trial #{trial.Number} ended after {watch.Elapsed.TotalSeconds:0.0} s");
            }
        };

        var search = Stopwatch.StartNew();
        var summary = await runner.RunAsync(searchId, "bench", timed, CancellationToken.None);
        var searchSeconds = search.Elapsed.TotalSeconds;

        var trials = await store.GetTrialsAsync(searchId, CancellationToken.None);
        var complete = trials.Where(t => t.State == TrialState.Complete && t.Primary is not null).ToList();
        var best = complete.Count == 0 ? null
            : direction == Direction.Maximize ? complete.MaxBy(t => t.Primary!.Value)! : complete.MinBy(t => t.Primary!.Value)!;
        var parameters = best is null ? null : workload.Space.ToExternal(best.Params);
        Console.Error.WriteLine($"[bench] {name}: search over after {searchSeconds:0} s ({summary.StopReason}); "
            + (best is null ? "no trial completed" : $"training trial #{best.Number}"));
        var fit = Stopwatch.StartNew();
        var model = parameters is null ? null : await ImageModelBuilder.FitAsync(experiment, parameters, CancellationToken.None);
        var fitSeconds = fit.Elapsed.TotalSeconds;

        var lines = trials.OrderBy(t => t.Number).Select(t =>
        {
            var value = t.Primary ?? t.LastIntermediate?.Value;
            var duration = t.FinishedAt is { } end ? (end - t.StartedAt).TotalSeconds : double.NaN;
            var p = workload.Space.ToExternal(t.Params);
            return $"#{t.Number,-3} {t.State.ToString().ToLowerInvariant(),-8} {(value is { } v ? F(v) : "   -  "),7}  {t.Intermediate.Count,2} epochs  {duration,6:0} s  "
                + $"{Brief(p)}{(t.Error is { Length: > 0 } e && t.State != TrialState.Complete ? $"  [{e}]" : "")}";
        }).ToList();
        var failures = trials.Where(t => t.State == TrialState.Failed && t.Error is not null)
            .GroupBy(t => t.Error!).OrderByDescending(g => g.Count())
            .Select(g => $"{g.Count()}× {g.Key} (e.g. trial #{g.First().Number}: {Format(workload.Space.ToExternal(g.First().Params))})").ToList();
        var cut = trials.Count(t => t.State == TrialState.Pruned && !string.IsNullOrEmpty(t.Error));
        return new SearchOutcome(
            experiment, model, summary.Complete, summary.Pruned, cut, summary.Failed, summary.StopReason, parameters, best?.Number ?? -1, best?.Primary ?? double.NaN,
            decodeSeconds, searchSeconds, fitSeconds, lines, failures);
    }

    private static string Baseline(JsonElement b, int trainCount) =>
        $"PyTorch {b.GetProperty("torch").GetString()} baseline CNN (conv32-pool-conv64-pool-fc128-dropout-fc10, Adam 1e-3, batch 128, "
        + $"{b.GetProperty("threads").GetInt32()} threads) on all {trainCount:N0} training images";

    private static void PrintSearch(SearchOutcome o)
    {
        Console.WriteLine($"  search: {o.SearchSeconds:0.0} s ({o.StopReason}); trials {o.Complete} complete, {o.Pruned} pruned "
            + $"({o.Cut} of them cut short by the budget's end), {o.Failed} failed");
        foreach (var line in o.TrialLines)
        {
            Console.WriteLine($"    {line}");
        }

        foreach (var failure in o.Failures)
        {
            Console.WriteLine($"  failed: {failure}");
        }

        if (o.Model is null || o.Parameters is null)
        {
            Console.WriteLine("  no trial completed: no winner to train");
            return;
        }

        var training = o.Model.Training;
        var trainSeconds = training.Epochs.Sum(e => e.Seconds);
        Console.WriteLine($"  winner: trial #{o.BestTrial}, validation accuracy {F(o.BestValidation)}: {Format(o.Parameters)}");
        Console.WriteLine($"  winner's network: {o.Model.Summary.Parameters:N0} parameters, {o.Model.Summary.MultiplyAdds:N0} multiply-adds per image");
        Console.WriteLine($"  winner trained by ImageModelBuilder.FitAsync in {o.FitSeconds:0.0} s: {training.Epochs.Count} epochs, best epoch {training.BestEpoch + 1} "
            + $"(validation {F(training.BestValue)}), {trainSeconds / Math.Max(1, training.Epochs.Count):0.0} s per epoch of training; "
            + $"batches {Pct(training.LoadShare)} of the training time (goal < {Pct(LoadShareGoal)})  {PassFail(training.LoadShare < LoadShareGoal)}");
    }

    private static string Brief(IReadOnlyDictionary<string, object> p)
    {
        string V(string key) => p.TryGetValue(key, out var v) ? Value(v) : "-";
        var stages = p.TryGetValue(NeuralParameters.CnnStages, out var s) ? Convert.ToInt32(s, CultureInfo.InvariantCulture) : 0;
        var widths = string.Join("-", Enumerable.Range(0, stages).Select(i => V(NeuralParameters.StageChannels(i))));
        var blocks = string.Join("-", Enumerable.Range(0, stages).Select(i => $"{V(NeuralParameters.StageBlocks(i))}{V(NeuralParameters.StageBlock(i))[0]}"));
        return $"{V(NeuralParameters.Learner)} {widths} blocks {blocks} {V(NeuralParameters.CnnNorm)} {V(NeuralParameters.Optimizer)} lr {V(NeuralParameters.LearningRate)} batch {V(NeuralParameters.BatchSize)} "
            + $"epochs {V(NeuralParameters.Epochs)} {V(NeuralParameters.Schedule)}";
    }

    private static string Format(IReadOnlyDictionary<string, object> parameters) =>
        string.Join(", ", parameters.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={Value(p.Value)}"));

    private static string Value(object value) => value is double d ? d.ToString("G3", CultureInfo.InvariantCulture) : Convert.ToString(value, CultureInfo.InvariantCulture) ?? "";

    /// <summary>An idx image file and its labels from Debian's dataset-fashion-mnist, the first <paramref name="limit"/> (0: all).</summary>
    private static (byte[] Pixels, int[] Labels, int Side) ReadIdx(string part, int limit)
    {
        static byte[] Gunzip(string path)
        {
            using var file = File.OpenRead(path);
            using var gzip = new GZipStream(file, CompressionMode.Decompress);
            using var buffer = new MemoryStream();
            gzip.CopyTo(buffer);
            return buffer.ToArray();
        }

        static int BigEndian(byte[] bytes, int offset) => System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(offset, 4));

        var images = Gunzip(Path.Combine(FashionFolder, $"{part}-images-idx3-ubyte.gz"));
        var labels = Gunzip(Path.Combine(FashionFolder, $"{part}-labels-idx1-ubyte.gz"));
        if (BigEndian(images, 0) != 2051 || BigEndian(labels, 0) != 2049)
        {
            throw new InvalidDataException($"{FashionFolder}/{part}: not idx image and label files.");
        }

        var count = BigEndian(images, 4);
        var (rows, columns) = (BigEndian(images, 8), BigEndian(images, 12));
        if (rows != columns || BigEndian(labels, 4) != count)
        {
            throw new InvalidDataException($"{FashionFolder}/{part}: {count} images of {rows}×{columns}, {BigEndian(labels, 4)} labels.");
        }

        var n = limit > 0 ? Math.Min(limit, count) : count;
        return (images.AsSpan(16, n * rows * columns).ToArray(), [.. labels.AsSpan(8, n).ToArray().Select(b => (int)b)], rows);
    }

    private static async Task<JsonDocument> RunBaselineAsync(object request, int threads)
    {
        var script = Path.Combine(AppContext.BaseDirectory, "torch_baseline.py");
        var start = new ProcessStartInfo(TorchPython) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        // As the speed benchmark's peer (NeuralSpeedBenchmark): OpenBLAS told the threads, OpenMP's idle threads passive.
        start.Environment["OPENBLAS_NUM_THREADS"] = threads.ToString(CultureInfo.InvariantCulture);
        start.Environment["OMP_WAIT_POLICY"] = "PASSIVE";
        start.Environment["OMP_NUM_THREADS"] = threads.ToString(CultureInfo.InvariantCulture);
        start.ArgumentList.Add(script);
        start.ArgumentList.Add(JsonSerializer.Serialize(request));
        using var python = Process.Start(start) ?? throw new InvalidOperationException($"Cannot start {TorchPython}.");
        var stderr = python.StandardError.ReadToEndAsync();
        var stdout = await python.StandardOutput.ReadToEndAsync();
        await python.WaitForExitAsync();
        if (python.ExitCode != 0 || string.IsNullOrWhiteSpace(stdout))
        {
            throw new InvalidOperationException($"The PyTorch baseline failed (exit {python.ExitCode}): {await stderr}");
        }

        return JsonDocument.Parse(stdout.Trim().Split('\n')[^1]);
    }
}
