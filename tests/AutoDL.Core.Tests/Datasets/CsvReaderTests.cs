using System.Text;
using AutoDL.Core.Datasets;

namespace AutoDL.Core.Tests.Datasets;

public sealed class CsvReaderTests
{
    [Fact]
    public async Task QuotedValuesKeepTheirDelimitersQuotesAndLineBreaks()
    {
        var result = await CsvInput.ReadAsync("id,comment,price\n1,\"red, large\",2.5\n2,\"she said \"\"hi\"\"\",3\n3,\"line one\nline two\",4\n4,\"\",5\n");

        Assert.Equal(["id", "comment", "price"], result.ColumnNames);
        Assert.Equal(
            [["1", "red, large", "2.5"], ["2", "she said \"hi\"", "3"], ["3", "line one\nline two", "4"], ["4", "", "5"]],
            result.Values);
    }

    [Fact]
    public async Task ValuesLoseTheirQuotesButKeepSpacesAndQuotesInUnquotedText()
    {
        var result = await CsvInput.ReadAsync("a,b\n \"x\"\"y\" , z \n\"q\"tail,\"\"\"\"\n");

        Assert.Equal([[" \"x\"\"y\" ", " z "], ["qtail", "\""]], result.Values);
    }

    [Fact]
    public async Task RowsKnowTheirNumberAndTheLineTheyStartOn()
    {
        var result = await CsvInput.ReadAsync("id,note\n1,\"two\nlines\"\n\n2,plain\n3,\"a\r\nb\r\nc\"\n4,x\n");

        Assert.Equal([(1L, 2L), (2L, 5L), (3L, 6L), (4L, 9L)], result.Rows.Select(r => (r.Number, r.Line)));
    }

    [Fact]
    public async Task CrlfLineEndsReadLikeLf()
    {
        var lf = await CsvInput.ReadAsync("a,b\n1,\"x\ny\"\n2,z\n");
        var crlf = await CsvInput.ReadAsync("a,b\r\n1,\"x\ny\"\r\n2,z\r\n");

        Assert.Equal(lf.Values, crlf.Values);
        Assert.Equal(["a", "b"], crlf.ColumnNames);
        Assert.Equal("z", crlf.Values[1][1]);
    }

    [Fact]
    public async Task OldMacLineEndsAreLineEndsToo()
    {
        var result = await CsvInput.ReadAsync("a,b\r1,x\r2,y");

        Assert.Equal([["1", "x"], ["2", "y"]], result.Values);
    }

    [Fact]
    public async Task AFileWithoutATrailingLineBreakKeepsItsLastRow()
    {
        var unquoted = await CsvInput.ReadAsync("a,b\n1,2\n3,4");
        var quoted = await CsvInput.ReadAsync("a,b\n1,2\n3,\"4\"");
        var empty = await CsvInput.ReadAsync("a,b\n1,2\n3,");

        Assert.Equal([["1", "2"], ["3", "4"]], unquoted.Values);
        Assert.Equal([["1", "2"], ["3", "4"]], quoted.Values);
        Assert.Equal([["1", "2"], ["3", ""]], empty.Values);
    }

    [Fact]
    public async Task BlankLinesAreSkipped()
    {
        var result = await CsvInput.ReadAsync("a,b\n\n1,2\n   \n\r\n3,4\n\n\n");

        Assert.Equal([["1", "2"], ["3", "4"]], result.Values);
        Assert.Equal([3L, 6L], result.Rows.Select(r => r.Line));
    }

    [Fact]
    public async Task WithoutAHeaderTheFirstRowIsDataAndColumnsAreNumbered()
    {
        var result = await CsvInput.ReadAsync("1,2.5,3\n4,5.5,6\n");

        Assert.Equal(["column1", "column2", "column3"], result.ColumnNames);
        Assert.Equal([["1", "2.5", "3"], ["4", "5.5", "6"]], result.Values);
        Assert.Equal([(1L, 1L), (2L, 2L)], result.Rows.Select(r => (r.Number, r.Line)));
        Assert.Contains(result.Warnings, w => w.Contains("column1 to column3", StringComparison.Ordinal));
    }

    public static TheoryData<string, bool> Encodings => new()
    {
        { "utf-8", false },
        { "utf-8", true },
        { "utf-16", true },
        { "utf-16BE", true },
        { "iso-8859-1", false },
    };

