using AutoDL.Learners.Tabular;

namespace AutoDL.Learners.Ensembles;

/// <summary>A member to fit: a trial's learner-facing parameters and its weight (times ensemble selection picked it).</summary>
public sealed record TabularEnsembleMember(int Trial, int Weight, IReadOnlyDictionary<string, object> Parameters);

/// <summary>
/// An ensemble to deploy (<see cref="Predictor"/>, its members fitted on the rows <see cref="Fit"/> says), with the one
/// score on the experiment's test rows of the same weighted ensemble fitted on the training rows (and each member's).
/// </summary>
public sealed record TabularEnsemble(
    EnsemblePredictor Predictor, TabularEvaluation? TestEvaluation, IReadOnlyDictionary<int, TabularEvaluation?> MemberTestEvaluations, ModelFit Fit);

/// <summary>
/// Refits ensemble members on all training rows (never the test rows) and tests the weighted ensemble once; then, when
/// asked for <see cref="FittedOn.AllRows"/>, refits each member on every row, training and test, with the same weights.
/// </summary>
public static class TabularEnsembleBuilder
{
    /// <param name="members">Distinct trials; weights of 1 or more.</param>
    /// <param name="fittedOn">The rows of the deployed members; with none held out (a test fraction of 0) both are the training rows.</param>
    /// <exception cref="ArgumentException">No members, a repeated trial, a weight below 1, or parameters that do not fit the experiment.</exception>
    public static async Task<TabularEnsemble> FitAsync(
        TabularExperiment experiment, IReadOnlyList<TabularEnsembleMember> members, CancellationToken cancellationToken,
        FittedOn fittedOn = FittedOn.TrainingRows)
    {
        ArgumentNullException.ThrowIfNull(experiment);
        ArgumentNullException.ThrowIfNull(members);
        if (members.Count == 0 || members.Any(m => m.Weight < 1) || members.Select(m => m.Trial).Distinct().Count() != members.Count)
        {
            throw new ArgumentException("An ensemble needs distinct members, each of weight 1 or more.", nameof(members));
        }

        var testRows = experiment.Split.TestRows;
        var fit = TabularModelBuilder.Fit(experiment, fittedOn);
        var allRows = fit.FittedOn == FittedOn.AllRows ? TabularTrainer.AllRows(experiment) : null;
        var sum = new double[testRows.Count * experiment.PredictionWidth];
        var fitted = new List<(int, int, TabularPredictor)>(members.Count);
        var memberTests = new Dictionary<int, TabularEvaluation?>();
        foreach (var member in members)
        {
            TabularTrainer.CheckFits(experiment, member.Parameters);
            cancellationToken.ThrowIfCancellationRequested();
            var (model, evaluation, predictions) = await Task.Run(
                () => TabularTrainer.FitAndEvaluate(experiment, member.Parameters, experiment.Split.TrainingRows, testRows, cancellationToken, predictions: true),
                cancellationToken);
            for (var i = 0; i < sum.Length; i++)
            {
                sum[i] += member.Weight * predictions![i];
            }

            if (allRows is not null)
            {
                // The member that scored the test rows is done with; its deployed twin sees every row.
                model.Network?.Dispose();
                model = await Task.Run(() => TabularTrainer.Fit(experiment, member.Parameters, allRows, cancellationToken), cancellationToken);
            }

            fitted.Add((member.Trial, member.Weight, model));
            memberTests[member.Trial] = testRows.Count == 0 ? null : evaluation;
        }

        cancellationToken.ThrowIfCancellationRequested();
        var total = members.Sum(m => m.Weight);
        var test = testRows.Count == 0 ? null : EnsembleScoring.Evaluate(experiment, testRows, [.. sum.Select(v => v / total)], detailed: true);
        return new TabularEnsemble(new EnsemblePredictor(fitted), test, memberTests, fit);
    }
}
