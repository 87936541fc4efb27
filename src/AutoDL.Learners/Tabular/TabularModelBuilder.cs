namespace AutoDL.Learners.Tabular;

/// <summary>A model refitted on every training row, with its one score on the experiment's held-out test rows.</summary>
public sealed class TabularModel
{
    internal TabularModel(IReadOnlyDictionary<string, object> parameters, TabularEvaluation? testEvaluation, TabularPredictor predictor)
    {
        Parameters = parameters;
        TestEvaluation = testEvaluation;
        Predictor = predictor;
    }

    /// <summary>The parameters it was fitted with (learner-facing values).</summary>
    public IReadOnlyDictionary<string, object> Parameters { get; }

    /// <summary>Its scores on the test rows; null when the experiment holds none out (a test fraction of 0).</summary>
    public TabularEvaluation? TestEvaluation { get; }

    public TabularPredictor Predictor { get; }

    /// <summary>Writes the model as an ML.NET zip (see <see cref="TabularPredictor.SaveAsync"/>).</summary>
    public Task SaveAsync(string path, CancellationToken cancellationToken) => Predictor.SaveAsync(path, cancellationToken);
}

/// <summary>Refits a search's chosen parameters on all its training rows (the folds' rows, never the test rows) and tests the result once.</summary>
public static class TabularModelBuilder
{
    /// <param name="parameters">Learner-facing values of the experiment's space, e.g. <c>space.ToExternal(best.Params)</c>.</param>
    /// <exception cref="ArgumentException">The parameters do not fit the experiment.</exception>
    public static async Task<TabularModel> FitAsync(
        TabularExperiment experiment, IReadOnlyDictionary<string, object> parameters, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(experiment);
        ArgumentNullException.ThrowIfNull(parameters);
        TabularTrainer.CheckFits(experiment, parameters);
        cancellationToken.ThrowIfCancellationRequested();
        var testRows = experiment.Split.TestRows;
        var (predictor, test) = await Task.Run(
            () =>
            {
                // Scored with the curves or residuals, which trials' folds do without.
                var (fitted, evaluation, _) = TabularTrainer.FitAndEvaluate(
                    experiment, parameters, experiment.Split.TrainingRows, testRows, cancellationToken, detailed: testRows.Count > 0);
                return (fitted, testRows.Count == 0 ? null : evaluation);
            },
            cancellationToken);
        cancellationToken.ThrowIfCancellationRequested();

        var parametersCopy = new Dictionary<string, object>(parameters, StringComparer.Ordinal);
        return new TabularModel(parametersCopy, test, predictor);
    }

    /// <summary>What a saved model of <paramref name="experiment"/> records beside ML.NET's zip content.</summary>
    internal static TabularModelInfo Info(TabularExperiment experiment) => new(
        TabularModelInfo.CurrentFormat, experiment.Options.Target, experiment.Task, experiment.Metric, experiment.Classes, experiment.InputColumns);
}
