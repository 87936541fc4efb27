using AutoDL.Core.Search;
using AutoDL.Learners.Tabular;

namespace AutoDL.Learners.Tests.Tabular;

public sealed class TaskInferenceTests
{
    [Theory]
    [InlineData(TabularColumnKind.Boolean, 2, TabularTask.Binary)]
    [InlineData(TabularColumnKind.Categorical, 2, TabularTask.Binary)]
    [InlineData(TabularColumnKind.Integer, 2, TabularTask.Binary)]
    [InlineData(TabularColumnKind.Numeric, 2, TabularTask.Binary)]
    [InlineData(TabularColumnKind.Categorical, 3, TabularTask.Multiclass)]
    [InlineData(TabularColumnKind.Categorical, 500, TabularTask.Multiclass)]
    [InlineData(TabularColumnKind.Text, 7, TabularTask.Multiclass)]
    [InlineData(TabularColumnKind.Integer, 10, TabularTask.Multiclass)]
    [InlineData(TabularColumnKind.Integer, TaskInference.MaxClasses, TabularTask.Multiclass)]
    [InlineData(TabularColumnKind.Integer, TaskInference.MaxClasses + 1, TabularTask.Regression)]
    [InlineData(TabularColumnKind.Numeric, 3, TabularTask.Regression)]
    [InlineData(TabularColumnKind.Numeric, 1000, TabularTask.Regression)]
    public void TheTaskFollowsTheTargetsKindAndDistinctCount(TabularColumnKind kind, int distinct, TabularTask expected) =>
        Assert.Equal(expected, TaskInference.Infer(kind, distinct));

    [Theory]
    [InlineData(TabularColumnKind.Identifier, 100)]
    [InlineData(TabularColumnKind.Constant, 1)]
    [InlineData(TabularColumnKind.DateTime, 50)]
    [InlineData(TabularColumnKind.Categorical, 1)]
    public void ATargetWithNothingToPredictIsRejected(TabularColumnKind kind, int distinct) =>
        Assert.Throws<ArgumentException>(() => TaskInference.Infer(kind, distinct));

    [Fact]
    public void EachTaskHasItsDefaultMetric()
    {
        Assert.Equal(TabularMetric.Auc, TaskInference.DefaultMetric(TabularTask.Binary, [900, 100]));
        Assert.Equal(TabularMetric.Rmse, TaskInference.DefaultMetric(TabularTask.Regression));
        Assert.Equal(TabularMetric.Accuracy, TaskInference.DefaultMetric(TabularTask.Multiclass, [50, 50, 50]));
        Assert.Equal(TabularMetric.Accuracy, TaskInference.DefaultMetric(TabularTask.Multiclass, [30, 50, 90]));
        Assert.Equal(TabularMetric.MacroF1, TaskInference.DefaultMetric(TabularTask.Multiclass, [30, 50, 91]));
    }

    [Fact]
    public void ErrorsAndLossesAreMinimisedAndScoresMaximised()
    {
        Assert.All([TabularMetric.Rmse, TabularMetric.Mae, TabularMetric.LogLoss], m => Assert.Equal(Direction.Minimize, m.Direction()));
        Assert.All([TabularMetric.Auc, TabularMetric.Accuracy, TabularMetric.BalancedAccuracy, TabularMetric.MacroF1, TabularMetric.RSquared],
            m => Assert.Equal(Direction.Maximize, m.Direction()));
    }

    [Fact]
    public void EachMetricFitsTheTasksItIsDefinedFor()
    {
        TabularMetric[] classes = [TabularMetric.Accuracy, TabularMetric.BalancedAccuracy, TabularMetric.MacroF1, TabularMetric.LogLoss];
        TabularMetric[] numbers = [TabularMetric.Rmse, TabularMetric.Mae, TabularMetric.RSquared];
        Assert.All(classes, m => Assert.True(m.Fits(TabularTask.Binary) && m.Fits(TabularTask.Multiclass) && !m.Fits(TabularTask.Regression), m.ToString()));
        Assert.All(numbers, m => Assert.True(m.Fits(TabularTask.Regression) && !m.Fits(TabularTask.Binary) && !m.Fits(TabularTask.Multiclass), m.ToString()));
        Assert.True(TabularMetric.Auc.Fits(TabularTask.Binary));
        Assert.False(TabularMetric.Auc.Fits(TabularTask.Multiclass));
        Assert.Equal(Enum.GetValues<TabularMetric>().Order(), classes.Concat(numbers).Append(TabularMetric.Auc).Order());
    }
}
