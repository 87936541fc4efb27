using AutoDL.Learners.Tabular;

namespace AutoDL.Learners.Tests.Tabular;

public sealed class TabularCurvesTests
{
    // Twelve rows with tied scores (0.4 twice, 0.35 twice, one a positive and one not).
    private static readonly int[] BinaryTruth = [0, 0, 1, 1, 0, 1, 0, 1, 1, 0, 1, 0];
    private static readonly double[] BinaryScores = [0.1, 0.4, 0.35, 0.8, 0.4, 0.9, 0.2, 0.35, 0.6, 0.7, 0.55, 0.05];

    private static ClassificationMetrics Binary(IReadOnlyList<double>? positiveScores = null) =>
        TabularEvaluation.ForClasses(
            TabularTask.Binary, ["no", "yes"], BinaryTruth, [.. BinaryScores.Select(s => s >= 0.5 ? 1 : 0)],
            [.. BinaryScores.Select(s => new[] { 1 - s, s })], positiveScores, curves: true).Classification!;

    [Fact]
    public void RocPointsOfABinaryModelMatchScikitLearns()
    {
        // scikit-learn 1.2.1: fpr, tpr, thresholds = roc_curve(y, s) (drop_intermediate=True), y and s as above.
        double[] fpr = [0.0, 0.0, 0.0, 1 / 6.0, 1 / 6.0, 0.5, 0.5, 1.0];
        double[] tpr = [0.0, 1 / 6.0, 2 / 6.0, 2 / 6.0, 4 / 6.0, 4 / 6.0, 1.0, 1.0];
        double[] thresholds = [1.9, 0.9, 0.8, 0.7, 0.55, 0.4, 0.35, 0.05];

        var curve = Assert.Single(Binary().Curves!);

        Assert.Equal("yes", curve.Class);
        Assert.Equal((6, 6), (curve.Positives, curve.Negatives));
        Assert.Equal(fpr.Length, curve.Roc.Count);
        for (var i = 0; i < fpr.Length; i++)
        {
            Assert.Equal(fpr[i], curve.Roc[i].FalsePositiveRate, 12);
            Assert.Equal(tpr[i], curve.Roc[i].TruePositiveRate, 12);
            Assert.Equal(thresholds[i], curve.Roc[i].Threshold, 12);
        }
    }

    [Fact]
    public void PrecisionRecallPointsAndAveragePrecisionOfABinaryModelMatchScikitLearns()
    {
        // scikit-learn 1.2.1: precision, recall, thresholds = precision_recall_curve(y, s), reversed here so the
        // threshold falls; the first point (recall 0, precision 1) has no threshold there, max + 1 here.
        // average_precision_score(y, s) = 0.8138888888888888, roc_auc_score(y, s) = 0.7777777777777778.
        double[] recall = [0.0, 1 / 6.0, 2 / 6.0, 2 / 6.0, 0.5, 4 / 6.0, 4 / 6.0, 1.0, 1.0, 1.0, 1.0];
        double[] precision = [1.0, 1.0, 1.0, 2 / 3.0, 0.75, 0.8, 0.5714285714285714, 2 / 3.0, 0.6, 0.5454545454545454, 0.5];
        double[] thresholds = [1.9, 0.9, 0.8, 0.7, 0.6, 0.55, 0.4, 0.35, 0.2, 0.1, 0.05];

        var metrics = Binary(BinaryScores);
        var curve = Assert.Single(metrics.Curves!);

        Assert.Equal(recall.Length, curve.PrecisionRecall.Count);
        for (var i = 0; i < recall.Length; i++)
        {
            Assert.Equal(recall[i], curve.PrecisionRecall[i].Recall, 12);
            Assert.Equal(precision[i], curve.PrecisionRecall[i].Precision, 12);
            Assert.Equal(thresholds[i], curve.PrecisionRecall[i].Threshold, 12);
        }

        Assert.Equal(0.8138888888888888, curve.AveragePrecision, 12);
        Assert.Equal(0.7777777777777778, curve.Auc, 12);
        Assert.Equal(metrics.Auc!.Value, curve.Auc, 12);
    }

