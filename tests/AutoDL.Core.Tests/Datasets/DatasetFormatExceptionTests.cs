using System.Text;
using AutoDL.Core.Datasets;

namespace AutoDL.Core.Tests.Datasets;

/// <summary>Each bad input of the datasets issue gets a message naming the file and what is wrong where.</summary>
public sealed class DatasetFormatExceptionTests
{
    [Fact]
    public async Task AnEmptyFileIsRefusedAsEmpty()
    {
        var error = await CsvInput.ScanFailsAsync(CsvInput.Bytes([]));

        Assert.Equal("'sales.csv' could not be read. The file is empty.", error.Message);
        Assert.Equal("sales.csv", error.FileName);
    }

    [Fact]
    public async Task AFileOfOnlyLineBreaksAndAByteOrderMarkIsRefusedAsEmpty()
    {
        var error = await CsvInput.ScanFailsAsync(CsvInput.Bytes([0xEF, 0xBB, 0xBF, (byte)'\r', (byte)'\n', (byte)' ', (byte)'\n']));

        Assert.Contains("'sales.csv' could not be read. The file is empty", error.Message);
    }

    [Fact]
    public async Task AFileWithColumnNamesButNoRowsIsRefusedNamingTheColumns()
    {
        var error = await CsvInput.ScanFailsAsync("region,units,price\n");

        Assert.Equal("'sales.csv' could not be read. The file has column names ('region', 'units', 'price') but no rows of data below them.", error.Message);
    }

    [Fact]
    public async Task RowsWithTheWrongNumberOfValuesAreRefusedNamingEachRowAndBothCounts()
    {
        var error = await CsvInput.ScanFailsAsync("region,units,price\nnorth,3,2.5\nsouth,4\neast,5,1.5\nwest,\"6,7\",8,9\n");

        Assert.Equal(
            "'sales.csv' could not be read. 2 rows do not have 3 values like the column names row: row 2 (line 3) has 2, row 4 (line 5) has 4. "
            + "Values are separated by a comma (,); a value that contains one must be in double quotes.",
            error.Message);
        Assert.Equal([(2L, 3L), (4L, 5L)], error.Problems.Select(p => (p.Row!.Value, p.Line!.Value)));
    }

    [Fact]
    public async Task AnUnclosedQuoteIsRefusedNamingTheRowColumnAndLineWhereItOpens()
    {
        var error = await CsvInput.ScanFailsAsync("id,comment,score\n1,fine,3\n2,\"broken,4\n3,later,5\n");

        Assert.Contains("'sales.csv' could not be read.", error.Message);
        Assert.Contains("The double quote (\") that opens a value in row 2, column 'comment', on line 3 is never closed", error.Message);
        var problem = Assert.Single(error.Problems);
        Assert.Equal((2L, 3L, "comment"), (problem.Row, problem.Line, problem.Column));
    }

    [Fact]
    public async Task AnUnclosedQuoteInALargeFileIsRefusedBeforeTheRowGrowsPastTheLimit()
    {
        var text = "id,comment\n1,ok\n2,\"never closed\n" + string.Concat(Enumerable.Repeat("3,filler text\n", 400_000));

        var error = await CsvInput.ScanFailsAsync(CsvInput.Bytes(Encoding.UTF8.GetBytes(text), bytesPerRead: 65_536));

        Assert.Contains("Row 2, from line 3, is longer than 4,194,304 characters", error.Message);
        Assert.Contains("column 'comment' on line 3 is probably never closed", error.Message);
    }

    [Fact]
    public async Task AFileWithNulBytesIsRefusedAsBinary()
    {
        var error = await CsvInput.ScanFailsAsync(CsvInput.Bytes([.. "a,b\n1,2\n"u8, 0x00, 0x01, 0x02, .. "\n"u8]), "export.dat");

        Assert.Equal(
            "'export.dat' could not be read. The file contains binary data (a NUL byte on line 3), so it is not a CSV text file. "
            + "If it is text saved as UTF-16 without a byte-order mark, save it again as UTF-8.",
            error.Message);
    }

    [Fact]
    public async Task BinaryDataAfterTheStartOfTheFileIsRefusedNamingTheRow()
    {
        var bytes = Encoding.UTF8.GetBytes("a,b\n" + string.Concat(Enumerable.Range(1, 20_000).Select(i => $"{i},x\n")));
        bytes[^3] = 0;

        var error = await CsvInput.ScanFailsAsync(CsvInput.Bytes(bytes));

        Assert.Contains("binary data (a NUL character in row 20000, line 20001)", error.Message);
    }

    [Fact]
    public async Task APngImageIsRefusedAsAnImage()
    {
        byte[] png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52];

        var error = await CsvInput.ScanFailsAsync(CsvInput.Bytes(png), "chart.csv");

        Assert.StartsWith("'chart.csv' could not be read. The file is a PNG image, not a CSV text file.", error.Message);
    }

    [Fact]
    public async Task AZipArchiveIsRefusedMentioningExcelWorkbooks()
    {
        byte[] zip = [0x50, 0x4B, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00, 0x08, 0x00];

        var error = await CsvInput.ScanFailsAsync(CsvInput.Bytes(zip), "report.csv");

        Assert.StartsWith("'report.csv' could not be read. The file is a ZIP archive (an Excel .xlsx workbook is one too), not a CSV text file.", error.Message);
        Assert.Contains("save a workbook as CSV", error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task RepeatedColumnNamesAreRenamedWithAWarningNotRefused()
    {
        var schema = await CsvInput.ScanAsync("price,Price,units,price_2\n1,2,3,4\n5,6,7,8\n");

        Assert.Equal(["price", "Price_3", "units", "price_2"], schema.Columns.Select(c => c.Name));
        Assert.Equal(["Column 2 is called 'Price', like column 1; it is now called 'Price_3'."], schema.Warnings);
    }

    [Fact]
    public async Task EmptyColumnNamesAreRenamedWithAWarningNotRefused()
    {
        var schema = await CsvInput.ScanAsync(",amount, ,region\n1,2.5,x,north\n2,3.5,y,south\n");

        Assert.Equal(["column1", "amount", "column3", "region"], schema.Columns.Select(c => c.Name));
        Assert.Equal(["Column 1 has no name; it is now called 'column1'.", "Column 3 has no name; it is now called 'column3'."], schema.Warnings);
    }

    [Fact]
    public async Task ASingleColumnIsRefusedBecauseThereIsNothingToPredictFrom()
    {
        var error = await CsvInput.ScanFailsAsync("amount\n1.5\n2.5\n3.5\n");

        Assert.Equal(
            "'sales.csv' could not be read. The file has only one column ('amount'), so there is nothing to predict it from. "
            + "If it should have several columns, separate the values with commas, semicolons, tabs or vertical bars (|).",
            error.Message);
        Assert.Equal("amount", Assert.Single(error.Problems).Column);
    }
}
