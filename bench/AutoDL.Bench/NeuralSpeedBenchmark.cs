using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using AutoDL.Learners.Neural;
using AutoDL.Learners.Tabular;
using static TorchSharp.torch;

using static AutoDL.Bench.BenchText;

namespace AutoDL.Bench;

/// <summary>
/// Our training speed against PyTorch's (Debian's python3-torch 1.13, bench/torch_peer.py) on the same two networks,
/// in one run: the reference MLP 784-1024-1024-10 and the default residual CNN of an image search, both on random
/// 28×28 byte images. Our side is the product's loop (<see cref="NeuralTrainer.RunAsync"/>, which times each epoch's
/// training apart from its validation); the peer builds the same network from the spec's JSON and trains it with the
/// same data, batch, threads, optimizer (Adam, lr 1e-3) and loss. Each side runs R times, alternating; the medians are
/// compared. Also: the MLP's training rate in GFLOP/s as a share of libtorch's own 1024×1024 matmul rate.
/// </summary>
public static class NeuralSpeedBenchmark
{
    private const string TorchPython = "/usr/bin/python3";

    private const double RatioGoal = 0.9;

    private const double MatmulShareGoal = 0.6;

    /// <summary>Timed epochs of each run; one more epoch before them is the warm-up.</summary>
    private const int TimedEpochs = 4;

    private const int ImageSide = 28;

    private const int Classes = 10;

    private sealed record Case(string Key, string Name, NetworkSpec Spec, int Batch, int StepsPerEpoch);

    /// <param name="MatmulGflops">libtorch's matmul rate measured right after this run (the MLP's runs only; else NaN).</param>
    private sealed record Measure(double SamplesPerSecond, int Steps, double Seconds, double MatmulGflops = double.NaN);

    private sealed record PeerMeasure(double SamplesPerSecond, int Steps, double Seconds, int Threads, string Version, double MatmulGflops);

    /// <param name="Bare">The same network, data and optimizer in a bare TorchSharp loop (one batch made once, no trainer): what our loop adds.</param>
    private sealed record Outcome(Case Case, List<Measure> Ours, List<Measure> Bare, List<PeerMeasure> Theirs)
    {
        public double BareRate => Stats.Median([.. Bare.Select(m => m.SamplesPerSecond)]);

        public double OursRate => Stats.Median([.. Ours.Select(m => m.SamplesPerSecond)]);

        public double TheirRate => Theirs.Count == 0 ? double.NaN : Stats.Median([.. Theirs.Select(m => m.SamplesPerSecond)]);

        public double Ratio => OursRate / TheirRate;
    }