    [Fact]
    public void TheBinaryAucIsTheTrapezoidAreaUnderTheRocPoints()
    {
        var random = new Random(5);
        var truth = Enumerable.Range(0, 150).Select(_ => random.Next(2)).ToArray();
        // Scores rounded to two decimals: many ties, some across the classes.
        var scores = truth.Select(t => Math.Round(Math.Clamp(0.35 + 0.3 * t + 0.25 * (random.NextDouble() - 0.5) * 2, 0, 1), 2)).ToArray();

        var metrics = TabularEvaluation.ForClasses(
            TabularTask.Binary, ["a", "b"], truth, [.. scores.Select(s => s >= 0.5 ? 1 : 0)], [.. scores.Select(s => new[] { 1 - s, s })],
            scores, curves: true).Classification!;

        var curve = Assert.Single(metrics.Curves!);
        Assert.True(curve.Roc.Count < TabularCurves.MaxPoints);
        Assert.Equal(metrics.Auc!.Value, TabularCurves.Area(curve.Roc), 12);
        Assert.Equal((0.0, 0.0), (curve.Roc[0].FalsePositiveRate, curve.Roc[0].TruePositiveRate));
        Assert.Equal((1.0, 1.0), (curve.Roc[^1].FalsePositiveRate, curve.Roc[^1].TruePositiveRate));
    }

    [Fact]
    public void BinaryCurvesRankRowsByTheScoreAucUsesAndReportTheProbabilityAsThreshold()
    {
        // A raw score whose logistic is the probability: the same order, so the same points, with probability thresholds.
        var raw = BinaryScores.Select(p => Math.Log(p / (1 - p))).ToArray();

        var curve = Assert.Single(Binary(raw).Curves!);

        Assert.Equal(Binary().Curves![0].Roc.Select(p => (p.FalsePositiveRate, p.TruePositiveRate)), curve.Roc.Select(p => (p.FalsePositiveRate, p.TruePositiveRate)));
        Assert.Equal(0.9, curve.Roc[1].Threshold, 12);
        Assert.Equal(0.7777777777777778, curve.Auc, 12);
    }

    [Fact]
    public void OneVersusRestCurvesOfAMulticlassModelMatchScikitLearns()
    {
        int[] truth = [0, 1, 2, 2, 1, 0, 2, 1, 0, 2];
        double[][] probabilities =
        [
            [.7, .2, .1], [.2, .5, .3], [.1, .3, .6], [.3, .3, .4], [.3, .4, .3],
            [.5, .4, .1], [.2, .2, .6], [.4, .4, .2], [.6, .1, .3], [.2, .5, .3],
        ];
        // scikit-learn 1.2.1, per class c: roc_curve(y == c, P[:, c]), precision_recall_curve (reversed),
        // average_precision_score and roc_auc_score.
        (double[] Fpr, double[] Tpr, double[] Recall, double[] Precision, double Ap, double Auc)[] expected =
        [
            ([0, 0, 0, 1 / 7.0, 3 / 7.0, 6 / 7.0, 1], [0, 1 / 3.0, 1, 1, 1, 1, 1],
                [0, 1 / 3.0, 2 / 3.0, 1, 1, 1, 1, 1], [1, 1, 1, 1, 0.75, 0.5, 1 / 3.0, 0.3], 1.0, 1.0),
            ([0, 1 / 7.0, 2 / 7.0, 6 / 7.0, 1], [0, 1 / 3.0, 1, 1, 1],
                [0, 1 / 3.0, 1, 1, 1, 1], [1, 0.5, 0.6, 3 / 7.0, 1 / 3.0, 0.3], 0.5666666666666667, 0.8333333333333334),
            ([0, 0, 0, 0.5, 4 / 6.0, 1], [0, 0.5, 0.75, 1, 1, 1],
                [0, 0.5, 0.75, 1, 1, 1], [1, 1, 1, 4 / 7.0, 0.5, 0.4], 0.8928571428571428, 0.9375),
        ];
        var predicted = probabilities.Select(p => Array.IndexOf(p, p.Max())).ToArray();

        var metrics = TabularEvaluation.ForClasses(TabularTask.Multiclass, ["a", "b", "c"], truth, predicted, probabilities, curves: true).Classification!;

        Assert.Equal(["a", "b", "c"], metrics.Curves!.Select(c => c.Class));
        for (var c = 0; c < 3; c++)
        {
            var curve = metrics.Curves![c];
            var want = expected[c];
            Assert.Equal(want.Fpr.Length, curve.Roc.Count);
            Assert.All(want.Fpr.Zip(curve.Roc), p => Assert.Equal(p.First, p.Second.FalsePositiveRate, 12));
            Assert.All(want.Tpr.Zip(curve.Roc), p => Assert.Equal(p.First, p.Second.TruePositiveRate, 12));
            Assert.Equal(want.Recall.Length, curve.PrecisionRecall.Count);
            Assert.All(want.Recall.Zip(curve.PrecisionRecall), p => Assert.Equal(p.First, p.Second.Recall, 12));
            Assert.All(want.Precision.Zip(curve.PrecisionRecall), p => Assert.Equal(p.First, p.Second.Precision, 12));
            Assert.Equal(want.Ap, curve.AveragePrecision, 12);
            Assert.Equal(want.Auc, curve.Auc, 12);
            Assert.Equal(want.Auc, TabularCurves.Area(curve.Roc), 12);
        }
    }

