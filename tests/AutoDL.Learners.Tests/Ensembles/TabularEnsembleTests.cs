using AutoDL.Core.Search;
using AutoDL.Learners.Ensembles;
using AutoDL.Learners.Tabular;
using AutoDL.Learners.Tests.Tabular;

namespace AutoDL.Learners.Tests.Ensembles;

public sealed class TabularEnsembleTests(TabularTrainerTests.Tables tables) : IClassFixture<TabularTrainerTests.Tables>
{
    [Fact]
    public async Task OutOfFoldPredictionsCoverEveryTrainingRowOnceAndScoreAsTheFoldsDo()
    {
        var experiment = tables.Iris;
        var parameters = TabularSearchSpace.Defaults(experiment.Space, TabularLearners.Sdca);
        var trainer = new TabularTrainer(experiment);

        var plain = await trainer.CrossValidateAsync(parameters, null, CancellationToken.None);
        var (result, oof) = await trainer.CrossValidateOutOfFoldAsync(parameters, CancellationToken.None);

        Assert.Equal(plain.FoldScores, result.FoldScores);
        Assert.Equal(experiment.Split.TrainingRows, oof.Rows.Order());
        Assert.Equal(3, oof.Width);
        Assert.Equal(oof.Rows.Count * 3, oof.Values.Length);
        for (var r = 0; r < oof.Rows.Count; r++)
        {
            Assert.Equal(1, oof.Values[3 * r] + oof.Values[3 * r + 1] + oof.Values[3 * r + 2], 6);
        }

        // Accuracy pooled over the rows is the folds' accuracies weighted by their sizes.
        var pooled = EnsembleScoring.Metric(experiment, oof.Rows)(oof.Values);
        var weighted = experiment.Split.Folds.Select((f, i) => f.ValidationRows.Count * result.FoldScores[i]).Sum() / oof.Rows.Count;
        Assert.Equal(weighted, pooled, 9);
    }

    [Fact]
    public async Task ARegressionEnsembleOfALinearModelAndAForestIsSelectedFittedTestedSavedAndLoaded()
    {
        var experiment = tables.Regression;
        var trainer = new TabularTrainer(experiment);
        string[] learners = [TabularLearners.Sdca, TabularLearners.FastForest];
        var candidates = new List<OutOfFoldPredictions>();
        foreach (var learner in learners)
        {
            var (_, oof) = await trainer.CrossValidateOutOfFoldAsync(TabularSearchSpace.Defaults(experiment.Space, learner), CancellationToken.None);
            candidates.Add(oof);
        }

        var metric = EnsembleScoring.Metric(experiment, candidates[0].Rows);
        var selection = EnsembleSelection.Select([.. candidates.Select(c => c.Values)], 1, metric, Direction.Minimize, rounds: 10);

        Assert.True(selection.Score <= selection.BestSingleScore);
        Assert.Equal(candidates.Select(c => metric(c.Values)).Min(), selection.BestSingleScore, 12);
        Assert.Equal(selection.Rounds, selection.Counts.Sum());

        // Fit both with the chosen weights (at least 1 each, to exercise a two-member ensemble whatever was chosen).
        var members = learners.Select((l, i) => new TabularEnsembleMember(
            i + 10, Math.Max(1, selection.Counts[i]), TabularSearchSpace.Defaults(experiment.Space, l))).ToList();
        var ensemble = await TabularEnsembleBuilder.FitAsync(experiment, members, CancellationToken.None);

        Assert.NotNull(ensemble.TestEvaluation);
        Assert.Equal(experiment.Split.TestRows.Count, ensemble.TestEvaluation.Rows);
        Assert.Equal(2, ensemble.MemberTestEvaluations.Count);
        Assert.True(double.IsFinite(ensemble.TestEvaluation.Regression!.Rmse));
        Assert.Equal(experiment.Split.TestRows.Count, ensemble.TestEvaluation.Regression.Residuals!.Points.Count);

        using var folder = new TemporaryFolder();
        var path = folder.File("ensemble.zip");
        await ensemble.Predictor.SaveAsync(path, CancellationToken.None);
        var loaded = await EnsemblePredictor.LoadAnyAsync(path, CancellationToken.None);

        var ensemblePredictor = Assert.IsType<EnsemblePredictor>(loaded);
        Assert.Equal(members.Select(m => (m.Trial, m.Weight)), ensemblePredictor.Members.Select(m => (m.Trial, m.Weight)));
        IReadOnlyDictionary<string, object?> row = new Dictionary<string, object?>
        {
            ["id"] = "r1", ["x1"] = 0.5, ["x2"] = -0.2, ["x3"] = null, ["colour"] = "red", ["day"] = "2021-03-06T10:00:00",
            ["note"] = "a good day", ["holiday"] = "no", ["shop"] = "s7",
        };
        var before = ensemble.Predictor.Predict([row]);
        var after = loaded.Predict([row]);
        Assert.Equal(before[0].Value!.Value, after[0].Value!.Value, 5);

        Assert.InRange(after[0].Value!.Value, 20, 90);
    }