    public static async Task<int> RunAsync(string[] args)
    {
        var threads = (int)Option(args, "--threads", Environment.ProcessorCount);
        var steps = (int)Option(args, "--steps", 0);
        var repeats = (int)Option(args, "--repeats", 3);
        var mlpBatch = (int)Option(args, "--mlp-batch", 128);
        var cnnBatch = (int)Option(args, "--cnn-batch", 64);
        var seed = (int)Option(args, "--seed", 0);
        // Only our side (while developing, or where PyTorch is missing): no ratios.
        var oursOnly = args.Contains("--ours-only");
        var optimizer = args.SkipWhile(a => a != "--optimizer").Skip(1).FirstOrDefault() ?? "adam";
        if (optimizer is not ("adam" or "sgd"))
        {
            Console.Error.WriteLine("--optimizer is adam (lr 1e-3) or sgd (lr 1e-3, momentum 0.9).");
            return 2;
        }
        var networks = args.SkipWhile(a => a != "--networks").Skip(1).FirstOrDefault()?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                       ?? ["mlp", "cnn"];
        if (threads < 1 || steps < 0 || repeats < 1 || mlpBatch < 2 || cnnBatch < 2)
        {
            Console.Error.WriteLine("--threads, --repeats and the batches must be positive (batches at least 2), --steps non-negative (0: each network's default).");
            return 2;
        }

        // The trainer runs its epochs on thread-pool threads; torch.set_num_threads sets the calling thread's OpenMP team
        // size, so the thread count also goes into the environment libgomp and MKL read when libtorch loads (the first
        // torch call, below; .NET's own environment block is not the C library's, hence setenv).
        if (OperatingSystem.IsLinux())
        {
            var text = threads.ToString(CultureInfo.InvariantCulture);
            _ = SetEnv("OMP_NUM_THREADS", text, 1);
            _ = SetEnv("MKL_NUM_THREADS", text, 1);
        }

        set_num_threads(threads);
        // Steps per epoch: a quarter of the timed steps (rounded up), so every run trains TimedEpochs + 1 epochs, fewer
        // than the trainer's patience of 4 epochs without improvement can cut short.
        int PerEpoch(int fallback) => (Math.Max(1, steps == 0 ? fallback : steps) + TimedEpochs - 1) / TimedEpochs;
        var all = new Dictionary<string, Func<Case>>(StringComparer.OrdinalIgnoreCase)
        {
            ["mlp"] = () => new Case("mlp", "MLP 784-1024-1024-10", Mlp(), mlpBatch, PerEpoch(80)),
            ["cnn"] = () => new Case("cnn", "CNN default residual 32-64-128", DefaultCnn(), cnnBatch, PerEpoch(24)),
        };
        var unknown = networks.Where(n => !all.ContainsKey(n)).ToList();
        if (unknown.Count > 0)
        {
            Console.Error.WriteLine($"Unknown network(s) {string.Join(", ", unknown)}; choose among {string.Join(", ", all.Keys)}.");
            return 2;
        }

        Console.WriteLine("Neural training speed: the product's training loop (NeuralTrainer.RunAsync, TorchSharp 0.107 on the CPU) against PyTorch "
            + $"via {TorchPython} (bench/torch_peer.py), the same network built from the same NetworkSpec JSON, the same random 28×28 byte images "
            + $"(pixels / 255 per batch), batch, threads, {(optimizer == "adam" ? "Adam" : "SGD with momentum 0.9")} (lr 1e-3), cross-entropy, no augmentation.");
        Console.WriteLine($"Each run: one warm-up epoch, then {TimedEpochs} timed epochs (forward, backward, step; validation excluded); "
            + $"{repeats} runs per side, alternating; medians compared. Machine: {Environment.ProcessorCount} cores, .NET {Environment.Version}.");

        var temp = Directory.CreateTempSubdirectory("autodl-neural-bench-").FullName;
        try
        {
            var outcomes = new List<Outcome>();
            foreach (var network in networks)
            {
                var c = all[network]();
                outcomes.Add(await RunCaseAsync(c, threads, repeats, seed, optimizer, temp, oursOnly));
            }

            Print(outcomes, threads);
            return 0;
        }
        finally
        {
            Directory.Delete(temp, recursive: true);
        }
    }

    /// <summary>The reference MLP: flatten, 784-1024-1024-10 with ReLU, no normalization, no dropout.</summary>
    private static NetworkSpec Mlp()
    {
        var parameters = new Dictionary<string, object>
        {
            [NeuralParameters.MlpLayers] = 2L,
            [NeuralParameters.MlpWidth] = 1024L,
            [NeuralParameters.MlpActivation] = "relu",
            [NeuralParameters.MlpDropout] = 0.0,
            [NeuralParameters.MlpNorm] = "none",
            [NeuralParameters.MlpResidual] = "false",
        };
        return Architectures.Mlp(parameters, [1, ImageSide, ImageSide], Classes);
    }

    /// <summary>The first trial of every image search (<see cref="NeuralSearchSpace.DefaultCnn"/>) for MNIST-like images.</summary>
    private static NetworkSpec DefaultCnn()
    {
        var space = NeuralSearchSpace.ForImages();
        var parameters = space.ToExternal(NeuralSearchSpace.DefaultCnn(space));
        return Architectures.Cnn(parameters, [1, ImageSide, ImageSide], Classes, [0.1307f], [0.3081f]);
    }

