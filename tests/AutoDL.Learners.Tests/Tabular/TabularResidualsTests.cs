using AutoDL.Learners.Tabular;

namespace AutoDL.Learners.Tests.Tabular;

public sealed class TabularResidualsTests
{
    [Fact]
    public void ResidualsAreActualMinusPredictedWithNumpysQuantiles()
    {
        double[] truth = [3, 1, 4, 1, 5, 9, 2, 6];
        double[] predicted = [2.5, 1.5, 4, 0, 6, 7, 2, 6.5];

        var residuals = TabularEvaluation.ForNumbers(truth, predicted, residuals: true).Regression!.Residuals!;

        // Residuals 0.5 −0.5 0 1 −1 2 0 −0.5. numpy (beside scikit-learn 1.2.1): np.quantile(r, [0, .05, .25, .5, .75, .95, 1]) =
        // [-1, -0.825, -0.5, 0, 0.625, 1.6499999999999995, 2]; r.mean() = 0.1875, r.std() = 0.899218410621135.
        var q = residuals.Quantiles;
        double[] expected = [-1, -0.825, -0.5, 0, 0.625, 1.6499999999999995, 2];
        Assert.All(expected.Zip([q.Min, q.P05, q.P25, q.Median, q.P75, q.P95, q.Max]), p => Assert.Equal(p.First, p.Second, 12));
        Assert.Equal(0.1875, residuals.Mean, 12);
        Assert.Equal(0.899218410621135, residuals.StandardDeviation, 12);
        Assert.Equal(8, residuals.Points.Count);
        Assert.Equal(new ActualPredicted(1, 1.5), residuals.Points[0]);
        Assert.Equal(new ActualPredicted(9, 7), residuals.Points[^1]);
        Assert.Equal(TabularResiduals.Bins, residuals.Histogram.Count);
        Assert.Equal(8, residuals.Histogram.Sum(b => b.Count));
        Assert.Equal((-1.0, 2.0), (residuals.Histogram[0].From, residuals.Histogram[^1].To));
        Assert.Equal(1, residuals.Histogram[^1].Count);
    }

    [Fact]
    public void AManyRowTestKeepsAThousandPairsSpreadOverTheActualValuesButCountsEveryRow()
    {
        var random = new Random(3);
        var truth = Enumerable.Range(0, 4321).Select(_ => random.NextDouble() * 100).ToArray();
        var predicted = truth.Select(t => t + random.NextDouble() * 2 - 1).ToArray();

        var residuals = TabularResiduals.Of(truth, predicted)!;

        Assert.Equal(TabularResiduals.MaxPoints, residuals.Points.Count);
        Assert.Equal(truth.Min(), residuals.Points[0].Actual);
        Assert.Equal(truth.Max(), residuals.Points[^1].Actual);
        Assert.Equal(TabularResiduals.MaxPoints, residuals.Points.Distinct().Count());
        Assert.Equal(4321, residuals.Histogram.Sum(b => b.Count));
        Assert.InRange(residuals.Quantiles.Min, -1, -0.99);
    }

    [Fact]
    public void ExactPredictionsHaveOneHistogramBin()
    {
        var residuals = TabularResiduals.Of([1, 2, 3], [1, 2, 3])!;

        Assert.Equal([new HistogramBin(0, 0, 3)], residuals.Histogram);
        Assert.Equal(0, residuals.StandardDeviation);
    }
}
