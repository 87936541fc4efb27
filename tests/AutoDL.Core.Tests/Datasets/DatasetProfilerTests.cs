using System.Globalization;
using System.Text;
using System.Text.Json;
using AutoDL.Core.Datasets;

namespace AutoDL.Core.Tests.Datasets;

public sealed class DatasetProfilerTests
{
    private static Task<DatasetProfile> ProfileAsync(string text, DatasetProfileOptions? options = null, IProgress<double>? progress = null) =>
        DatasetProfiler.ProfileAsync(CsvInput.Utf8(text), "data.csv", options ?? new DatasetProfileOptions(), progress, CancellationToken.None);

    private static string Csv(string header, int rows, Func<int, string> row)
    {
        var text = new StringBuilder(header).Append('\n');
        for (var i = 0; i < rows; i++)
        {
            text.Append(row(i)).Append('\n');
        }

        return text.ToString();
    }

    private static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>numpy's default quantile: linear interpolation between the order statistics around (n - 1)·p.</summary>
    private static double ExactQuantile(double[] sorted, double p)
    {
        var h = (sorted.Length - 1) * p;
        var low = (int)Math.Floor(h);
        var high = Math.Min(low + 1, sorted.Length - 1);
        return sorted[low] + (h - low) * (sorted[high] - sorted[low]);
    }

    private static double[] Levels(Quantiles q) => [q.P1, q.P5, q.P25, q.P50, q.P75, q.P95, q.P99];

    private static readonly double[] QuantileLevels = [0.01, 0.05, 0.25, 0.50, 0.75, 0.95, 0.99];

    [Fact]
    public async Task ANumericColumnGetsExactCountRangeMeanStdAndQuantiles()
    {
        // x: 1..50 twice; y: 1/4 to 100/4 with every tenth value missing.
        var profile = await ProfileAsync(Csv("x,y", 100, i => $"{i % 50 + 1},{((i + 1) % 10 == 0 ? "NA" : Number((i + 1) / 4.0))}"));

        var x = profile.Columns[0];
        Assert.Equal(ColumnType.Integer, x.Type);
        var numbers = Assert.IsType<NumericProfile>(x.Numeric);
        Assert.Equal((100L, 1.0, 50.0, 25.5), (numbers.Count, numbers.Min, numbers.Max, numbers.Mean));

        // Sample standard deviation: the population variance of 1..50 is (50² - 1) / 12, times n / (n - 1).
        Assert.Equal(Math.Sqrt((50.0 * 50 - 1) / 12 * 100 / 99), numbers.Std!.Value, 9);
        Assert.True(numbers.QuantilesExact);
        var sorted = Enumerable.Range(0, 100).Select(i => (double)(i % 50 + 1)).Order().ToArray();
        Assert.Equal(QuantileLevels.Select(p => ExactQuantile(sorted, p)), Levels(numbers.Quantiles), new ToleranceComparer(1e-9));
        Assert.Null(x.TopValues);

        var y = profile.Columns[1];
        Assert.Equal(ColumnType.Numeric, y.Type);
        Assert.Equal((10L, 10.0), (y.MissingCount, y.MissingPercent));
        var values = Enumerable.Range(1, 100).Where(i => i % 10 != 0).Select(i => i / 4.0).ToArray();
        Assert.Equal(90, y.Numeric!.Count);
        Assert.Equal(values.Average(), y.Numeric.Mean, 9);
        Assert.Equal(QuantileLevels.Select(p => ExactQuantile(values, p)), Levels(y.Numeric.Quantiles), new ToleranceComparer(1e-9));
    }

    [Fact]
    public async Task HistogramCountsEveryNonMissingValue()
    {
        var random = new Random(7);
        var values = new List<double>();
        var text = Csv("value,label", 20_000, i =>
        {
            if (i % 13 == 0)
            {
                return ",a";
            }

            var value = Math.Round(random.NextDouble() * 350 - 100, 3);
            values.Add(value);
            return $"{Number(value)},b";
        });

        // A small sample and cap: the histogram must still count every value, not the sample.
        var profile = await ProfileAsync(text, new DatasetProfileOptions { SampleRows = 500, Scan = new DatasetScanOptions { DistinctValueCap = 100 } });

        var numbers = profile.Columns[0].Numeric!;
        var bins = numbers.Histogram;
        Assert.Equal(values.Count, numbers.Count);
        Assert.Equal(values.Count, bins.Sum(b => b.Count));
        Assert.InRange(bins.Count, 10, 20);
        Assert.True(bins[0].Lower <= values.Min() && values.Max() < bins[^1].Upper);
        var width = bins[0].Upper - bins[0].Lower;
        Assert.All(bins, b => Assert.Equal(width, b.Upper - b.Lower, 9));
        Assert.Equal(
            bins.Select(b => (long)values.Count(v => v >= b.Lower && v < b.Upper)),
            bins.Select(b => b.Count));
    }

