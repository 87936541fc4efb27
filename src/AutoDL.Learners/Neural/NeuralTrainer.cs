using System.Diagnostics;
using AutoDL.Core.Search;
using AutoDL.Learners.Tabular;
using TorchSharp;
using static TorchSharp.torch;

namespace AutoDL.Learners.Neural;

/// <summary>Reports an epoch's validation score; <see cref="TrialContext.ReportAsync"/> is one (it may throw <see cref="TrialPrunedException"/>).</summary>
public delegate Task EpochReporter(int epoch, double value, CancellationToken cancellationToken);

/// <summary>What one training run came to.</summary>
/// <param name="Network">The network with its best epoch's weights (on the CPU, in eval mode); null unless asked to keep it.</param>
/// <param name="BestValue">The best validation score of any epoch, in the metric's own direction.</param>
/// <param name="BestEpoch">The epoch (from 0) that scored it.</param>
/// <param name="LoadShare">Share of the training time spent making batches (indexing, conversion, augmentation).</param>
/// <param name="StoppedBy">Why it trained no further.</param>
public sealed record TrainingResult(
    SpecNetwork? Network, double BestValue, int BestEpoch, IReadOnlyList<EpochRecord> Epochs, double LoadShare, double Seconds,
    TrainingStop StoppedBy = TrainingStop.Epochs);

/// <summary>Why a training run stopped where it did.</summary>
public enum TrainingStop
{
    /// <summary>It trained every epoch it was given: its epoch cap, or <see cref="TrainingLimit.Epochs"/>.</summary>
    Epochs,

    /// <summary>The validation score had not improved for its patience.</summary>
    EarlyStopping,

    /// <summary>The search's time budget: another epoch would not have finished before <see cref="TrainingLimit.Deadline"/>, or it was cut short by it.</summary>
    Budget,
}

/// <summary>Where a run stops short of its epoch cap; the learning-rate schedule still spans the cap, so a shorter run trains the cap's first epochs exactly.</summary>
public sealed record TrainingLimit
{
    public static readonly TrainingLimit None = new();

    /// <summary>Train at most this many epochs (a refit reproducing its trial up to the trial's best epoch); null: the cap.</summary>
    public int? Epochs { get; init; }

    /// <summary>
    /// The search's deadline (by <see cref="Clock"/>): after each epoch the run stops when another one (as long as the
    /// longest of the last and the mean epoch so far, validation and report included) would not finish before it; and
    /// once it has passed, a run cut mid-epoch keeps what its finished epochs trained. Null: none.
    /// </summary>
    public DateTimeOffset? Deadline { get; init; }

    public TimeProvider Clock { get; init; } = TimeProvider.System;
}

/// <summary>
/// The task's classes and the metric a network is judged by on its validation samples. No classes: a regression, whose
/// network has one output trained by mean squared error against <see cref="NeuralSamples.Targets"/>.
/// </summary>
public sealed record NeuralTarget(IReadOnlyList<string> Classes, TabularMetric Metric)
{
    /// <summary>A regression target judged by <paramref name="metric"/> (RMSE, MAE or R²).</summary>
    public static NeuralTarget Regression(TabularMetric metric) => new([], metric);

    public TabularTask Task => Classes.Count switch
    {
        0 => TabularTask.Regression,
        2 => TabularTask.Binary,
        _ => TabularTask.Multiclass,
    };

    public Direction Direction => Metric.Direction();

    public bool IsBetter(double value, double than) => Direction == Direction.Maximize ? value > than : value < than;
}

/// <summary>
/// Trains one network: mini-batches of cross-entropy with label smoothing (regression: mean squared error) under Adam, AdamW or SGD with Nesterov-free
/// momentum 0.9, the learning rate set every step by the schedule, and after every epoch the validation score, reported
/// (so median and ASHA prune over epochs) and tracked: training stops early once the score has not improved for a third
/// of the epochs (at least 4), or when the next epoch would not fit before the search's deadline (<see cref="TrainingLimit"/>),
/// and the best epoch's weights are what it keeps. Everything random (weights, dropout,
/// shuffling, augmentation) comes from <see cref="Run"/>'s seed, so the same seed trains the same weights on the CPU.
/// Every tensor of a step lives in a dispose scope: nothing grows from step to step or trial to trial.
/// </summary>
public static class NeuralTrainer
{
    /// <summary>Samples scored at once when evaluating.</summary>
    public const int EvaluationBatch = 512;

