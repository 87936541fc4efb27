namespace AutoDL.Learners.Tabular;

/// <summary>
/// A search's chosen parameters fitted into the model people download and call (<see cref="Predictor"/>), with its one
/// score on the experiment's held-out test rows: the score of the model fitted on the training rows, which is
/// <see cref="Predictor"/> itself, or, for a model refitted on every row (<see cref="Fit"/>), the model before that refit.
/// </summary>
public sealed class TabularModel
{
    internal TabularModel(
        IReadOnlyDictionary<string, object> parameters, TabularEvaluation? testEvaluation, TabularPredictor predictor, ModelFit fit, TabularPredictor? heldOut)
    {
        Parameters = parameters;
        TestEvaluation = testEvaluation;
        Predictor = predictor;
        Fit = fit;
        HeldOut = heldOut;
    }

    /// <summary>The parameters it was fitted with (learner-facing values).</summary>
    public IReadOnlyDictionary<string, object> Parameters { get; }

    /// <summary>The scores on the test rows of the model fitted without them; null when the experiment holds none out (a test fraction of 0).</summary>
    public TabularEvaluation? TestEvaluation { get; }

    /// <summary>The deployed model: fitted on the rows <see cref="Fit"/> says.</summary>
    public TabularPredictor Predictor { get; }

    /// <summary>Which rows <see cref="Predictor"/> was fitted on, and the split <see cref="TestEvaluation"/> comes from.</summary>
    public ModelFit Fit { get; }

    /// <summary>
    /// The model fitted on the training rows that <see cref="TestEvaluation"/> scored: <see cref="Predictor"/> itself
    /// when it was not refitted on every row; otherwise kept only when asked (<c>keepHeldOut</c>), else null.
    /// </summary>
    public TabularPredictor? HeldOut { get; }

    /// <summary>Writes the deployed model as an ML.NET zip (see <see cref="TabularPredictor.SaveAsync"/>).</summary>
    public Task SaveAsync(string path, CancellationToken cancellationToken) => Predictor.SaveAsync(path, cancellationToken);
}

/// <summary>
/// Fits a search's chosen parameters on all its training rows (the folds' rows, never the test rows) and tests the
/// result once on the test rows; then, when asked for <see cref="FittedOn.AllRows"/>, fits the same parameters (same
/// feature plan, same seed) again on every row, training and test, as the deployed model.
/// </summary>
public static class TabularModelBuilder
{
    /// <param name="parameters">Learner-facing values of the experiment's space, e.g. <c>space.ToExternal(best.Params)</c>.</param>
    /// <param name="fittedOn">The rows of the deployed model; with none held out (a test fraction of 0) both are the training rows.</param>
    /// <param name="keepHeldOut">Keep the model fitted on the training rows beside the deployed one (<see cref="TabularModel.HeldOut"/>).</param>
    /// <exception cref="ArgumentException">The parameters do not fit the experiment.</exception>
    public static async Task<TabularModel> FitAsync(
        TabularExperiment experiment, IReadOnlyDictionary<string, object> parameters, CancellationToken cancellationToken,
        FittedOn fittedOn = FittedOn.TrainingRows, bool keepHeldOut = false)
    {
        ArgumentNullException.ThrowIfNull(experiment);
        ArgumentNullException.ThrowIfNull(parameters);
        TabularTrainer.CheckFits(experiment, parameters);
        cancellationToken.ThrowIfCancellationRequested();
        var testRows = experiment.Split.TestRows;
        var (heldOut, test) = await Task.Run(
            () =>
            {
                // Scored with the curves or residuals, which trials' folds do without.
                var (fitted, evaluation, _) = TabularTrainer.FitAndEvaluate(
                    experiment, parameters, experiment.Split.TrainingRows, testRows, cancellationToken, detailed: testRows.Count > 0);
                return (fitted, testRows.Count == 0 ? null : evaluation);
            },
            cancellationToken);
        cancellationToken.ThrowIfCancellationRequested();

        var fit = Fit(experiment, fittedOn);
        var deployed = heldOut;
        if (fit.FittedOn == FittedOn.AllRows)
        {
            try
            {
                deployed = await Task.Run(() => TabularTrainer.Fit(experiment, parameters, TabularTrainer.AllRows(experiment), cancellationToken), cancellationToken);
            }
            catch
            {
                heldOut.Network?.Dispose();
                throw;
            }

            if (!keepHeldOut)
            {
                // An MLP's network holds native memory: released now rather than whenever the collector runs.
                heldOut.Network?.Dispose();
            }
        }

        var parametersCopy = new Dictionary<string, object>(parameters, StringComparer.Ordinal);
        return new TabularModel(parametersCopy, test, deployed, fit, keepHeldOut || ReferenceEquals(deployed, heldOut) ? heldOut : null);
    }

    /// <summary>What a model of <paramref name="experiment"/> deployed on <paramref name="fittedOn"/> is fitted on: all rows only when some are held out.</summary>
    public static ModelFit Fit(TabularExperiment experiment, FittedOn fittedOn)
    {
        ArgumentNullException.ThrowIfNull(experiment);
        var (training, test) = (experiment.Split.TrainingRows.Count, experiment.Split.TestRows.Count);
        return fittedOn == FittedOn.AllRows && test > 0
            ? new ModelFit(FittedOn.AllRows, training + test, training, test)
            : new ModelFit(FittedOn.TrainingRows, training, training, test);
    }

    /// <summary>What a saved model of <paramref name="experiment"/> records beside ML.NET's zip content.</summary>
    internal static TabularModelInfo Info(TabularExperiment experiment) => new(
        TabularModelInfo.CurrentFormat, experiment.Options.Target, experiment.Task, experiment.Metric, experiment.Classes, experiment.InputColumns);
}
