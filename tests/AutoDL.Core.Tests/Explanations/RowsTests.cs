using AutoDL.Core.Explanations;

namespace AutoDL.Core.Tests.Explanations;

public sealed class RowsTests
{
    [Fact]
    public void RowsFromDictionariesReadBackAsDictionariesInTheGivenColumnOrder()
    {
        IReadOnlyDictionary<string, object?>[] input =
        [
            new Dictionary<string, object?> { ["a"] = 1.5, ["b"] = "x" },
            new Dictionary<string, object?> { ["b"] = "y" },
        ];

        var rows = Rows.FromDictionaries(input, ["b", "a"]);

        Assert.Equal(["b", "a"], rows.Columns);
        Assert.Equal(2, rows.Count);
        Assert.Equal("y", rows[1]["b"]);
        Assert.Null(rows[1]["a"]);
        Assert.True(double.IsNaN(rows.Number(1, 1)));
        Assert.Equal(1.5, rows.Number(1, 0));
        Assert.Equal([new KeyValuePair<string, object?>("b", "x"), new("a", 1.5)], rows[0]);
        Assert.False(rows[0].ContainsKey("c"));
    }

    [Fact]
    public void ReplacingAColumnSharesTheOthersAndLeavesTheOriginalAlone()
    {
        var rows = Rows.FromColumns(["a", "b"], [[1.0, 2.0], ["p", "q"]]);

        var swapped = rows.WithColumn(0, [3.0, 4.0]);

        Assert.Same(rows.Column(1), swapped.Column(1));
        Assert.Equal([1.0, 2.0], rows.Column(0));
        Assert.Equal(4.0, swapped[1]["a"]);
        Assert.Throws<ArgumentException>(() => rows.WithColumn(0, [1.0]));
        Assert.Throws<ArgumentException>(() => Rows.FromColumns(["a", "a"], [[1.0], [2.0]]));
    }
}