    /// <param name="keepNetwork">Return the trained network (its best weights); else it is disposed.</param>
    /// <param name="threads">
    /// Threads for the run's tensor operations (0: leave them as they are). Set on each thread the run's work lands on:
    /// libtorch's OpenMP thread count is a per-thread setting, and epochs run on thread-pool threads.
    /// </param>
    /// <param name="limit">Fewer epochs than the cap, or the search's deadline; null: none.</param>
    /// <exception cref="TrialPrunedException">The reporter's pruner stopped the run.</exception>
    /// <exception cref="InvalidOperationException">The loss stopped being a finite number (the run diverged).</exception>
    /// <exception cref="OperationCanceledException">
    /// <paramref name="cancellationToken"/> was cancelled; the run stops within one step. (Not when the limit's deadline
    /// has passed and an epoch has finished: that run returns its best epoch, stopped by the budget.)
    /// </exception>
    public static async Task<TrainingResult> RunAsync(
        NetworkSpec spec, TrainingSettings settings, NeuralSamples train, NeuralSamples validation, NeuralTarget target, int seed, Device device,
        EpochReporter? report, bool keepNetwork, CancellationToken cancellationToken, int threads = 0, TrainingLimit? limit = null)
    {
        settings.Check();
        limit ??= TrainingLimit.None;
        if (limit.Epochs is < 1)
        {
            throw new ArgumentException($"A run needs at least one epoch, not {limit.Epochs}.", nameof(limit));
        }

        if ((target.Task == TabularTask.Regression) != (train.Targets is not null) || (validation.Targets is null) != (train.Targets is null))
        {
            throw new ArgumentException(
                $"A {target.Task} target needs {(target.Task == TabularTask.Regression ? "samples with target values" : "samples with class labels")} to train and validate on.",
                nameof(target));
        }

        var watch = Stopwatch.StartNew();
        var network = await Task.Run(() => Build(spec, seed, device), cancellationToken);
        var optimizer = Optimizer(network, settings);
        var random = new Random(seed);
        var epochs = new List<EpochRecord>();
        Dictionary<string, Tensor>? best = null;
        var bestValue = double.NaN;
        var bestEpoch = -1;
        var patience = Math.Max(4, settings.Epochs / 3);
        var stepsPerEpoch = (train.Count + settings.BatchSize - 1) / settings.BatchSize;
        var totalSteps = (long)stepsPerEpoch * settings.Epochs;
        var lastEpoch = Math.Min(settings.Epochs, limit.Epochs ?? int.MaxValue);
        var stoppedBy = TrainingStop.Epochs;
        double loadSeconds = 0, trainSeconds = 0, epochSeconds = 0;
        try
        {
            for (var epoch = 0; epoch < lastEpoch; epoch++)
            {
                var started = limit.Clock.GetTimestamp();
                EpochRecord record;
                try
                {
                    record = await Task.Run(
                        () =>
                        {
                            if (threads > 0)
                            {
                                NeuralThreads.Use(threads);
                            }

                            return Epoch(network, optimizer, settings, train, validation, target, device, random, epoch, (long)epoch * stepsPerEpoch, totalSteps, cancellationToken);
                        },
                        cancellationToken);
                }
                catch (OperationCanceledException) when (bestEpoch >= 0 && limit.Deadline is { } deadline && limit.Clock.GetUtcNow() >= deadline)
                {
                    // The budget cut this epoch short: the finished ones stand, as if it had stopped before it.
                    stoppedBy = TrainingStop.Budget;
                    break;
                }

                epochs.Add(record);
                loadSeconds += record.LoadSeconds;
                trainSeconds += record.Seconds;
                if (bestEpoch < 0 || target.IsBetter(record.ValidationValue, bestValue))
                {
                    bestValue = record.ValidationValue;
                    bestEpoch = epoch;
                    if (keepNetwork)
                    {
                        Release(best);
                        best = Snapshot(network);
                    }
                }

                if (report is not null)
                {
                    // Not cancelled: an epoch that finished is recorded with its trial whatever stops the run next.
                    await report(epoch, record.ValidationValue, CancellationToken.None);
                }

                if (epoch - bestEpoch >= patience)
                {
                    stoppedBy = TrainingStop.EarlyStopping;
                    break;
                }

                var seconds = limit.Clock.GetElapsedTime(started).TotalSeconds;
                epochSeconds += seconds;
                var next = Math.Max(seconds, epochSeconds / (epoch + 1));
                if (epoch + 1 < lastEpoch && limit.Deadline is { } end && (end - limit.Clock.GetUtcNow()).TotalSeconds < next)
                {
                    stoppedBy = TrainingStop.Budget;
                    break;
                }
            }

            SpecNetwork? kept = null;
            if (keepNetwork)
            {
                network.load_state_dict(best!);
                network.eval();
                network.to(CPU);
                kept = network;
            }

            return new TrainingResult(
                kept, bestValue, bestEpoch, epochs, trainSeconds > 0 ? loadSeconds / trainSeconds : 0, watch.Elapsed.TotalSeconds, stoppedBy);
        }
        catch (Exception) when (keepNetwork)
        {
            network.Dispose();
            throw;
        }
        finally
        {
            Release(best);
            optimizer.Dispose();
            if (!keepNetwork)
            {
                network.Dispose();
            }
        }
    }