    [Fact]
    public async Task AnIntegerColumnsHistogramHasWholeWidthBins()
    {
        var profile = await ProfileAsync(Csv("rating,other", 60, i => $"{i % 4},x{i % 3}"));

        var bins = profile.Columns[0].Numeric!.Histogram;
        Assert.Equal([(0.0, 1.0, 15L), (1.0, 2.0, 15L), (2.0, 3.0, 15L), (3.0, 4.0, 15L)], bins.Select(b => (b.Lower, b.Upper, b.Count)));
    }

    [Fact]
    public async Task ApproximateQuantilesStayWithinAPercentOfRankOfTheExactOnes()
    {
        var random = new Random(11);
        var values = new double[200_000];
        for (var i = 0; i < values.Length; i++)
        {
            // Skewed: a log-normal, with a tenth of the values in a far, narrow cluster.
            var normal = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
            values[i] = Math.Round(i % 10 == 0 ? 1000 + random.NextDouble() : Math.Exp(normal), 6);
        }

        var text = Csv("v,w", values.Length, i => $"{Number(values[i])},{i % 2}");
        var profile = await ProfileAsync(text, new DatasetProfileOptions { SampleRows = 20_000, Scan = new DatasetScanOptions { DistinctValueCap = 1000 } });

        var numbers = profile.Columns[0].Numeric!;
        Assert.False(numbers.QuantilesExact);
        Assert.Equal(20_000, profile.AssociationRows);
        Array.Sort(values);
        foreach (var (p, estimate) in QuantileLevels.Zip(Levels(numbers.Quantiles)))
        {
            var exact = ExactQuantile(values, p);
            var rank = (double)values.Count(v => v <= estimate) / values.Length;
            Assert.True(Math.Abs(rank - p) < 0.01, $"p{p * 100}: estimate {estimate} has rank {rank}; the exact quantile is {exact}");
        }
    }

    [Fact]
    public async Task TopValuesListTheMostFrequentAndCountTheRestAsOther()
    {
        // Label k (1..25) appears k times; two missing values.
        var labels = Enumerable.Range(1, 25).SelectMany(k => Enumerable.Repeat($"L{k:00}", k)).Append("").Append("NA").ToArray();
        var profile = await ProfileAsync(Csv("label,n", labels.Length, i => $"{labels[i]},{i}"), new DatasetProfileOptions { Scan = new DatasetScanOptions() });

        var label = profile.Columns[0];
        var top = Assert.IsType<TopValues>(label.TopValues);
        Assert.Equal(Enumerable.Range(6, 20).Reverse().Select(k => ($"L{k:00}", (long)k)), top.Values.Select(v => (v.Value, v.Count)));
        Assert.Equal(1 + 2 + 3 + 4 + 5, top.OtherCount);
        Assert.True(top.Exact);
        Assert.Equal((2L, 25L), (label.MissingCount, label.DistinctCount));
    }

    [Fact]
    public async Task ABooleanColumnsTopValuesAreItsClassBalance()
    {
        var profile = await ProfileAsync(Csv("churn,x", 10, i => $"{(i < 7 ? "no" : "yes")},{i}"));

        var churn = profile.Columns[0];
        Assert.Equal(ColumnType.Boolean, churn.Type);
        Assert.Equal([("no", 7L), ("yes", 3L)], churn.TopValues!.Values.Select(v => (v.Value, v.Count)));
        Assert.Equal(0, churn.TopValues.OtherCount);
    }

    [Fact]
    public async Task ExactDuplicateRowsAreCounted()
    {
        var profile = await ProfileAsync("a,b\n1,x\n2,y\n1,x\n1,x\n2,y\n1,y\n\"1\",x\n");

        Assert.Equal(7, profile.Rows);

        // The last row has the same values as the first, quoted.
        Assert.Equal(4, profile.DuplicateRows);
        Assert.False(profile.DuplicateRowsIsLowerBound);
    }

    [Fact]
    public async Task ValuesThatRunTogetherDoNotMakeDuplicates()
    {
        var profile = await ProfileAsync("a,b\nab,c\na,bc\nabc,\n,abc\n");

        Assert.Equal(0, profile.DuplicateRows);
    }

    [Fact]
    public async Task DuplicatesBeyondTheHashCapMakeTheCountALowerBound()
    {
        var profile = await ProfileAsync("a,b\n1,x\n2,x\n1,x\n3,x\n3,x\n1,x\n", new DatasetProfileOptions { DuplicateRowHashCap = 2 });

        // Rows 1 and 2 are remembered; row 3 (a repeat of a remembered row) counts, row 5 (a repeat of one that was not) does not.
        Assert.Equal(2, profile.DuplicateRows);
        Assert.True(profile.DuplicateRowsIsLowerBound);
    }

