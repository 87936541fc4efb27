using AutoDL.Core.Datasets;

namespace AutoDL.Core.Tests.Datasets;

public sealed class ColumnInferenceTests
{
    private static DatasetColumn Infer(IEnumerable<string> values, DatasetScanOptions? options = null)
    {
        var inference = new ColumnInference(options ?? new DatasetScanOptions());
        foreach (var value in values)
        {
            inference.Observe(value);
        }

        return inference.ToColumn("c");
    }

    private static DatasetColumn Infer(params string[] values) => Infer((IEnumerable<string>)values);

    [Fact]
    public void MissingMarkersAreCountedAsMissingWhateverTheirCase()
    {
        var column = Infer("", " ", "NA", "na", "N/A", "n/a", "#N/A", "null", "NULL", "NaN", "nan", "?", " NA ", "1.5", "2.5");

        Assert.Equal(13, column.MissingCount);
        Assert.Equal(2, column.UniqueCount);
        Assert.Equal(ColumnType.Numeric, column.Type);
    }

    [Theory]
    [InlineData(ColumnType.Integer, new[] { "1", "-2", "+30", "007", "", "1" })]
    [InlineData(ColumnType.Numeric, new[] { "1.5", "2", "-3e4", ".5", "NA", "1e-3", "2" })]
    [InlineData(ColumnType.Numeric, new[] { "1", "2", "99999999999999999999" })]
    [InlineData(ColumnType.Boolean, new[] { "yes", "No", "TRUE", "f", "Y", "n", "T", "false" })]
    [InlineData(ColumnType.Boolean, new[] { "0", "1", "1", "0", "null" })]
    [InlineData(ColumnType.Datetime, new[] { "2024-01-02", "2024-03-04T05:06:07Z", "2024/05/06", "2024-01-02 10:00:00", "2024-03-04T05:06:07.123+02:00", "2024-01-02" })]
    [InlineData(ColumnType.Categorical, new[] { "red", "green", "red", "blue", "N/A", "green" })]
    [InlineData(ColumnType.Categorical, new[] { "1,5", "2,5", "1,5" })]
    [InlineData(ColumnType.Categorical, new[] { "2024-01-02", "2024-13-45", "2024-01-02" })]
    [InlineData(ColumnType.Text, new[] { "The delivery came two days late and the box was damaged on arrival.", "Great service, friendly staff and a fair price for what we ordered.", "The delivery came two days late and the box was damaged on arrival." })]
    public void EachTypeIsInferredFromSmallExamples(ColumnType expected, string[] values)
    {
        var column = Infer(values);

        Assert.Equal(expected, column.Type);
        Assert.Equal(expected, column.ValueType);
    }

    [Fact]
    public void ApiNamesAreTheLowerCaseTypeNames()
    {
        Assert.Equal(
            ["numeric", "integer", "categorical", "boolean", "datetime", "text", "identifier", "constant"],
            Enum.GetValues<ColumnType>().Select(t => t.ApiName()));
    }

    [Fact]
    public void ACodeInEveryRowWithNoRepeatsIsAnIdentifier()
    {
        var column = Infer(Enumerable.Range(1, 12).Select(i => $"C{i:000}"));

        Assert.Equal((ColumnType.Identifier, ColumnType.Categorical, 12L), (column.Type, column.ValueType, column.UniqueCount));
        Assert.True(column.IsIdentifier);
    }

    [Fact]
    public void AWholeNumberInEveryRowWithNoRepeatsIsAnIdentifier()
    {
        var column = Infer(Enumerable.Range(1000, 50).Select(i => i.ToString()));

        Assert.Equal((ColumnType.Identifier, ColumnType.Integer), (column.Type, column.ValueType));
    }

    [Theory]
    [InlineData("a repeat", new[] { "C1", "C2", "C3", "C4", "C5", "C6", "C7", "C8", "C9", "C10", "C3" })]
    [InlineData("a missing value", new[] { "C1", "C2", "C3", "C4", "C5", "C6", "C7", "C8", "C9", "C10", "" })]
    [InlineData("too few rows", new[] { "C1", "C2", "C3", "C4", "C5", "C6", "C7", "C8", "C9" })]
    [InlineData("decimals", new[] { "1.1", "2.2", "3.3", "4.4", "5.5", "6.6", "7.7", "8.8", "9.9", "10.1" })]
    [InlineData("prose", new[] { "a b", "c d", "e f", "g h", "i j", "k l", "m n", "o p", "q r", "s t" })]
    public void AColumnIsNoIdentifierWith(string reason, string[] values)
    {
        Assert.False(Infer(values).IsIdentifier, reason);
    }

    [Fact]
    public void OneValueBesidesMissingOnesIsConstant()
    {
        var column = Infer("x", "x", "", "x", "NA");

        Assert.Equal((ColumnType.Constant, ColumnType.Categorical, 2L, 1L), (column.Type, column.ValueType, column.MissingCount, column.UniqueCount));
        Assert.True(column.IsConstant);
    }

    [Fact]
    public void AColumnOfOnlyMissingValuesIsConstant()
    {
        var column = Infer("", "NA", "?");

        Assert.Equal((ColumnType.Constant, ColumnType.Text, 3L, 0L), (column.Type, column.ValueType, column.MissingCount, column.UniqueCount));
    }

    [Fact]
    public void LabelsAreCategoricalUpToTwentyDistinctOrFivePercentOfTheRows()
    {
        string[] Labels(int distinct, int rows) => Enumerable.Range(0, rows).Select(i => $"L{i % distinct}").ToArray();

        Assert.Equal(ColumnType.Categorical, Infer(Labels(20, 100)).Type);
        Assert.Equal(ColumnType.Text, Infer(Labels(21, 100)).Type);
        Assert.Equal(ColumnType.Categorical, Infer(Labels(50, 1000)).Type);
        Assert.Equal(ColumnType.Text, Infer(Labels(51, 1000)).Type);
    }

    [Fact]
    public void LongRepeatedLabelsAreText()
    {
        var longLabel = new string('x', 51);

        Assert.Equal(ColumnType.Text, Infer(longLabel, longLabel, longLabel + "y").Type);
    }

    [Fact]
    public void PastTheDistinctCapTheUniqueCountIsALowerBound()
    {
        var column = Infer(Enumerable.Range(0, 100).Select(i => $"v{i % 40}"), new DatasetScanOptions { DistinctValueCap = 25 });

        Assert.Equal((25L, true), (column.UniqueCount, column.UniqueCountIsLowerBound));
        Assert.Equal(ColumnType.Text, column.Type);
    }

    [Fact]
    public void PastTheCapARepeatOfARememberedValueStillRulesOutAnIdentifier()
    {
        var options = new DatasetScanOptions { DistinctValueCap = 5 };
        var values = Enumerable.Range(1, 20).Select(i => $"K{i}").ToList();

        Assert.True(Infer(values, options).IsIdentifier);
        Assert.False(Infer([.. values, "K2"], options).IsIdentifier);
        Assert.True(Infer([.. values, "K19"], options).IsIdentifier);
    }
}
