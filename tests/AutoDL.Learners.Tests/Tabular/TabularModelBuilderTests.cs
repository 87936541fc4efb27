using AutoDL.Learners.Tabular;

namespace AutoDL.Learners.Tests.Tabular;

public sealed class TabularModelBuilderTests : IDisposable
{
    private readonly TemporaryFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task ARefittedBinaryModelsTestCarriesRocAndPrecisionRecallCurvesWhoseAreaIsItsAuc()
    {
        var experiment = await TabularExperiment.LoadAsync(
            TabularTestData.WriteBinaryIris(_folder.File("iris-binary.csv")), new TabularExperimentOptions("species") { Seed = 4 }, CancellationToken.None);

        var model = await TabularModelBuilder.FitAsync(experiment, TabularSearchSpace.Defaults(experiment.Space, TabularLearners.Sdca), CancellationToken.None);

        var metrics = model.TestEvaluation!.Classification!;
        var curve = Assert.Single(metrics.Curves!);
        Assert.Equal(experiment.Classes[1], curve.Class);
        Assert.Equal(experiment.Split.TestRows.Count, curve.Positives + curve.Negatives);
        Assert.Equal(metrics.Auc!.Value, curve.Auc, 12);
        Assert.Equal(metrics.Auc.Value, TabularCurves.Area(curve.Roc), 12);
        Assert.InRange(curve.AveragePrecision, 0.5, 1);
        Assert.All(curve.Roc.Skip(1), p => Assert.InRange(p.Threshold, 0, 1));
        Assert.Equal((1.0, 1.0), (curve.Roc[^1].FalsePositiveRate, curve.Roc[^1].TruePositiveRate));
    }

    [Fact]
    public async Task ARefittedMulticlassModelsTestCarriesACurvePerClass()
    {
        var experiment = await TabularExperiment.LoadAsync(TabularTestData.Iris, new TabularExperimentOptions("species") { Seed = 8 }, CancellationToken.None);

        var model = await TabularModelBuilder.FitAsync(experiment, TabularSearchSpace.Defaults(experiment.Space, TabularLearners.Sdca), CancellationToken.None);

        var curves = model.TestEvaluation!.Classification!.Curves!;
        Assert.Equal(experiment.Classes, curves.Select(c => c.Class));
        Assert.All(curves, c => Assert.Equal(c.Auc, TabularCurves.Area(c.Roc), 12));
        Assert.All(curves, c => Assert.Equal(experiment.Split.TestRows.Count, c.Positives + c.Negatives));
    }

    [Fact]
    public async Task ARefittedRegressionModelsTestCarriesItsResiduals()
    {
        var experiment = await TabularExperiment.LoadAsync(
            TabularTestData.WriteRegression(_folder.File("regression.csv"), rows: 200), new TabularExperimentOptions("y") { Seed = 2 }, CancellationToken.None);

        var model = await TabularModelBuilder.FitAsync(experiment, TabularSearchSpace.Defaults(experiment.Space, TabularLearners.Sdca), CancellationToken.None);

        var metrics = model.TestEvaluation!.Regression!;
        var residuals = metrics.Residuals!;
        Assert.Equal(experiment.Split.TestRows.Count, residuals.Points.Count);
        Assert.Equal(experiment.Split.TestRows.Count, residuals.Histogram.Sum(b => b.Count));
        var rmse = Math.Sqrt(residuals.Points.Average(p => (p.Actual - p.Predicted) * (p.Actual - p.Predicted)));
        Assert.Equal(metrics.Rmse, rmse, 9);
    }

    [Fact]
    public async Task AModelRefittedOnAllRowsIsFittedOnTheTrainingAndTestRowsAndKeepsTheHeldOutModelsTestFigures()
    {
        var experiment = await TabularExperiment.LoadAsync(
            TabularTestData.WriteRegression(_folder.File("regression.csv"), rows: 200), new TabularExperimentOptions("y") { Seed = 2 }, CancellationToken.None);
        var parameters = TabularSearchSpace.Defaults(experiment.Space, TabularLearners.Sdca);

        var heldOut = await TabularModelBuilder.FitAsync(experiment, parameters, CancellationToken.None);
        var refitted = await TabularModelBuilder.FitAsync(experiment, parameters, CancellationToken.None, FittedOn.AllRows, keepHeldOut: true);

        var (training, test) = (experiment.Split.TrainingRows.Count, experiment.Split.TestRows.Count);
        Assert.Equal(new ModelFit(FittedOn.TrainingRows, training, training, test), heldOut.Fit);
        Assert.Same(heldOut.Predictor, heldOut.HeldOut);
        Assert.Equal(new ModelFit(FittedOn.AllRows, training + test, training, test), refitted.Fit);
        Assert.Equal(experiment.RowCount, refitted.Fit.Rows);
        Assert.NotSame(refitted.Predictor, refitted.HeldOut);
        // The test figures are the held-out model's: the same fit, the same seed, the same numbers.
        Assert.Equal(heldOut.TestEvaluation!.Regression!.Rmse, refitted.TestEvaluation!.Regression!.Rmse, 12);
        Assert.Equal(test, refitted.TestEvaluation.Rows);

        var rows = TabularTestData.Rows(experiment.Data.CsvPath).Take(20).ToList();
        var before = heldOut.Predictor.Predict(rows).Select(p => p.Value!.Value).ToList();
        var kept = refitted.HeldOut!.Predict(rows).Select(p => p.Value!.Value).ToList();
        var deployed = refitted.Predictor.Predict(rows).Select(p => p.Value!.Value).ToList();
        Assert.Equal(before, kept);
        Assert.Contains(deployed.Zip(before), p => Math.Abs(p.First - p.Second) > 1e-6);
    }

    [Fact]
    public async Task WithoutHeldOutRowsAModelAskedForAllRowsIsFittedOnTheTrainingRows()
    {
        var experiment = await TabularExperiment.LoadAsync(
            TabularTestData.Iris, new TabularExperimentOptions("species") { Seed = 8, TestFraction = 0 }, CancellationToken.None);

        var model = await TabularModelBuilder.FitAsync(
            experiment, TabularSearchSpace.Defaults(experiment.Space, TabularLearners.Sdca), CancellationToken.None, FittedOn.AllRows);

        Assert.Equal(new ModelFit(FittedOn.TrainingRows, experiment.RowCount, experiment.RowCount, 0), model.Fit);
        Assert.Null(model.TestEvaluation);
        Assert.Same(model.Predictor, model.HeldOut);
    }
}