    [Fact]
    public async Task AClassificationEnsemblePredictsTheWeightedMeanOfItsMembersProbabilities()
    {
        var experiment = tables.Iris;
        var members = new[] { TabularLearners.Sdca, TabularLearners.FastForest }
            .Select((l, i) => new TabularEnsembleMember(i, i + 1, TabularSearchSpace.Defaults(experiment.Space, l))).ToList();

        var ensemble = await TabularEnsembleBuilder.FitAsync(experiment, members, CancellationToken.None);
        var singles = await Task.WhenAll(members.Select(m => TabularModelBuilder.FitAsync(experiment, m.Parameters, CancellationToken.None)));

        IReadOnlyDictionary<string, object?> row = new Dictionary<string, object?>
        {
            ["sepal_length"] = 6.0, ["sepal_width"] = 2.9, ["petal_length"] = 4.9, ["petal_width"] = 1.6,
        };
        var predicted = ensemble.Predictor.Predict([row])[0];
        var expected = experiment.Classes.ToDictionary(
            c => c, c => (1 * singles[0].Predictor.Predict([row])[0].Probabilities![c] + 2 * singles[1].Predictor.Predict([row])[0].Probabilities![c]) / 3);
        foreach (var c in experiment.Classes)
        {
            Assert.Equal(expected[c], predicted.Probabilities![c], 5);
        }

        Assert.Equal(expected.MaxBy(p => p.Value).Key, predicted.Class);
        Assert.True(ensemble.TestEvaluation!.Classification!.Accuracy >= 0.85);
        Assert.Equal(experiment.Classes, ensemble.TestEvaluation.Classification.Curves!.Select(c => c.Class));
        Assert.Throws<ArgumentException>(() => ensemble.Predictor.Predict([new Dictionary<string, object?> { ["sepal_length"] = 1.0 }]));
    }

    [Fact]
    public async Task AnEnsembleRefittedOnAllRowsKeepsItsWeightsAndTheHeldOutEnsemblesTestFigures()
    {
        var experiment = tables.Regression;
        var members = new[] { TabularLearners.Sdca, TabularLearners.FastForest }
            .Select((l, i) => new TabularEnsembleMember(i + 3, 2 - i, TabularSearchSpace.Defaults(experiment.Space, l))).ToList();

        var heldOut = await TabularEnsembleBuilder.FitAsync(experiment, members, CancellationToken.None);
        var refitted = await TabularEnsembleBuilder.FitAsync(experiment, members, CancellationToken.None, FittedOn.AllRows);

        var (training, test) = (experiment.Split.TrainingRows.Count, experiment.Split.TestRows.Count);
        Assert.Equal(new ModelFit(FittedOn.TrainingRows, training, training, test), heldOut.Fit);
        Assert.Equal(new ModelFit(FittedOn.AllRows, training + test, training, test), refitted.Fit);
        Assert.Equal(members.Select(m => (m.Trial, m.Weight)), refitted.Predictor.Members.Select(m => (m.Trial, m.Weight)));
        Assert.Equal(heldOut.TestEvaluation!.Regression!.Rmse, refitted.TestEvaluation!.Regression!.Rmse, 12);
        Assert.Equal(heldOut.MemberTestEvaluations[3]!.Regression!.Rmse, refitted.MemberTestEvaluations[3]!.Regression!.Rmse, 12);

        IReadOnlyDictionary<string, object?> row = new Dictionary<string, object?>
        {
            ["id"] = "r1", ["x1"] = 0.5, ["x2"] = -0.2, ["x3"] = null, ["colour"] = "red", ["day"] = "2021-03-06T10:00:00",
            ["note"] = "a good day", ["holiday"] = "no", ["shop"] = "s7",
        };
        Assert.NotEqual(heldOut.Predictor.Predict([row])[0].Value!.Value, refitted.Predictor.Predict([row])[0].Value!.Value, 6);
    }
}
