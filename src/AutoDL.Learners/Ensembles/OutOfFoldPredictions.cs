using AutoDL.Learners.Tabular;

namespace AutoDL.Learners.Ensembles;

/// <summary>
/// One trial's out-of-fold predictions: every validation row of the experiment's folds, predicted by the fold model
/// that did not train on it. <see cref="Rows"/> are the rows (indices into the loaded table) in fold order, the same
/// for every trial of an experiment; <see cref="Values"/> holds <see cref="Width"/> numbers per row, row-major (class
/// probabilities, or the value).
/// </summary>
public sealed record OutOfFoldPredictions(IReadOnlyList<int> Rows, int Width, double[] Values)
{
    /// <summary>The validation rows of <paramref name="split"/>'s folds, in fold order.</summary>
    public static IReadOnlyList<int> RowsOf(TabularSplit split) => [.. split.Folds.SelectMany(f => f.ValidationRows)];
}

/// <summary>Scores averaged predictions (as <see cref="TabularExperiment.Predictions"/> lays them out) the way trials are scored.</summary>
public static class EnsembleScoring
{
    /// <summary>
    /// Every metric of <paramref name="predictions"/> on <paramref name="rows"/>: the predicted class is the most probable
    /// (ties to the lower class index), AUC ranks rows by the positive class's probability.
    /// </summary>
    /// <param name="detailed">Also the ROC and precision–recall curves, or the residuals: for a model's test rows.</param>
    public static TabularEvaluation Evaluate(TabularExperiment experiment, IReadOnlyList<int> rows, double[] predictions, bool detailed = false)
    {
        ArgumentNullException.ThrowIfNull(experiment);
        return new Scorer(experiment, rows).Evaluate(predictions, detailed);
    }

    /// <summary>The experiment's metric of predictions on <paramref name="rows"/>, for <see cref="EnsembleSelection.Select"/>.</summary>
    public static Func<double[], double> Metric(TabularExperiment experiment, IReadOnlyList<int> rows)
    {
        ArgumentNullException.ThrowIfNull(experiment);
        var scorer = new Scorer(experiment, rows);
        return predictions => scorer.Evaluate(predictions).Value(experiment.Metric);
    }

    private sealed class Scorer(TabularExperiment experiment, IReadOnlyList<int> rows)
    {
        private readonly double[] _truth = experiment.Truth(rows);
        private readonly int _width = experiment.PredictionWidth;

        public TabularEvaluation Evaluate(double[] predictions, bool detailed = false)
        {
            if (predictions.Length != _truth.Length * _width)
            {
                throw new ArgumentException(
                    $"Expected {_truth.Length} rows of {_width} predictions, got {predictions.Length} numbers.", nameof(predictions));
            }

            if (experiment.Task == TabularTask.Regression)
            {
                return TabularEvaluation.ForNumbers(_truth, predictions, residuals: detailed);
            }

            var truth = new int[_truth.Length];
            var predicted = new int[_truth.Length];
            var probabilities = new double[_truth.Length][];
            for (var r = 0; r < _truth.Length; r++)
            {
                truth[r] = (int)_truth[r];
                var row = new double[_width];
                Array.Copy(predictions, r * _width, row, 0, _width);
                probabilities[r] = row;
                var best = 0;
                for (var k = 1; k < _width; k++)
                {
                    if (row[k] > row[best])
                    {
                        best = k;
                    }
                }

                predicted[r] = best;
            }

            var positive = experiment.Task == TabularTask.Binary ? probabilities.Select(p => p[1]).ToArray() : null;
            return TabularEvaluation.ForClasses(experiment.Task, experiment.Classes, truth, predicted, probabilities, positive, curves: detailed);
        }
    }
}