    private static async Task<Outcome> RunCaseAsync(Case c, int threads, int repeats, int seed, string optimizer, string temp, bool oursOnly)
    {
        var count = c.Batch * c.StepsPerEpoch;
        var random = new Random(seed);
        var pixels = new byte[count * ImageSide * ImageSide];
        random.NextBytes(pixels);
        var labels = Enumerable.Range(0, count).Select(_ => (long)random.Next(Classes)).ToArray();
        var specPath = Path.Combine(temp, c.Key + ".json");
        var imagesPath = Path.Combine(temp, c.Key + ".images.u8");
        var labelsPath = Path.Combine(temp, c.Key + ".labels.i64");
        await File.WriteAllTextAsync(specPath, c.Spec.ToJson());
        await File.WriteAllBytesAsync(imagesPath, pixels);
        await File.WriteAllBytesAsync(labelsPath, labels.SelectMany(BitConverter.GetBytes).ToArray());

        using var train = NeuralSamples.FromImages(pixels, count, [1, ImageSide, ImageSide], labels);
        // A tiny validation set (every class once): the trainer scores it after each epoch, outside the epoch's time.
        using var validation = NeuralSamples.FromImages(pixels[..(Classes * ImageSide * ImageSide)], Classes, [1, ImageSide, ImageSide],
            [.. Enumerable.Range(0, Classes).Select(i => (long)i)]);
        var target = new NeuralTarget([.. Enumerable.Range(0, Classes).Select(i => i.ToString(CultureInfo.InvariantCulture))], TabularMetric.Accuracy);
        var settings = new TrainingSettings(optimizer, 1e-3, 0, c.Batch, TimedEpochs + 1, "constant", 0);
        var request = JsonSerializer.Serialize(new
        {
            spec = specPath,
            images = imagesPath,
            labels = labelsPath,
            count,
            shape = new[] { 1, ImageSide, ImageSide },
            batch = c.Batch,
            threads,
            warmup = c.StepsPerEpoch,
            steps = c.StepsPerEpoch * TimedEpochs,
            optimizer,
            lr = 1e-3,
            seed,
        });

        // One untimed epoch first: the process's first training pays for the JIT and for growing the native heap (the
        // first of the runs was often half as fast without it); a search trains many networks in one process.
        await NeuralTrainer.RunAsync(c.Spec, settings with { Epochs = 1 }, train, validation, target, seed, CPU, null, keepNetwork: false, CancellationToken.None);
        var ours = new List<Measure>();
        var bare = new List<Measure>();
        var theirs = new List<PeerMeasure>();
        for (var r = 0; r < repeats; r++)
        {
            var result = await NeuralTrainer.RunAsync(c.Spec, settings, train, validation, target, seed + r, CPU, null, keepNetwork: false, CancellationToken.None);
            var timed = result.Epochs.Skip(1).ToList();
            var ourSteps = timed.Count * c.StepsPerEpoch;
            var ourSeconds = timed.Sum(e => e.Seconds);
            // The matmul rate right after the run, so that the share compares two rates of the same moment of a shared machine.
            var mine = new Measure(ourSteps * c.Batch / ourSeconds, ourSteps, ourSeconds, c.Key == "mlp" ? MatmulGflops(threads) : double.NaN);
            ours.Add(mine);
            Console.Error.WriteLine($"[bench] {c.Name} run {r + 1}: ours {mine.SamplesPerSecond:N0}/s ({mine.Steps} steps in {mine.Seconds:0.00} s, "
                + $"batches {Pct(timed.Sum(e => e.LoadSeconds) / ourSeconds, 0)} of it)");

            var loop = BareLoop(c, train, optimizer, c.StepsPerEpoch, c.StepsPerEpoch * TimedEpochs, seed + r);
            bare.Add(loop);
            Console.Error.WriteLine($"[bench] {c.Name} run {r + 1}: bare TorchSharp loop {loop.SamplesPerSecond:N0}/s");

            if (oursOnly)
            {
                continue;
            }

            var peer = await RunPeerAsync(request, threads);
            theirs.Add(peer);
            Console.Error.WriteLine($"[bench] {c.Name} run {r + 1}: PyTorch {peer.Version} {peer.SamplesPerSecond:N0}/s ({peer.Steps} steps in {peer.Seconds:0.00} s, {peer.Threads} threads)");
        }

        return new Outcome(c, ours, bare, theirs);
    }

