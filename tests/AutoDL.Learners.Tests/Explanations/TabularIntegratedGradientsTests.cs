using AutoDL.Learners.Explanations;
using AutoDL.Learners.Tabular;

namespace AutoDL.Learners.Tests.Explanations;

public sealed class TabularIntegratedGradientsTests
{
    [Theory]
    [InlineData(TabularTask.Binary, TabularBaseline.TrainingMean, AttributionTarget.Probability)]
    [InlineData(TabularTask.Binary, TabularBaseline.Zeros, AttributionTarget.Logit)]
    [InlineData(TabularTask.Regression, TabularBaseline.TrainingMean, AttributionTarget.Logit)]
    public async Task TheMlpsAttributionsAddUpWithinOnePercentAndEachColumnIsTheSumOfItsSlots(TabularTask task, TabularBaseline baseline, AttributionTarget target)
    {
        var experiment = TreeShapExplainerTests.Table(task);
        var parameters = new Dictionary<string, object>(TabularSearchSpace.Defaults(experiment.Space, TabularLearners.Mlp), StringComparer.Ordinal)
        {
            [TabularParameters.MissingIndicator] = "true",
        };
        var model = await TabularModelBuilder.FitAsync(experiment, parameters, CancellationToken.None);
        var rows = TreeShapExplainerTests.Rows(experiment, experiment.Split.TestRows.Take(5));
        var output = task == TabularTask.Binary ? 1 : 0;
        var explanations = TabularIntegratedGradients.Explain(
            model.Predictor, experiment, rows, output, baseline, new IntegratedGradientsOptions { Target = target });

        Assert.Equal(5, explanations.Count);
        Assert.All(explanations, e =>
        {
            Assert.Equal(task == TabularTask.Binary ? "yes" : "target", e.Output);
            Assert.True(e.Attribution.RelativeGap <= 0.01 || e.Attribution.Gap < 1e-6, $"gap {e.Attribution.Gap} of {e.Attribution.Difference}");
            Assert.Equal(["x0", "x1", "x2", "colour"], e.Columns.Select(c => c.Column));
            foreach (var column in e.Columns)
            {
                Assert.Equal(e.Slots.Where(s => s.Column == column.Column).Sum(s => s.Value), column.Value, 1e-9);
            }

            Assert.Equal(e.Attribution.Attributions.Sum(a => (double)a), e.Columns.Sum(c => c.Value), 1e-5);
        });
        if (task == TabularTask.Binary && target == AttributionTarget.Probability)
        {
            // f(x) is the network's probability of the class: what the model predicts.
            var predicted = model.Predictor.Predict(rows);
            Assert.All(explanations.Zip(predicted), p => Assert.Equal(p.Second.Probabilities!["yes"], p.First.Attribution.AtInput, 1e-5));
        }
    }

    [Fact]
    public async Task ATreeModelIsNotExplainedByIntegratedGradients()
    {
        var experiment = TreeShapExplainerTests.Table(TabularTask.Binary);
        var model = await TabularModelBuilder.FitAsync(experiment, TabularSearchSpace.Defaults(experiment.Space, TabularLearners.LightGbm), CancellationToken.None);
        Assert.Throws<NotSupportedException>(() => TabularIntegratedGradients.Explain(model.Predictor, experiment, TreeShapExplainerTests.Rows(experiment, [0]), 1));
    }
}