    /// <summary>The network for <paramref name="spec"/>, its weights drawn from <paramref name="seed"/>, on <paramref name="device"/>.</summary>
    public static SpecNetwork Build(NetworkSpec spec, int seed, Device device)
    {
        using var weights = new Generator((ulong)(uint)seed, CPU);
        var dropout = new Generator((ulong)(uint)seed + 1, device);
        var network = new SpecNetwork(spec, weights, dropout) { Owned = dropout };
        network.to(device);
        return network;
    }

    /// <summary>
    /// Class probabilities <c>[N, classes]</c> of every sample, in order, and the mean cross-entropy against their labels;
    /// for regression samples (with <see cref="NeuralSamples.Targets"/>), the network's one output <c>[N, 1]</c> and the
    /// mean squared error against the targets.
    /// </summary>
    public static (double[][] Probabilities, double Loss) Predict(SpecNetwork network, NeuralSamples samples, Device device)
    {
        var regression = samples.Targets is not null;
        return InBatches(network, samples, device, (rows, output) =>
        {
            if (regression)
            {
                var values = output.view(-1);
                var y = tensor(rows.Select(r => samples.Targets![r]).ToArray(), device: device);
                var predicted = values.cpu().to_type(ScalarType.Float64).data<double>().ToArray();
                return (nn.functional.mse_loss(values, y, reduction: nn.Reduction.Sum).cpu().item<float>(), [.. predicted.Select(v => new[] { v })]);
            }

            var labels = tensor(rows.Select(r => samples.Labels[r]).ToArray(), device: device);
            var p = nn.functional.softmax(output, 1).cpu().to_type(ScalarType.Float64);
            var all = p.data<double>().ToArray();
            var k = (int)p.shape[1];
            return (nn.functional.cross_entropy(output, labels, reduction: nn.Reduction.Sum).cpu().item<float>(),
                [.. Enumerable.Range(0, rows.Length).Select(i => all.AsSpan(i * k, k).ToArray())]);
        });
    }

    /// <summary>
    /// Runs every sample through the network in eval mode, <see cref="EvaluationBatch"/> at a time, each batch in its own
    /// dispose scope; <paramref name="score"/> turns a batch's output into its summed loss and one row of numbers a sample.
    /// </summary>
    private static (double[][] Rows, double Loss) InBatches(
        SpecNetwork network, NeuralSamples samples, Device device, Func<long[], Tensor, (double Loss, double[][] Rows)> score)
    {
        network.eval();
        var results = new double[samples.Count][];
        double loss = 0;
        using var _ = no_grad();
        for (var start = 0; start < samples.Count; start += EvaluationBatch)
        {
            using var scope = NewDisposeScope();
            var rows = Enumerable.Range(start, Math.Min(EvaluationBatch, samples.Count - start)).Select(i => (long)i).ToArray();
            var (batchLoss, batchRows) = score(rows, network.forward(samples.Batch(rows).to(device)));
            loss += batchLoss;
            batchRows.CopyTo(results, start);
        }

        return (results, samples.Count == 0 ? 0 : loss / samples.Count);
    }