    [Fact]
    public async Task PearsonOfPerfectlyCorrelatedColumnsIsOne()
    {
        var profile = await ProfileAsync(Csv("x,twice,negated,flag,constant,label", 50, i =>
            $"{i % 25},{Number(2 * (i % 25) + 0.5)},{-(i % 25)},{(i % 2 == 0 ? "yes" : "no")},7,{"abc"[i % 3]}"));

        var correlations = profile.Correlations;
        Assert.Equal(["x", "twice", "negated", "flag"], correlations.Columns);
        Assert.Equal(1, correlations.Values[0][1]!.Value, 12);
        Assert.Equal(-1, correlations.Values[0][2]!.Value, 12);
        Assert.Equal(1, correlations.Values[3][3]!.Value, 12);
        Assert.Equal(correlations.Values[1][2], correlations.Values[2][1]);
        Assert.Equal(50, profile.AssociationRows);
    }

    [Fact]
    public async Task CramersVOfIdenticalCategoricalColumnsIsOneAndOfIndependentOnesNearZero()
    {
        var random = new Random(3);
        var profile = await ProfileAsync(Csv("a,same,balanced,random", 10_000, i =>
            $"{"pqrs"[i % 4]},{"PQRS"[i % 4]},{"xyz"[i / 4 % 3]},{"uvw"[random.Next(3)]}"));

        var associations = profile.Associations;
        Assert.Equal(["a", "same", "balanced", "random"], associations.Columns);
        Assert.All(associations.Kinds, kind => Assert.Equal(AssociationKind.Category, kind));
        Assert.Equal(1, associations.Values[0][1]!.Value, 12);
        Assert.Equal(0, associations.Values[0][2]!.Value, 12);
        Assert.InRange(associations.Values[0][3]!.Value, 0, 0.05);
    }

    [Fact]
    public async Task TheCorrelationRatioSaysHowMuchACategoryExplainsANumber()
    {
        // Group a: 1, 2, 3 (mean 2); group b: 11, 12, 13 (mean 12); overall mean 7.
        // Between: 3·5² + 3·5² = 150; total: 150 + 4·1 = 154.
        var profile = await ProfileAsync("group,value,noise\na,1,1\na,2,2\na,3,3\nb,11,1\nb,12,2\nb,13,3\n");

        var associations = profile.Associations;
        Assert.Equal([AssociationKind.Category, AssociationKind.Number, AssociationKind.Number], associations.Kinds);
        Assert.Equal(Math.Sqrt(150.0 / 154.0), associations.Values[0][1]!.Value, 12);
        Assert.Equal(associations.Values[0][1], associations.Values[1][0]);
        Assert.Equal(0, associations.Values[0][2]!.Value, 12);
    }

    [Fact]
    public async Task OnlyColumnsThatCouldBeTargetsHaveAssociations()
    {
        var profile = await ProfileAsync(Csv("id,many,few,when,amount", 2000, i =>
            $"C{i:0000},v{i % 60},{"ab"[i % 2]}{i % 3},2024-01-{i % 28 + 1:00},{Number(i * 1.5)}"),
            new DatasetProfileOptions { AssociationMaxCategories = 50 });

        Assert.Equal([ColumnType.Identifier, ColumnType.Categorical, ColumnType.Categorical, ColumnType.Datetime, ColumnType.Numeric], profile.Columns.Select(c => c.Type));
        Assert.Equal(["few", "amount"], profile.Associations.Columns);
        Assert.Equal(["amount"], profile.Correlations.Columns);
    }

    [Fact]
    public async Task ADatetimeColumnGetsItsRangeInTimeOrder()
    {
        var profile = await ProfileAsync("when,n\n2024-03-01,1\n2023/12/31 23:00,2\n2024-03-01T10:00:00,3\n2024-02-29,4\n");

        Assert.Equal(ColumnType.Datetime, profile.Columns[0].Type);
        Assert.Equal(new DatetimeRange("2023/12/31 23:00", "2024-03-01T10:00:00"), profile.Columns[0].Datetime);
    }

    [Fact]
    public async Task ThePreviewHoldsTheFirstRowsAsWritten()
    {
        var profile = await ProfileAsync(Csv("name,note", 30, i => $"n{i},\"say \"\"{i}\"\", ok\""));

        Assert.Equal(20, profile.Preview.Count);
        Assert.Equal(["n0", "say \"0\", ok"], profile.Preview[0]);
        Assert.Equal(["n19", "say \"19\", ok"], profile.Preview[19]);
    }