    /// <summary>The least a TorchSharp training loop does: one batch made once, then zero_grad, forward, loss, backward, step.</summary>
    private static Measure BareLoop(Case c, NeuralSamples train, string optimizer, int warmup, int steps, int seed)
    {
        using var network = NeuralTrainer.Build(c.Spec, seed, CPU);
        network.train();
        using var optim = optimizer == "adam"
            ? (TorchSharp.Modules.OptimizerHelper)TorchSharp.torch.optim.Adam(network.parameters(), 1e-3)
            : TorchSharp.torch.optim.SGD(network.parameters(), 1e-3, momentum: 0.9);
        var rows = Enumerable.Range(0, c.Batch).Select(i => (long)i).ToArray();
        using var x = train.Batch(rows);
        using var y = tensor(rows.Select(r => train.Labels[r]).ToArray());
        var watch = new Stopwatch();
        for (var i = 0; i < warmup + steps; i++)
        {
            if (i == warmup)
            {
                watch.Start();
            }

            using var scope = NewDisposeScope();
            optim.zero_grad();
            var loss = nn.functional.cross_entropy(network.forward(x), y);
            loss.backward();
            optim.step();
            _ = loss.item<float>();
        }

        return new Measure(steps * c.Batch / watch.Elapsed.TotalSeconds, steps, watch.Elapsed.TotalSeconds);
    }

    private static async Task<PeerMeasure> RunPeerAsync(string request, int threads)
    {
        var script = Path.Combine(AppContext.BaseDirectory, "torch_peer.py");
        var start = new ProcessStartInfo(TorchPython) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        // Debian's torch calls the system BLAS (BLAS_INFO=generic), which torch.set_num_threads does not size: OpenBLAS
        // (bench/neural.sh installs it; the reference BLAS is some 30× slower) is told the threads itself, and OpenMP's
        // idle threads sleep instead of spinning against OpenBLAS's own (spinning made its steps 2-5× slower here).
        start.Environment["OPENBLAS_NUM_THREADS"] = threads.ToString(CultureInfo.InvariantCulture);
        start.Environment["OMP_WAIT_POLICY"] = "PASSIVE";
        start.Environment["OMP_NUM_THREADS"] = threads.ToString(CultureInfo.InvariantCulture);
        start.ArgumentList.Add(script);
        start.ArgumentList.Add(request);
        using var python = Process.Start(start) ?? throw new InvalidOperationException($"Cannot start {TorchPython}.");
        var stderr = python.StandardError.ReadToEndAsync();
        var stdout = await python.StandardOutput.ReadToEndAsync();
        await python.WaitForExitAsync();
        if (python.ExitCode != 0 || string.IsNullOrWhiteSpace(stdout))
        {
            throw new InvalidOperationException($"PyTorch's side failed (exit {python.ExitCode}): {await stderr}");
        }

        using var json = JsonDocument.Parse(stdout.Trim().Split('\n')[^1]);
        var root = json.RootElement;
        return new PeerMeasure(
            root.GetProperty("samples_per_s").GetDouble(), root.GetProperty("steps").GetInt32(), root.GetProperty("seconds").GetDouble(),
            root.GetProperty("threads").GetInt32(), root.GetProperty("torch").GetString() ?? "?", root.GetProperty("matmul_gflops").GetDouble());
    }

    /// <summary>
    /// libtorch's float32 matmul rate (TorchSharp, 1024×1024 by 1024×1024, 2·n³ FLOP each): the best of ten bursts of
    /// about 50 ms, the machine's peak rather than a moment when other work shares its cores.
    /// </summary>
    private static double MatmulGflops(int threads)
    {
        const int n = 1024;
        set_num_threads(threads);
        using var generator = new Generator(1, CPU);
        using var a = randn([n, n], generator: generator);
        using var b = randn([n, n], generator: generator);
        a.matmul(b).Dispose();
        var best = 0.0;
        for (var burst = 0; burst < 10; burst++)
        {
            var watch = Stopwatch.StartNew();
            var count = 0;
            while (watch.Elapsed.TotalSeconds < 0.05)
            {
                a.matmul(b).Dispose();
                count++;
            }

            best = Math.Max(best, count * 2.0 * n * n * n / watch.Elapsed.TotalSeconds / 1e9);
        }

        return best;
    }

