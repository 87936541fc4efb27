using AutoDL.Core.Datasets.Images;
using AutoDL.Learners.Neural;
using AutoDL.Learners.Tabular;

namespace AutoDL.Learners.Tests.Neural;

public sealed class ImageExperimentTests
{
    /// <summary>Two classes of 8×8 grey images: a bright bar in the top rows or in the bottom rows.</summary>
    internal static ImagePixels Bars(int perClass, int seed = 1)
    {
        var random = new Random(seed);
        var count = 2 * perClass;
        var pixels = new byte[count * 64];
        var labels = new int[count];
        for (var i = 0; i < count; i++)
        {
            labels[i] = i % 2;
            var row = labels[i] == 0 ? random.Next(0, 3) : random.Next(5, 8);
            for (var p = 0; p < 64; p++)
            {
                pixels[i * 64 + p] = (byte)(p / 8 == row ? 200 + random.Next(55) : random.Next(60));
            }
        }

        return new ImagePixels(["top", "bottom"], count, 1, 8, 8, pixels, labels);
    }

    internal static IReadOnlyDictionary<string, object> SmallCnn(ImageExperiment experiment, int epochs = 10)
    {
        var parameters = new Dictionary<string, object>(experiment.Space.ToExternal(NeuralSearchSpace.DefaultCnn(experiment.Space)))
        {
            [NeuralParameters.CnnStages] = 1L,
            [NeuralParameters.StageChannels(0)] = 8L,
            [NeuralParameters.Epochs] = (long)epochs,
            [NeuralParameters.BatchSize] = "32",
            [NeuralParameters.LearningRate] = 1e-2,
        };
        foreach (var stage in new[] { 1, 2 })
        {
            parameters.Remove(NeuralParameters.StageBlocks(stage));
            parameters.Remove(NeuralParameters.StageChannels(stage));
            parameters.Remove(NeuralParameters.StageBlock(stage));
        }

        return parameters;
    }

    [Fact]
    public void TheSplitIsStratifiedAndDisjoint()
    {
        using var experiment = ImageExperiment.Create(Bars(50), new ImageExperimentOptions { Seed = 4, Device = "cpu" });
        Assert.Equal(100, experiment.TestRows.Length + experiment.TrainRows.Length + experiment.ValidationRows.Length);
        Assert.Empty(experiment.TestRows.Intersect(experiment.TrainRows).Concat(experiment.TestRows.Intersect(experiment.ValidationRows)));
        Assert.Equal(10, experiment.TestRows.Count(r => experiment.Pixels.Labels[r] == 0));
        Assert.Equal(10, experiment.TestRows.Count(r => experiment.Pixels.Labels[r] == 1));
        Assert.Equal(TabularMetric.Accuracy, experiment.Metric);
        Assert.InRange(experiment.Mean[0], 0.1f, 0.4f);
    }

    [Fact]
    public void AClassWithTooFewImagesIsNamed()
    {
        var pixels = Bars(10) with { Labels = [.. Enumerable.Range(0, 20).Select(i => i < 2 ? 1 : 0)] };
        var e = Assert.Throws<ArgumentException>(() => ImageExperiment.Create(pixels, new ImageExperimentOptions { Device = "cpu" }));
        Assert.Contains("'bottom' has 2", e.Message);
    }

    [Fact]
    public async Task TheRefittedModelReproducesItsTrialSavesLoadsAndPredicts()
    {
        using var experiment = ImageExperiment.Create(Bars(60), new ImageExperimentOptions { Seed = 2, Device = "cpu" });
        var parameters = SmallCnn(experiment);
        var trial = await experiment.TrainAsync(parameters, null, keepNetwork: false, CancellationToken.None);
        var model = await ImageModelBuilder.FitAsync(experiment, parameters, CancellationToken.None);
        using var predictor = model.Predictor;
        Assert.Equal(trial.BestValue, model.Training.BestValue);
        Assert.True(model.Test.Value(TabularMetric.Accuracy) >= 0.9, $"Test accuracy {model.Test.Value(TabularMetric.Accuracy)}, validation {trial.BestValue} at epoch {trial.BestEpoch}: {string.Join(", ", trial.Epochs.Select(e => $"{e.TrainLoss:0.###}/{e.ValidationValue:0.###}"))}.");
        Assert.Equal(24, model.Test.Rows);

        var path = Path.Combine(Path.GetTempPath(), $"autodl-neural-{Guid.NewGuid():N}.zip");
        try
        {
            await predictor.SaveAsync(path, CancellationToken.None);
            Assert.True(NeuralPredictor.IsNeuralModel(path));
            using var loaded = await NeuralPredictor.LoadAsync(path, CancellationToken.None);
            var pixels = experiment.Pixels;
            var images = experiment.TestRows.Take(5).SelectMany(r => pixels.Pixels.Skip(r * 64).Take(64)).ToArray();
            var before = predictor.PredictPixels(images, 5);
            var after = loaded.PredictPixels(images, 5);
            Assert.Equal(before.Select(p => p.Class), after.Select(p => p.Class));
            Assert.All(before.Zip(after), pair => Assert.Equal(pair.First.Probabilities!["top"], pair.Second.Probabilities!["top"], 6));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task TheImageCacheReadsBackWhatItWrote()
    {
        var pixels = Bars(5);
        var path = Path.Combine(Path.GetTempPath(), $"autodl-cache-{Guid.NewGuid():N}.bin");
        try
        {
            await ImageCache.WriteAsync(pixels, path, CancellationToken.None);
            var read = await ImageCache.ReadAsync(path, CancellationToken.None);
            Assert.Equal(pixels.Classes, read.Classes);
            Assert.Equal(pixels.Pixels, read.Pixels);
            Assert.Equal(pixels.Labels, read.Labels);
            await File.WriteAllBytesAsync(path, [1, 2, 3]);
            await Assert.ThrowsAsync<InvalidDataException>(() => ImageCache.ReadAsync(path, CancellationToken.None));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