    [Fact]
    public void AClassWithoutRowsInTheTestHasNoCurve()
    {
        var metrics = TabularEvaluation.ForClasses(
            TabularTask.Multiclass, ["a", "b", "c"], [0, 1, 0, 1], [0, 1, 1, 1],
            [[.8, .1, .1], [.2, .7, .1], [.4, .5, .1], [.1, .8, .1]], curves: true).Classification!;

        Assert.Equal(["a", "b"], metrics.Curves!.Select(c => c.Class));
    }

    [Fact]
    public void TrialsFoldsAreScoredWithoutCurves()
    {
        var metrics = TabularEvaluation.ForClasses(
            TabularTask.Binary, ["no", "yes"], BinaryTruth, [.. BinaryScores.Select(s => s >= 0.5 ? 1 : 0)],
            [.. BinaryScores.Select(s => new[] { 1 - s, s })], BinaryScores).Classification!;

        Assert.Null(metrics.Curves);
        Assert.Null(TabularEvaluation.ForNumbers([1, 2], [1, 3]).Regression!.Residuals);
    }

    [Fact]
    public void ALargeTestKeepsAtMostTwoHundredPointsPerCurveAndItsArea()
    {
        var random = new Random(9);
        var truth = Enumerable.Range(0, 5000).Select(_ => random.Next(2)).ToArray();
        var scores = truth.Select(t => 1 / (1 + Math.Exp(-(1.2 * t - 0.6 + random.NextDouble() * 2 - 1) * 3))).ToArray();

        var curve = TabularCurves.Of("b", [.. truth.Select(t => t == 1)], scores)!;

        Assert.InRange(curve.Roc.Count, 100, TabularCurves.MaxPoints);
        Assert.InRange(curve.PrecisionRecall.Count, 100, TabularCurves.MaxPoints);
        Assert.Equal(curve.Auc, TabularCurves.Area(curve.Roc), 3);
        Assert.Equal((0.0, 0.0), (curve.Roc[0].FalsePositiveRate, curve.Roc[0].TruePositiveRate));
        Assert.Equal((1.0, 1.0), (curve.Roc[^1].FalsePositiveRate, curve.Roc[^1].TruePositiveRate));
        Assert.Equal((0.0, 1.0), (curve.PrecisionRecall[0].Recall, curve.PrecisionRecall[0].Precision));
        Assert.Equal(1.0, curve.PrecisionRecall[^1].Recall);
        Assert.True(curve.Roc.Zip(curve.Roc.Skip(1)).All(p => p.Second.Threshold < p.First.Threshold), "Thresholds fall along the curve.");
    }

    [Fact]
    public void ThinningDropsPointsOnStraightStretchesFirst()
    {
        // A straight line with one corner: only the corner and the ends matter.
        var points = Enumerable.Range(0, 11).Select(i => (X: i / 10.0, Y: i <= 5 ? i / 5.0 : 1.0)).ToList();

        var thinned = TabularCurves.Thin(points, p => p.X, p => p.Y, 3);

        Assert.Equal([(0.0, 0.0), (0.5, 1.0), (1.0, 1.0)], thinned);
    }
}