    /// <summary>
    /// The score of <paramref name="probabilities"/> against the samples' labels, with every classification metric
    /// (binary: AUC ranks by the positive class's probability).
    /// </summary>
    public static TabularEvaluation Evaluate(double[][] probabilities, long[] labels, NeuralTarget target, bool curves = false)
    {
        var truth = labels.Select(l => (int)l).ToList();
        var predicted = probabilities.Select(p => Array.IndexOf(p, p.Max())).ToList();
        var positive = target.Task == TabularTask.Binary ? probabilities.Select(p => p[1]).ToList() : null;
        return TabularEvaluation.ForClasses(target.Task, target.Classes, truth, predicted, probabilities, positive, curves: curves);
    }

    /// <summary>The score of <see cref="Predict"/>'s output for regression samples against their targets.</summary>
    public static TabularEvaluation Evaluate(double[][] values, float[] targets) =>
        TabularEvaluation.ForNumbers([.. targets.Select(t => (double)t)], [.. values.Select(v => v[0])]);

    private static EpochRecord Epoch(
        SpecNetwork network, optim.Optimizer optimizer, TrainingSettings settings, NeuralSamples train, NeuralSamples validation, NeuralTarget target,
        Device device, Random random, int epoch, long firstStep, long totalSteps, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        var load = new Stopwatch();
        network.train();
        var order = Enumerable.Range(0, train.Count).Select(i => (long)i).ToArray();
        random.Shuffle(order);
        double lossSum = 0;
        var seen = 0;
        var step = firstStep;
        for (var start = 0; start < order.Length; start += settings.BatchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var count = Math.Min(settings.BatchSize, order.Length - start);
            // A last batch of one sample cannot be batch-normalized: it joins the next epoch's shuffle instead.
            if (count < 2 && seen > 0)
            {
                break;
            }

            using var scope = NewDisposeScope();
            load.Start();
            var rows = order.AsSpan(start, count).ToArray();
            var x = train.Batch(rows, random, settings.Flip, settings.Shift).to(device);
            var y = train.Targets is { } targets
                ? tensor(rows.Select(r => targets[r]).ToArray(), device: device)
                : tensor(rows.Select(r => train.Labels[r]).ToArray(), device: device);
            load.Stop();

            foreach (var group in optimizer.ParamGroups)
            {
                group.LearningRate = settings.LearningRateAt(step, totalSteps);
            }

            optimizer.zero_grad();
            var loss = train.Targets is not null
                ? nn.functional.mse_loss(network.forward(x).view(-1), y)
                : nn.functional.cross_entropy(network.forward(x), y, label_smoothing: settings.LabelSmoothing);
            loss.backward();
            optimizer.step();
            var value = loss.item<float>();
            if (!float.IsFinite(value))
            {
                throw new InvalidOperationException(
                    $"The training diverged in epoch {epoch + 1}: the loss became {value}. A lower learning rate ({settings.LearningRate:G3} was used) or another optimizer may train.");
            }

            lossSum += value * count;
            seen += count;
            step++;
        }

        var trainSeconds = watch.Elapsed.TotalSeconds;
        var (probabilities, validationLoss) = Predict(network, validation, device);
        var score = (validation.Targets is { } truth ? Evaluate(probabilities, truth) : Evaluate(probabilities, validation.Labels, target)).Value(target.Metric);
        return new EpochRecord(epoch, seen == 0 ? 0 : lossSum / seen, score, validationLoss, trainSeconds, load.Elapsed.TotalSeconds);
    }

    private static optim.Optimizer Optimizer(SpecNetwork network, TrainingSettings settings) => settings.Optimizer switch
    {
        "adam" => optim.Adam(network.parameters(), settings.LearningRate, weight_decay: settings.WeightDecay),
        "adamw" => optim.AdamW(network.parameters(), settings.LearningRate, weight_decay: settings.WeightDecay),
        _ => optim.SGD(network.parameters(), settings.LearningRate, momentum: 0.9, weight_decay: settings.WeightDecay),
    };

    private static Dictionary<string, Tensor> Snapshot(SpecNetwork network)
    {
        using var _ = no_grad();
        return network.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone());
    }

    private static void Release(Dictionary<string, Tensor>? state)
    {
        foreach (var tensor in state?.Values ?? Enumerable.Empty<Tensor>())
        {
            tensor.Dispose();
        }
    }
}