    private static void Print(List<Outcome> outcomes, int threads)
    {
        Console.WriteLine();
        foreach (var o in outcomes.Where(o => o.Theirs.Count == 0))
        {
            Console.WriteLine($"{o.Case.Name,-31}  batch {o.Case.Batch,3}  threads {threads}  ours {o.OursRate,7:N0}/s  bare TorchSharp loop {o.BareRate,7:N0}/s  (PyTorch not run)");
        }

        foreach (var o in outcomes.Where(o => o.Theirs.Count > 0))
        {
            var verdict = o.Ratio >= RatioGoal ? "PASS" : "FAIL";
            Console.WriteLine($"{o.Case.Name,-31}  batch {o.Case.Batch,3}  threads {threads}  ours {o.OursRate,7:N0}/s  PyTorch {o.TheirRate,7:N0}/s  "
                + $"ratio {o.Ratio:0.00} (goal >= {RatioGoal:0.0})  {verdict}");
            Console.WriteLine($"{"",-31}  runs: ours {string.Join(", ", o.Ours.Select(m => m.SamplesPerSecond.ToString("N0", CultureInfo.InvariantCulture)))}; "
                + $"bare TorchSharp loop {string.Join(", ", o.Bare.Select(m => m.SamplesPerSecond.ToString("N0", CultureInfo.InvariantCulture)))} "
                + $"(median {o.BareRate:N0}/s: our loop at {o.OursRate / o.BareRate:0.00} of it); "
                + $"PyTorch {string.Join(", ", o.Theirs.Select(m => m.SamplesPerSecond.ToString("N0", CultureInfo.InvariantCulture)))} "
                + $"({o.Ours[0].Steps} timed steps each; PyTorch {o.Theirs[0].Version}, its matmul {Stats.Median([.. o.Theirs.Select(t => t.MatmulGflops)]):0.0} GFLOP/s)");
        }

        var mlp = outcomes.FirstOrDefault(o => o.Case.Key == "mlp");
        if (mlp is null)
        {
            return;
        }

        // Forward 2 FLOP per multiply-add; backward about twice the forward.
        var flops = 3.0 * 2 * NetworkSummary.Of(mlp.Case.Spec).MultiplyAdds;
        var gflops = mlp.OursRate * flops / 1e9;
        var matmul = Stats.Median([.. mlp.Ours.Select(m => m.MatmulGflops)]);
        var share = Stats.Median([.. mlp.Ours.Select(m => m.SamplesPerSecond * flops / 1e9 / m.MatmulGflops)]);
        Console.WriteLine($"MLP training {gflops:0.0} GFLOP/s ({flops / 6:N0} multiply-adds per sample × 6 × {mlp.OursRate:N0}/s) = "
            + $"{Pct(share, 0)} of libtorch's 1024×1024 matmul {matmul:0.0} GFLOP/s (TorchSharp, {threads} threads, best of 10 bursts; medians over the runs, "
            + $"each share against the matmul timed right after its run) (goal >= {Pct(MatmulShareGoal, 0)})  {(share >= MatmulShareGoal ? "PASS" : "FAIL")}");
        if (mlp.Theirs.Count > 0)
        {
            var theirShare = Stats.Median([.. mlp.Theirs.Select(m => m.SamplesPerSecond * flops / 1e9 / m.MatmulGflops)]);
            Console.WriteLine($"  for comparison, PyTorch's: {mlp.TheirRate * flops / 1e9:0.0} GFLOP/s = {Pct(theirShare, 0)} of its own matmul "
                + $"{Stats.Median([.. mlp.Theirs.Select(t => t.MatmulGflops)]):0.0} GFLOP/s");
        }
    }
}
