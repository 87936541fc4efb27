using System.Text;
using AutoDL.Core.Datasets;

namespace AutoDL.Core.Tests.Datasets;

public sealed class CsvScannerTests
{
    [Fact]
    public async Task AScanCountsRowsAndDescribesEveryColumn()
    {
        var text = new StringBuilder("customer,age,income,member,signup,segment,comment,country,referrer\n");
        for (var i = 1; i <= 30; i++)
        {
            var income = i % 7 == 0 ? "NA" : (1000 + i * 12.5).ToString(System.Globalization.CultureInfo.InvariantCulture);
            text.Append($"C{i:0000},{20 + i % 15},{income},{(i % 2 == 0 ? "yes" : "no")},2024-01-{i % 28 + 1:00},{"ABC"[i % 3]},\"Customer {i} said: \"\"fine, thanks\"\"\",FR,\n");
        }

        var schema = await CsvScanner.ScanAsync(CsvInput.Utf8(text.ToString()), "customers.csv", CancellationToken.None);

        Assert.Equal(("customers.csv", 30L, ',', true), (schema.FileName, schema.RowCount, schema.Format.Delimiter, schema.Format.HasHeader));
        Assert.Equal(
            [
                ("customer", "identifier", 0L, 30L),
                ("age", "integer", 0L, 15L),
                ("income", "numeric", 4L, 26L),
                ("member", "boolean", 0L, 2L),
                ("signup", "datetime", 0L, 28L),
                ("segment", "categorical", 0L, 3L),
                ("comment", "text", 0L, 30L),
                ("country", "constant", 0L, 1L),
                ("referrer", "constant", 30L, 0L),
            ],
            schema.Columns.Select(c => (c.Name, c.Type.ApiName(), c.MissingCount, c.UniqueCount)));
        Assert.Empty(schema.Warnings);
    }

    [Fact]
    public async Task MissingMarkersInAFileAreCountedPerColumn()
    {
        var schema = await CsvInput.ScanAsync("a,b\n1,x\nNA,\n?,null\nn/a,NaN\n5,\"\"\n6,y\n");

        Assert.Equal([3L, 4L], schema.Columns.Select(c => c.MissingCount));
        Assert.Equal(ColumnType.Integer, schema.Columns[0].Type);
    }

    [Fact]
    public async Task WarningsFromReadingTheFileComeWithTheSchema()
    {
        var bytes = Encoding.Latin1.GetBytes("ville,prix,ville\nZürich,1.5,a\nGenève,2.5,b\n");

        var schema = await CsvScanner.ScanAsync(CsvInput.Bytes(bytes), "villes.csv", CancellationToken.None);

        Assert.Equal(CsvEncoding.Latin1, schema.Format.Encoding);
        Assert.Equal(["ville", "prix", "ville_2"], schema.Columns.Select(c => c.Name));
        Assert.Equal(2, schema.Warnings.Count);
        Assert.Contains("Latin-1", schema.Warnings[0]);
        Assert.Contains("'ville_2'", schema.Warnings[1]);
    }

    [Fact]
    public async Task AHeaderlessFileGetsNumberedColumnsAndAWarning()
    {
        var schema = await CsvInput.ScanAsync("1,2.5,x\n2,3.5,y\n3,4.5,x\n");

        Assert.Equal(3, schema.RowCount);
        Assert.Equal(["column1", "column2", "column3"], schema.Columns.Select(c => c.Name));
        Assert.Equal([ColumnType.Integer, ColumnType.Numeric, ColumnType.Categorical], schema.Columns.Select(c => c.Type));
        Assert.Single(schema.Warnings, w => w.Contains("column1 to column3", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ACancelledScanStops()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => CsvScanner.ScanAsync(CsvInput.Utf8("a,b\n1,2\n"), "data.csv", cancelled.Token));
    }
}
