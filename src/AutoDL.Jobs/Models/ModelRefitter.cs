using System.Diagnostics;
using AutoDL.Learners;
using AutoDL.Core.Datasets;
using AutoDL.Core.Search;
using AutoDL.Data;
using AutoDL.Data.Models;
using AutoDL.Jobs.Events;
using AutoDL.Jobs.Hosting;
using System.Text.Json;
using AutoDL.Core.Datasets.Images;
using AutoDL.Jobs.Searches;
using AutoDL.Learners.Neural;
using AutoDL.Learners.Tabular;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AutoDL.Jobs.Models;

/// <summary>
/// Turns a trial into a model: its parameters refitted on every training row of the search's experiment, tested once
/// on the held-out rows, then (tabular models, unless the search's <see cref="SearchSettings.RefitOnAllRows"/> is off)
/// refitted on every row, test rows included, as the deployed model; saved as an ML.NET zip under
/// <c>{DataRoot}/models/{id}.zip</c>, with the held-out model's test metrics, what the deployed model was fitted on
/// (<see cref="ModelRow.FitJson"/>), input schema, refit time and prediction time per row stored on its <see cref="ModelRow"/>. It is also exported to ONNX
/// where the pipeline converts and ONNX Runtime matches ML.NET on the test rows (<see cref="TabularOnnx"/>):
/// <c>models/{id}.onnx</c>, and beside it always <c>models/{id}.onnx.json</c>, the check's outcome
/// (<c>{ available, maxAbsDifference, rows, reason }</c>). Both are written before the model is marked Ready.
/// </summary>
public sealed class ModelRefitter(
    IServiceScopeFactory scopes, DataFolder dataFolder, IChangePublisher changes, ILogger<ModelRefitter> logger)
{
    /// <summary>Most rows predicted to time a model's prediction speed.</summary>
    public const int TimingRows = 2000;

    /// <summary>
    /// The model of trial <paramref name="trial"/>: the existing one (any state) or a new Queued one. Two callers
    /// asking at once get the same model (the table is unique on search and trial).
    /// </summary>
    public static async Task<(ModelRow Model, bool Created)> EnsureModelAsync(
        AppDbContext db, string searchId, Trial trial, SearchSpace space, bool isBest, string? userId, DateTime now, CancellationToken cancellationToken)
    {
        var existing = await db.Models.AsNoTracking().SingleOrDefaultAsync(m => m.SearchId == searchId && m.TrialNumber == trial.Number, cancellationToken);
        if (existing is not null)
        {
            return (existing, false);
        }

        var parameters = space.ToExternal(trial.Params);
        var row = new ModelRow
        {
            Id = Guid.NewGuid().ToString("N"),
            SearchId = searchId,
            TrialNumber = trial.Number,
            Learner = parameters.TryGetValue(TabularParameters.Learner, out var learner) ? learner.ToString() ?? "" : "",
            ParamsJson = ModelJson.Parameters(parameters),
            ValidationValue = trial.Primary,
            State = ModelState.Queued,
            IsBest = isBest,
            CreatedAt = now,
            CreatedBy = userId,
        };
        db.Models.Add(row);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return (row, true);
        }
        catch (DbUpdateException)
        {
            db.Entry(row).State = EntityState.Detached;
            var raced = await db.Models.AsNoTracking().SingleOrDefaultAsync(m => m.SearchId == searchId && m.TrialNumber == trial.Number, cancellationToken);
            return raced is not null ? (raced, false) : throw new InvalidOperationException($"The model of trial {trial.Number} could not be stored.");
        }
        finally
        {
            db.Entry(row).State = EntityState.Detached;
        }
    }

    /// <summary>
    /// Refits trial <paramref name="trial"/> into model <paramref name="modelId"/> on the search's table or images (an
    /// image trial for its epochs up to its best one, <see cref="EpochsOf"/>); Ready on success, else Failed with the reason.
    /// </summary>
    /// <param name="fittedOn">Tabular models: the rows of the deployed model (<see cref="SearchSettings.DeployedFit"/>); image models ignore it.</param>
    /// <returns>Null when the model is Ready; else why it failed, in words for the user.</returns>
    public Task<string?> RefitAsync(
        string modelId, SearchWorkload workload, Trial trial, SearchSpace space, FittedOn fittedOn, CancellationToken cancellationToken) =>
        workload switch
        {
            ImageWorkload images => RefitAsync(modelId, images.Experiment, space.ToExternal(trial.Params), cancellationToken, EpochsOf(trial, images.Experiment)),
            TabularWorkload table => RefitAsync(modelId, table.Experiment, space.ToExternal(trial.Params), fittedOn, cancellationToken),
            _ => throw new ArgumentException($"Unknown workload {workload.GetType().Name}.", nameof(workload)),
        };

    /// <summary>
    /// The epochs an image trial's refit trains: up to its best reported epoch (one report per epoch, from 0), so the
    /// refit keeps the weights the trial's value came from, however the trial stopped (epoch cap, early stopping, the
    /// budget, a cut or the pruner); null when it reported nothing (train as the trial would).
    /// </summary>
    public static int? EpochsOf(Trial trial, ImageExperiment experiment) => trial.BestIntermediate(experiment.Target.Direction)?.Step + 1;

    /// <summary>
    /// Refits model <paramref name="modelId"/> on <paramref name="experiment"/>'s training rows, tests it once, and
    /// deploys it as fitted or refitted on every row (<paramref name="fittedOn"/>); Ready on success, else Failed with the reason.
    /// </summary>
    /// <returns>Null when the model is Ready; else why it failed, in words for the user.</returns>
    public Task<string?> RefitAsync(
        string modelId, TabularExperiment experiment, IReadOnlyDictionary<string, object> parameters, FittedOn fittedOn, CancellationToken cancellationToken) =>
        RefitAsync(modelId, async () =>
        {
            var watch = Stopwatch.StartNew();
            var model = await TabularModelBuilder.FitAsync(experiment, parameters, cancellationToken, fittedOn);
            var trainingSeconds = watch.Elapsed.TotalSeconds;
            // The ONNX form is the deployed model's, checked against it.
            await ExportOnnxAsync(modelId, model, experiment, cancellationToken);
            await StoreAsync(modelId, model.Predictor, model.TestEvaluation, model.Fit, trainingSeconds, experiment, cancellationToken);
        }, cancellationToken);

    /// <summary>
    /// Trains model <paramref name="modelId"/> as its trial trained (its best epoch's weights) and tests it once on the
    /// held-out images; stores the zip, the metrics, the model card (<see cref="NeuralCardPath"/>: layer table,
    /// parameters, multiply-adds, curves per epoch, misclassified test images as PNGs beside it) and its speed.
    /// </summary>
    /// <param name="epochs">The epochs to train, the trial's up to its best one (<see cref="EpochsOf"/>); null: as a trial would.</param>
    /// <returns>Null when the model is Ready; else why it failed, in words for the user.</returns>
    public Task<string?> RefitAsync(
        string modelId, ImageExperiment experiment, IReadOnlyDictionary<string, object> parameters, CancellationToken cancellationToken, int? epochs = null) =>
        RefitAsync(modelId, async () =>
        {
            var watch = Stopwatch.StartNew();
            var model = await ImageModelBuilder.FitAsync(experiment, parameters, cancellationToken, epochs);
            using var predictor = model.Predictor;
            var trainingSeconds = watch.Elapsed.TotalSeconds;
            var microseconds = TimeImages(predictor, experiment);
            await WriteCardAsync(modelId, model, experiment, microseconds, cancellationToken);
            await ExportOnnxAsync(modelId, predictor.Network, experiment, cancellationToken);
            await StoreFileAsync(modelId, predictor, model.Test, ImageModelBuilder.Fit(experiment), trainingSeconds, microseconds, cancellationToken);
        }, cancellationToken);

    private async Task<string?> RefitAsync(string modelId, Func<Task> refit, CancellationToken cancellationToken)
    {
        var searchId = await UpdateAsync(modelId, m => m.SetProperty(x => x.State, ModelState.Training).SetProperty(x => x.Error, (string?)null), cancellationToken);
        try
        {
            await refit();
            Announce(modelId, searchId);
            return null;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var reason = e switch
            {
                ArgumentException a => $"Refitting trial's parameters failed: {Searches.SearchLauncher.WithoutParameterName(a)}",
                _ => $"Refitting failed: {e.Message}",
            };
            logger.LogWarning(e, "Refitting model {ModelId} failed", modelId);
            await UpdateAsync(modelId, m => m.SetProperty(x => x.State, ModelState.Failed).SetProperty(x => x.Error, reason), CancellationToken.None);
            Announce(modelId, searchId);
            return reason;
        }
    }

    /// <summary>
    /// Stores a fitted model as model <paramref name="modelId"/> and marks it Ready: its file written whole
    /// (<c>models/{id}.zip</c>, through a temporary name), its test metrics (<paramref name="test"/>: those of the model
    /// fitted without the test rows), what the deployed <paramref name="predictor"/> was fitted on, input columns, fit
    /// time and prediction speed. The refits and the search's ensemble both end here.
    /// </summary>
    public async Task StoreAsync(
        string modelId, ITabularPredictor predictor, TabularEvaluation? test, ModelFit fit, double trainingSeconds, TabularExperiment experiment,
        CancellationToken cancellationToken)
    {
        var microseconds = await TimePredictionAsync(predictor, experiment, logger, cancellationToken);
        await StoreFileAsync(modelId, predictor, test, fit, trainingSeconds, microseconds, cancellationToken);
    }

    private async Task StoreFileAsync(
        string modelId, ITabularPredictor predictor, TabularEvaluation? test, ModelFit fit, double trainingSeconds, double? microseconds,
        CancellationToken cancellationToken)
    {
        var relative = $"models/{modelId}.zip";
        var path = Path.Combine(dataFolder.Path, "models", $"{modelId}.zip");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = path + ".tmp";
        await predictor.SaveAsync(temporary, cancellationToken);
        File.Move(temporary, path, overwrite: true);

        var metrics = test is null ? null : ModelJson.Metrics(test);
        var schema = ModelJson.InputSchema(predictor.InputColumns);
        var fitJson = ModelJson.Fit(fit);
        await UpdateAsync(modelId, m => m
            .SetProperty(x => x.State, ModelState.Ready)
            .SetProperty(x => x.TestMetricsJson, metrics)
            .SetProperty(x => x.InputSchemaJson, schema)
            .SetProperty(x => x.FitJson, fitJson)
            .SetProperty(x => x.StoredPath, relative)
            .SetProperty(x => x.TrainingSeconds, trainingSeconds)
            .SetProperty(x => x.PredictMicrosecondsPerRow, microseconds), CancellationToken.None);
    }

    /// <summary>The model card of neural model <paramref name="modelId"/> (a <see cref="NeuralModelCard"/> as JSON), relative to the data folder.</summary>
    public static string NeuralCardPath(string modelId) => $"models/{modelId}.card.json";

    /// <summary>The folder of a neural model's misclassified test images (<c>{n}.png</c>), relative to the data folder.</summary>
    public static string MisclassifiedFolder(string modelId) => $"models/{modelId}.misclassified";

    private async Task WriteCardAsync(string modelId, ImageModel model, ImageExperiment experiment, double? microseconds, CancellationToken cancellationToken)
    {
        var folder = Path.Combine(dataFolder.Path, MisclassifiedFolder(modelId));
        Directory.CreateDirectory(folder);
        var pixels = experiment.Pixels;
        var wrong = new List<NeuralCardImage>();
        foreach (var (image, i) in model.Misclassified.Select((m, i) => (m, i)))
        {
            var file = $"{i}.png";
            var bytes = pixels.Pixels.AsSpan(image.Image * pixels.ImageBytes, pixels.ImageBytes);
            await File.WriteAllBytesAsync(Path.Combine(folder, file), ImageDecoder.EncodePng(bytes, pixels.Channels, pixels.Height, pixels.Width), cancellationToken);
            wrong.Add(new NeuralCardImage(file, image.Actual, image.Predicted, image.Confidence));
        }

        var card = new NeuralModelCard(
            model.Predictor.Learner, [.. experiment.Shape], model.Summary.Layers, model.Summary.Parameters, model.Summary.MultiplyAdds,
            microseconds is { } us ? us / 1000 : null, model.Training.BestEpoch, model.Training.LoadShare, model.Training.Epochs, wrong,
            experiment.TrainRows.Length, experiment.ValidationRows.Length, experiment.TestRows.Length);
        var path = Path.Combine(dataFolder.Path, NeuralCardPath(modelId));
        await File.WriteAllTextAsync(path + ".tmp", JsonSerializer.Serialize(card, ModelJson.Options), cancellationToken);
        File.Move(path + ".tmp", path, overwrite: true);
    }

    /// <summary>Microseconds per image of one batch prediction of (at most <see cref="TimingRows"/>) test images, after a warm-up image.</summary>
    private static double? TimeImages(NeuralPredictor predictor, ImageExperiment experiment)
    {
        var pixels = experiment.Pixels;
        var rows = experiment.TestRows.Take(Math.Min(TimingRows, 256)).ToArray();
        if (rows.Length == 0)
        {
            return null;
        }

        var bytes = new byte[rows.Length * pixels.ImageBytes];
        for (var i = 0; i < rows.Length; i++)
        {
            Array.Copy(pixels.Pixels, (long)rows[i] * pixels.ImageBytes, bytes, (long)i * pixels.ImageBytes, pixels.ImageBytes);
        }

        predictor.PredictPixels(bytes[..pixels.ImageBytes], 1);
        var watch = Stopwatch.StartNew();
        predictor.PredictPixels(bytes, rows.Length);
        return watch.Elapsed.TotalMicroseconds / rows.Length;
    }

    /// <summary>The ONNX file of model <paramref name="modelId"/>, relative to the data folder.</summary>
    public static string OnnxPath(string modelId) => $"models/{modelId}.onnx";

    /// <summary>The outcome of the ONNX export of model <paramref name="modelId"/> (a <see cref="OnnxCheck"/> as JSON), relative to the data folder.</summary>
    public static string OnnxCheckPath(string modelId) => $"models/{modelId}.onnx.json";

    /// <summary>Exports the model to ONNX and records the outcome; a failing export leaves the model without ONNX, never failed.</summary>
    private async Task ExportOnnxAsync(string modelId, TabularModel model, TabularExperiment experiment, CancellationToken cancellationToken)
    {
        var onnxPath = Path.Combine(dataFolder.Path, OnnxPath(modelId));
        Directory.CreateDirectory(Path.GetDirectoryName(onnxPath)!);
        OnnxCheck check;
        try
        {
            check = await TabularOnnx.ExportAsync(model, experiment, onnxPath, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning(e, "Exporting model {ModelId} to ONNX failed", modelId);
            File.Delete(onnxPath);
            check = OnnxCheck.Unavailable($"Exporting to ONNX failed: {e.Message}");
        }

        if (!check.Available)
        {
            logger.LogInformation("Model {ModelId} has no ONNX form: {Reason}", modelId, check.Reason);
        }

        await OnnxCheck.WriteAsync(check, Path.Combine(dataFolder.Path, OnnxCheckPath(modelId)), cancellationToken);
    }

    /// <summary>Exports the network to ONNX, checked on (up to 256 of) the test images; a failing export leaves the model without ONNX, never failed.</summary>
    private async Task ExportOnnxAsync(string modelId, SpecNetwork network, ImageExperiment experiment, CancellationToken cancellationToken)
    {
        var onnxPath = Path.Combine(dataFolder.Path, OnnxPath(modelId));
        Directory.CreateDirectory(Path.GetDirectoryName(onnxPath)!);
        OnnxCheck check;
        try
        {
            using var scope = TorchSharp.torch.NewDisposeScope();
            var rows = Enumerable.Range(0, Math.Min(NeuralOnnx.MaxCheckRows, experiment.Test.Count)).Select(i => (long)i).ToArray();
            check = await NeuralOnnx.ExportAndCheckAsync(network, experiment.Test.Batch(rows), onnxPath, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning(e, "Exporting model {ModelId} to ONNX failed", modelId);
            File.Delete(onnxPath);
            check = OnnxCheck.Unavailable($"Exporting to ONNX failed: {e.Message}");
        }

        await OnnxCheck.WriteAsync(check, Path.Combine(dataFolder.Path, OnnxCheckPath(modelId)), cancellationToken);
    }

    /// <summary>Marks a model Failed (its refit could not even start: the data did not load).</summary>
    public async Task FailAsync(string modelId, string reason, CancellationToken cancellationToken)
    {
        var searchId = await UpdateAsync(modelId, m => m.SetProperty(x => x.State, ModelState.Failed).SetProperty(x => x.Error, reason), cancellationToken);
        Announce(modelId, searchId);
    }

    private void Announce(string modelId, string? searchId)
    {
        changes.Publish(new Change(ChangeKind.Model, modelId));
        if (searchId is not null)
        {
            changes.Publish(new Change(ChangeKind.Search, searchId));
        }
    }

    /// <summary>
    /// Mean microseconds per row of one batch prediction of rows from the dataset's file (as many as the test rows, at
    /// most <see cref="TimingRows"/>), after one warm-up row; null (logged) when the rows cannot be read or predicted.
    /// </summary>
    private static async Task<double?> TimePredictionAsync(
        ITabularPredictor predictor, TabularExperiment experiment, ILogger logger, CancellationToken cancellationToken)
    {
        try
        {
            var count = Math.Clamp(experiment.Split.TestRows.Count, 1, TimingRows);
            var rows = await ReadRowsAsync(experiment.Data, count, cancellationToken);
            if (rows.Count == 0)
            {
                return null;
            }

            predictor.Predict(rows.Take(1).ToList());
            var watch = Stopwatch.StartNew();
            predictor.Predict(rows);
            return watch.Elapsed.TotalMicroseconds / rows.Count;
        }
        catch (Exception e) when (e is ArgumentException or DatasetFormatException or IOException)
        {
            logger.LogInformation(e, "Could not time predictions of the model; leaving its speed unknown");
            return null;
        }
    }

    private static async Task<List<IReadOnlyDictionary<string, object?>>> ReadRowsAsync(TabularData data, int count, CancellationToken cancellationToken)
    {
        await using var stream = File.OpenRead(data.CsvPath);
        using var reader = await CsvReader.OpenAsync(stream, Path.GetFileName(data.CsvPath), cancellationToken);
        var names = reader.ColumnNames;
        var rows = new List<IReadOnlyDictionary<string, object?>>(count);
        while (rows.Count < count && await reader.ReadAsync(cancellationToken))
        {
            var row = new Dictionary<string, object?>(names.Count, StringComparer.Ordinal);
            var current = reader.Current;
            for (var i = 0; i < names.Count && i < current.Count; i++)
            {
                var value = current[i].ToString();
                row[names[i]] = string.IsNullOrWhiteSpace(value) ? null : value;
            }

            rows.Add(row);
        }

        return rows;
    }

    /// <returns>The model's search id; null when no such model.</returns>
    private async Task<string?> UpdateAsync(
        string modelId,
        Action<Microsoft.EntityFrameworkCore.Query.UpdateSettersBuilder<ModelRow>> set,
        CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        await db.Models.Where(m => m.Id == modelId).ExecuteUpdateAsync(set, cancellationToken);
        return await db.Models.Where(m => m.Id == modelId).Select(m => m.SearchId).SingleOrDefaultAsync(cancellationToken);
    }
}
