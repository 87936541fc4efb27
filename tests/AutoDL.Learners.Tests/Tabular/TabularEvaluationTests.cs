using AutoDL.Learners.Tabular;

namespace AutoDL.Learners.Tests.Tabular;

public sealed class TabularEvaluationTests
{
    [Fact]
    public void ClassificationMetricsMatchHandCountedValues()
    {
        // Truth a a a b b c; predicted a a b b c c.
        string[] classes = ["a", "b", "c"];
        int[] truth = [0, 0, 0, 1, 1, 2];
        int[] predicted = [0, 0, 1, 1, 2, 2];
        var probabilities = predicted.Select(p => Enumerable.Range(0, 3).Select(c => c == p ? 0.8 : 0.1).ToArray()).ToList();

        var metrics = TabularEvaluation.ForClasses(TabularTask.Multiclass, classes, truth, predicted, probabilities).Classification!;

        Assert.Equal(4.0 / 6, metrics.Accuracy, 12);
        Assert.Equal((2.0 / 3 + 1.0 / 2 + 1.0) / 3, metrics.BalancedAccuracy, 12);
        // F1: a = 2·1·(2/3)/(1+2/3) = 0.8; b = 0.5; c = 2·0.5·1/1.5 = 2/3.
        Assert.Equal((0.8 + 0.5 + 2.0 / 3) / 3, metrics.MacroF1, 12);
        Assert.Equal([[2, 1, 0], [0, 1, 1], [0, 0, 1]], metrics.ConfusionMatrix.Select(r => r.ToArray()).ToArray());
        Assert.Equal(-(4 * Math.Log(0.8) + 2 * Math.Log(0.1)) / 6, metrics.LogLoss, 12);
        Assert.Equal(0.5, metrics.PerClass[2].Precision, 12);
        Assert.Null(metrics.Auc);
    }

    [Fact]
    public void EveryMetricASearchCanOptimiseReadsItsOwnFigure()
    {
        string[] classes = ["a", "b", "c"];
        int[] truth = [0, 0, 0, 1, 1, 2];
        int[] predicted = [0, 0, 1, 1, 2, 2];
        var probabilities = predicted.Select(p => Enumerable.Range(0, 3).Select(c => c == p ? 0.8 : 0.1).ToArray()).ToList();
        var byClass = TabularEvaluation.ForClasses(TabularTask.Multiclass, classes, truth, predicted, probabilities);
        var byNumber = TabularEvaluation.ForNumbers([1, 2, 3, 4], [1, 2, 3, 6]);

        Assert.Equal(byClass.Classification!.Accuracy, byClass.Value(TabularMetric.Accuracy));
        Assert.Equal(byClass.Classification.BalancedAccuracy, byClass.Value(TabularMetric.BalancedAccuracy));
        Assert.Equal(byClass.Classification.MacroF1, byClass.Value(TabularMetric.MacroF1));
        Assert.Equal(byClass.Classification.LogLoss, byClass.Value(TabularMetric.LogLoss));
        Assert.Equal(1.0, byNumber.Value(TabularMetric.Rmse), 12);
        Assert.Equal(0.5, byNumber.Value(TabularMetric.Mae), 12);
        Assert.Equal(0.2, byNumber.Value(TabularMetric.RSquared), 12);
        Assert.Throws<ArgumentException>(() => byNumber.Value(TabularMetric.LogLoss));
        Assert.Throws<ArgumentException>(() => byClass.Value(TabularMetric.Mae));
    }

    [Fact]
    public void AucCountsTiesAsHalf()
    {
        Assert.Equal(1.0, TabularEvaluation.Auc([0, 0, 1, 1], [0.1, 0.2, 0.3, 0.4]));
        Assert.Equal(0.875, TabularEvaluation.Auc([0, 0, 1, 1], [0.1, 0.3, 0.3, 0.4]));
        Assert.Equal(0.5, TabularEvaluation.Auc([0, 1], [0.5, 0.5]));
        Assert.Null(TabularEvaluation.Auc([1, 1], [0.5, 0.7]));
    }

    [Fact]
    public void RegressionMetricsMatchHandComputedValues()
    {
        var metrics = TabularEvaluation.ForNumbers([1, 2, 3, 4], [1, 2, 3, 6]).Regression!;

        Assert.Equal(1.0, metrics.Rmse, 12);
        Assert.Equal(0.5, metrics.Mae, 12);
        Assert.Equal(1 - 4 / 5.0, metrics.RSquared, 12);
    }
}