    [Fact]
    public async Task TheProfileCarriesTheSameSchemaAsAScan()
    {
        var text = Csv("customer,age,member,segment", 40, i => $"C{i:000},{20 + i % 9},{(i % 2 == 0 ? "yes" : "no")},{"ABC"[i % 3]}");

        var profile = await ProfileAsync(text);
        var schema = await CsvInput.ScanAsync(text);

        Assert.Equal(schema.Columns, profile.Schema.Columns);
        Assert.Equal((schema.RowCount, schema.Format.Delimiter), (profile.Schema.RowCount, profile.Schema.Format.Delimiter));
        Assert.Equal(schema.Columns.Select(c => (c.Name, c.Type, c.MissingCount, c.UniqueCount)), profile.Columns.Select(c => (c.Name, c.Type, c.MissingCount, c.DistinctCount)));
    }

    [Fact]
    public async Task OneThreadAndManyGiveTheSameProfile()
    {
        var random = new Random(5);
        var text = Csv("x,y,c,b", 30_000, i => $"{Number(Math.Round(random.NextDouble(), 4))},{random.Next(1000)},{"abcde"[random.Next(5)]},{random.Next(2)}");
        var options = new DatasetProfileOptions { SampleRows = 5000 };

        var one = await ProfileAsync(text, options with { Parallelism = 1 });
        var many = await ProfileAsync(text, options with { Parallelism = 4 });

        Assert.Equal(JsonSerializer.Serialize(one), JsonSerializer.Serialize(many));
    }

    [Fact]
    public async Task ProgressRisesByBytesReadAndReachesOne()
    {
        var text = Csv("x,y", 200_000, i => $"{i},{i % 7}");
        var reports = new List<double>();

        await DatasetProfiler.ProfileAsync(CsvInput.Utf8(text), "data.csv", new DatasetProfileOptions(), new Recorder(reports), CancellationToken.None);

        Assert.Equal(1.0, reports[^1]);
        Assert.True(reports.Count is > 5 and <= 102, $"{reports.Count} reports");
        Assert.Equal(reports.Order(), reports);
        Assert.All(reports.Zip(reports.Skip(1)), pair => Assert.True(pair.Second - pair.First >= 0.0099 || pair.Second == 1.0));
    }

    [Fact]
    public async Task WithoutALengthProgressIsReportedOnceDone()
    {
        var reports = new List<double>();

        await DatasetProfiler.ProfileAsync(CsvInput.Bytes(Encoding.UTF8.GetBytes("a,b\n1,2\n")), "data.csv", new DatasetProfileOptions(), new Recorder(reports), CancellationToken.None);

        Assert.Equal([1.0], reports);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   \n\n")]
    [InlineData("only\n1\n2\n")]
    [InlineData("a,b,c\n")]
    [InlineData("a,b\n1,2\n3\n4,5,6\n")]
    [InlineData("a,b\n1,\"open\n2,3\n")]
    public async Task BadFilesFailWithTheScannersMessages(string text)
    {
        var scan = await CsvInput.ScanFailsAsync(text);
        var profile = await Assert.ThrowsAsync<DatasetFormatException>(() => ProfileAsync(text));

        Assert.Equal(scan.Message, profile.Message.Replace("'data.csv'", "'sales.csv'", StringComparison.Ordinal));
        Assert.Equal(scan.Problems.Select(p => (p.Row, p.Line, p.Column)), profile.Problems.Select(p => (p.Row, p.Line, p.Column)));
    }

    [Fact]
    public async Task TheProfileRoundTripsThroughCamelCaseJson()
    {
        var profile = await ProfileAsync(Csv("amount,segment,flag,when,note", 40, i =>
            $"{(i % 5 == 0 ? "" : Number(i * 0.75))},{"AB"[i % 2]},{(i % 3 == 0 ? "true" : "false")},2024-01-{i % 28 + 1:00},free text {i}"));
        var json = new JsonSerializerOptions(JsonSerializerDefaults.Web);

        var written = JsonSerializer.Serialize(profile, json);
        var read = JsonSerializer.Deserialize<DatasetProfile>(written, json)!;

        Assert.Equal(written, JsonSerializer.Serialize(read, json));
        Assert.Contains("\"type\":\"numeric\"", written, StringComparison.Ordinal);
        Assert.Contains("\"duplicateRows\":0", written, StringComparison.Ordinal);
        Assert.Contains("\"kinds\":[\"number\",\"category\",\"category\"]", written, StringComparison.Ordinal);
        Assert.Equal(profile.Columns[0].Numeric!.Quantiles, read.Columns[0].Numeric!.Quantiles);
    }

    private sealed class Recorder(List<double> reports) : IProgress<double>
    {
        public void Report(double value) => reports.Add(value);
    }

    private sealed class ToleranceComparer(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance;

        public int GetHashCode(double obj) => 0;
    }
}