    [Theory]
    [MemberData(nameof(Encodings))]
    public async Task EveryEncodingReadsTheSameValues(string encodingName, bool byteOrderMark)
    {
        const string text = "ville;prix;remarque\nZürich;1,5;\"crème brûlée; ½\"\nGenève;2;Ærø\n";
        var bytes = CsvInput.Encode(text, Encoding.GetEncoding(encodingName), byteOrderMark);

        var result = await CsvInput.ReadAsync(CsvInput.Bytes(bytes));

        Assert.Equal(["ville", "prix", "remarque"], result.ColumnNames);
        Assert.Equal([["Zürich", "1,5", "crème brûlée; ½"], ["Genève", "2", "Ærø"]], result.Values);
    }

    [Fact]
    public async Task ValuesSplitAcrossTinyReadsReadTheSameAsWhole()
    {
        var text = "name,note,€\n" + string.Concat(Enumerable.Range(0, 300).Select(i => $"n{i},\"a,\"\"b\"\"\r\nc{i}\",€{i}😀\r\n"));
        var bytes = Encoding.UTF8.GetBytes(text);

        var whole = await CsvInput.ReadAsync(CsvInput.Bytes(bytes));
        var trickled = await CsvInput.ReadAsync(CsvInput.Bytes(bytes, bytesPerRead: 1));

        Assert.Equal(300, whole.Rows.Count);
        Assert.Equal(whole.Values, trickled.Values);
        Assert.Equal(whole.Rows.Select(r => r.Line), trickled.Rows.Select(r => r.Line));
        Assert.Equal(["n299", "a,\"b\"\r\nc299", "€299😀"], trickled.Values[^1]);
    }

    [Fact]
    public async Task AValueLongerThanTheBufferIsReadWhole()
    {
        var longValue = string.Concat(Enumerable.Repeat("word, \"quoted\"\n", 40_000));
        var text = $"id,text\n1,\"{longValue.Replace("\"", "\"\"")}\"\n2,short\n";

        var result = await CsvInput.ReadAsync(CsvInput.Bytes(Encoding.UTF8.GetBytes(text), bytesPerRead: 10_000));

        Assert.Equal(longValue, result.Values[0][1]);
        Assert.Equal(["2", "short"], result.Values[1]);
        Assert.Equal(40_003, result.Rows[1].Line);
    }

    [Fact]
    public async Task TextThatStopsBeingUtf8AfterTheStartIsReadAsLatin1FromThereWithAWarning()
    {
        var start = Encoding.UTF8.GetBytes("name,city\n" + string.Concat(Enumerable.Range(0, 10_000).Select(i => $"n{i},Zürich\n")));
        var rest = Encoding.Latin1.GetBytes("late,Genève\n");

        var result = await CsvInput.ReadAsync(CsvInput.Bytes([.. start, .. rest]));

        Assert.Equal(CsvEncoding.Utf8, result.Format.Encoding);
        Assert.Equal("Zürich", result.Values[0][1]);
        Assert.Equal(["late", "Genève"], result.Values[^1]);
        Assert.Contains(result.Warnings, w => w.Contains("from line 10002", StringComparison.Ordinal) && w.Contains("Latin-1", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TheFieldCountIsCheckedOnEveryRowAndTheFirstTenWrongRowsAreNamed()
    {
        var rows = Enumerable.Range(1, 40).Select(i => i % 3 == 0 ? $"{i},x,extra" : i % 4 == 0 ? $"{i}" : $"{i},x");
        var text = "id,name\n" + string.Join('\n', rows) + "\n";

        var error = await CsvInput.ScanFailsAsync(text);

        var wrong = Enumerable.Range(1, 40).Where(i => i % 3 == 0 || i % 4 == 0).ToList();
        Assert.Contains($"{wrong.Count} rows do not have 2 values like the column names row", error.Message);
        Assert.Contains("row 3 (line 4) has 3, row 4 (line 5) has 1, row 6 (line 7) has 3", error.Message);
        Assert.Contains($"(the first 10 of {wrong.Count})", error.Message);
        Assert.Equal(wrong.Take(10).Select(i => (long?)i), error.Problems.Select(p => p.Row));
        Assert.Equal("Row 4 (line 5) has 1 value instead of 2.", error.Problems[1].Message);
    }

    [Fact]
    public async Task TheReaderNeverSeeksAndReadsTheStreamOnce()
    {
        var bytes = Encoding.UTF8.GetBytes("a,b\n" + string.Concat(Enumerable.Range(0, 50_000).Select(i => $"{i},{i % 7}\n")));
        var stream = new ChunkedStream(bytes, bytesPerRead: 4096);

        var result = await CsvInput.ReadAsync(stream);

        Assert.Equal(50_000, result.Rows.Count);
        Assert.Equal(0, stream.Read(new byte[1]));
    }
}
