using AutoDL.Learners.Tabular;
using static TorchSharp.torch;

namespace AutoDL.Learners.Neural;

/// <summary>A test image the model got wrong: its place among the dataset's images, its true class and what the model said.</summary>
public sealed record MisclassifiedImage(int Image, string Actual, string Predicted, double Confidence);

/// <summary>A trained image model with its one test on the held-out images and how its training went.</summary>
public sealed record ImageModel(
    NeuralPredictor Predictor, TabularEvaluation Test, TrainingResult Training, NetworkSummary Summary, IReadOnlyList<MisclassifiedImage> Misclassified);

/// <summary>
/// Trains a search's chosen parameters into its model: the trial's own training (same images, same seed, so the same
/// weights and validation score), its best epoch's weights kept, then tested once on the held-out images. Given the
/// trial's epochs up to its best one, it trains those and no more: a trial the budget stopped is reproduced, not
/// trained on to its epoch cap (the schedule still spans the cap, as in the trial).
/// </summary>
public static class ImageModelBuilder
{
    /// <summary>Most misclassified test images a model keeps for its model card.</summary>
    public const int MaxMisclassified = 24;

    /// <summary>
    /// What an image model is fitted on: its training images only (never refitted on every image), the validation
    /// images choosing its epoch, tested once on the test images.
    /// </summary>
    public static ModelFit Fit(ImageExperiment experiment)
    {
        ArgumentNullException.ThrowIfNull(experiment);
        return new ModelFit(FittedOn.TrainingRows, experiment.TrainRows.Length, experiment.TrainRows.Length, experiment.TestRows.Length, experiment.ValidationRows.Length);
    }

    /// <param name="epochs">The epochs to train (the trial's best epoch + 1); null: as the trial would, to its cap or early stop.</param>
    /// <exception cref="ArgumentException">The parameters do not fit the experiment.</exception>
    public static async Task<ImageModel> FitAsync(
        ImageExperiment experiment, IReadOnlyDictionary<string, object> parameters, CancellationToken cancellationToken, int? epochs = null)
    {
        var training = await experiment.TrainAsync(parameters, null, keepNetwork: true, cancellationToken, new TrainingLimit { Epochs = epochs });
        var network = training.Network!;
        try
        {
            var (probabilities, _) = await Task.Run(() => NeuralTrainer.Predict(network, experiment.Test, CPU), cancellationToken);
            var test = NeuralTrainer.Evaluate(probabilities, experiment.Test.Labels, experiment.Target, curves: true);
            var wrong = new List<MisclassifiedImage>();
            for (var i = 0; i < probabilities.Length && wrong.Count < MaxMisclassified; i++)
            {
                var predicted = Array.IndexOf(probabilities[i], probabilities[i].Max());
                var actual = (int)experiment.Test.Labels[i];
                if (predicted != actual)
                {
                    wrong.Add(new MisclassifiedImage(experiment.TestRows[i], experiment.Classes[actual], experiment.Classes[predicted], probabilities[i][predicted]));
                }
            }

            var learner = Architectures.Text(parameters, NeuralParameters.Learner);
            var predictor = new NeuralPredictor(network, NeuralPredictor.Info(experiment, learner));
            return new ImageModel(predictor, test, training with { Network = null }, network.Summary, wrong);
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }
}
