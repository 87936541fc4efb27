using AutoDL.Core.Explanations;

namespace AutoDL.Core.Tests.Explanations;

public sealed class FairnessTests
{
    [Fact]
    public void ClassificationFiguresPerGroupEqualTheHandCountedOnes()
    {
        // M: (actual, predicted) = (y, y) (y, y) (y, n) (n, y) (n, n) (n, n); F: (y, y) (y, n) (n, n) (n, n).
        object?[] sex = ["M", "M", "M", "M", "M", "M", "F", "F", "F", "F"];
        string[] actual = ["y", "y", "y", "n", "n", "n", "y", "y", "n", "n"];
        string[] predicted = ["y", "y", "n", "y", "n", "n", "y", "n", "n", "n"];

        var fairness = Fairness.Classification("sex", sex, actual, predicted, "y");

        Assert.Null(fairness.BinEdges);
        Assert.Equal(["F", "M"], fairness.Groups.Select(g => g.Group));
        var (f, m) = (fairness.Groups[0], fairness.Groups[1]);
        Assert.Equal(new ClassificationGroup("F", 4, 0.25, 0.75, 0.5, 0.0), f);
        Assert.Equal(6, m.Count);
        Assert.Equal(0.5, m.SelectionRate, 12);
        Assert.Equal(4.0 / 6, m.Accuracy, 12);
        Assert.Equal(2.0 / 3, m.TruePositiveRate!.Value, 12);
        Assert.Equal(1.0 / 3, m.FalsePositiveRate!.Value, 12);
        Assert.Equal(0.25, fairness.DemographicParityDifference, 12);
        Assert.Equal(0.5, fairness.DemographicParityRatio, 12);
        // max(TPR gap 2/3 − 1/2 = 1/6, FPR gap 1/3 − 0 = 1/3).
        Assert.Equal(1.0 / 3, fairness.EqualizedOddsDifference!.Value, 12);
        Assert.True(fairness.BelowFourFifths);
        Assert.Equal("Selection rate of group 'F' is 50% of group 'M''s: below the four-fifths rule.", fairness.FourFifths);
    }

    [Fact]
    public void CloseSelectionRatesAreWithinTheFourFifthsRule()
    {
        object?[] group = ["a", "a", "a", "a", "a", "b", "b", "b", "b", "b"];
        string[] predicted = ["1", "1", "1", "1", "1", "1", "1", "1", "1", "0"];

        var fairness = Fairness.Classification("group", group, predicted, predicted, "1");

        Assert.Equal(0.8, fairness.DemographicParityRatio, 12);
        Assert.False(fairness.BelowFourFifths);
        Assert.Equal("Selection rate of group 'b' is 80% of group 'a''s: within the four-fifths rule.", fairness.FourFifths);
        // Group a has no actual negatives: no FPR, so only the TPR gap (1 − 1) counts.
        Assert.Null(fairness.Groups[0].FalsePositiveRate);
        Assert.Equal(0, fairness.EqualizedOddsDifference!.Value, 12);
    }

    [Fact]
    public void RegressionFiguresPerQuantileBinOfANumericColumnEqualTheHandComputedOnes()
    {
        // Two bins: the quantiles 0, 0.5, 1 of 20, 30, 40, 50 are 20, 35, 50; a fifth row's age is missing.
        object?[] age = [20, 30, 40, 50, null];
        double[] actual = [10, 20, 30, 40, 7];
        double[] predicted = [12, 18, 33, 40, 8];

        var fairness = Fairness.Regression("age", age, actual, predicted, new() { Bins = 2 });

        Assert.Equal([20.0, 35, 50], fairness.BinEdges);
        Assert.Equal(
            [
                new RegressionGroup("[20, 35)", 2, 15, 0, 2),
                new RegressionGroup("[35, 50]", 2, 36.5, 1.5, 1.5),
                new RegressionGroup("(missing)", 1, 8, 1, 1),
            ],
            fairness.Groups);
        Assert.Equal(36.5 - 8, fairness.MeanPredictionDifference, 12);
        Assert.Equal(2 - 1, fairness.MeanAbsoluteErrorDifference, 12);
    }

    [Fact]
    public void AGroupWithoutActualPositivesHasNoTruePositiveRate()
    {
        object?[] group = ["a", "a", "b", "b"];
        string[] actual = ["y", "n", "n", "n"];
        string[] predicted = ["y", "y", "y", "n"];

        var fairness = Fairness.Classification("group", group, actual, predicted, "y");

        Assert.Null(fairness.Groups[1].TruePositiveRate);
        // Only FPR is defined for both: a 1, b 0.5.
        Assert.Equal(0.5, fairness.EqualizedOddsDifference!.Value, 12);
    }
}
