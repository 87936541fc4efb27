using System.Text;
using AutoDL.Core.Datasets;

namespace AutoDL.Core.Tests.Datasets;

public sealed class CsvFormatTests
{
    private const string Sample = "city,price,note\nZürich,1.5,\"café, crème\"\nGenève,2.25,ok\n";

    private static CsvFormat Detect(byte[] bytes) => CsvFormat.Detect(bytes, isWholeFile: true, "data.csv");

    private static CsvFormat Detect(string text) => Detect(Encoding.UTF8.GetBytes(text));

    [Theory]
    [InlineData(',')]
    [InlineData(';')]
    [InlineData('\t')]
    [InlineData('|')]
    public void EachDelimiterIsDetected(char delimiter)
    {
        var text = string.Join('\n', "id,name,score,joined", "1,Ann,3.5,2024-01-02", "2,Bob,4.0,2024-02-03", "3,Cy,2.5,2024-03-04")
            .Replace(',', delimiter);

        var format = Detect(text);

        Assert.Equal(delimiter, format.Delimiter);
        Assert.True(format.HasHeader);
    }

    [Fact]
    public void DelimitersInsideQuotedValuesDoNotDecideTheDelimiter()
    {
        var format = Detect("name;note\n\"a\";\"x,y,z\"\n\"b\";\"p,q,r\"\n\"c\";\"s,t,u\"\n");

        Assert.Equal(';', format.Delimiter);
    }

    [Fact]
    public void ASemicolonFileWithDecimalCommasIsSemicolonSeparated()
    {
        var format = Detect("product;price;weight\nA;1,5;2,25\nB;3,75;0,5\n");

        Assert.Equal(';', format.Delimiter);
        Assert.Equal("semicolon", format.DelimiterName);
    }

    [Fact]
    public void Utf8WithoutAByteOrderMarkIsUtf8()
    {
        var format = Detect(CsvInput.Encode(Sample, new UTF8Encoding(false), byteOrderMark: false));

        Assert.Equal(new { Encoding = CsvEncoding.Utf8, Bom = 0 }, new { format.Encoding, Bom = format.ByteOrderMarkLength });
        Assert.Empty(format.Warnings);
    }

    [Fact]
    public void Utf8WithAByteOrderMarkIsUtf8AndTheMarkIsSkipped()
    {
        var format = Detect(CsvInput.Encode(Sample, new UTF8Encoding(true), byteOrderMark: true));

        Assert.Equal(new { Encoding = CsvEncoding.Utf8, Bom = 3 }, new { format.Encoding, Bom = format.ByteOrderMarkLength });
        Assert.Equal(',', format.Delimiter);
    }

    [Fact]
    public void Utf16LittleEndianIsRecognisedByItsByteOrderMark()
    {
        var format = Detect(CsvInput.Encode(Sample, Encoding.Unicode, byteOrderMark: true));

        Assert.Equal(new { Encoding = CsvEncoding.Utf16LittleEndian, Bom = 2 }, new { format.Encoding, Bom = format.ByteOrderMarkLength });
        Assert.Equal(',', format.Delimiter);
    }

    [Fact]
    public void Utf16BigEndianIsRecognisedByItsByteOrderMark()
    {
        var format = Detect(CsvInput.Encode(Sample, Encoding.BigEndianUnicode, byteOrderMark: true));

        Assert.Equal(new { Encoding = CsvEncoding.Utf16BigEndian, Bom = 2 }, new { format.Encoding, Bom = format.ByteOrderMarkLength });
        Assert.Equal(',', format.Delimiter);
    }

    [Fact]
    public void InvalidUtf8FallsBackToLatin1WithAWarning()
    {
        var format = Detect(Encoding.Latin1.GetBytes(Sample));

        Assert.Equal(CsvEncoding.Latin1, format.Encoding);
        Assert.Contains(format.Warnings, w => w.Contains("not valid UTF-8", StringComparison.Ordinal) && w.Contains("Latin-1", StringComparison.Ordinal));
    }

    [Fact]
    public void AUtf8CharacterCutOffAtTheEndOfThePrefixIsNotMistakenForLatin1()
    {
        var bytes = Encoding.UTF8.GetBytes("a,b\n" + string.Concat(Enumerable.Repeat("é,ü\n", 20_000)));
        var prefix = bytes.AsSpan(0, 4 + 5 * 3 + 1).ToArray();

        var format = CsvFormat.Detect(prefix, isWholeFile: false, "data.csv");

        Assert.Equal(CsvEncoding.Utf8, format.Encoding);
    }

    [Fact]
    public void AFirstRowOfNumbersIsDataNotAHeader()
    {
        var format = Detect("1,2.5,3\n4,5.5,6\n7,8.5,9\n");

        Assert.False(format.HasHeader);
        Assert.Contains(format.Warnings, w => w.Contains("column1 to column3", StringComparison.Ordinal));
    }

    [Fact]
    public void AFirstRowOfNamesOverNumbersIsAHeader()
    {
        Assert.True(Detect("age,income\n34,52000\n51,61000\n").HasHeader);
    }

    [Fact]
    public void AFirstRowOfTextLikeTheRowsBelowItIsDataWhenAnotherColumnSaysSo()
    {
        var format = Detect("Ann,34,true\nBob,51,false\nCy,27,true\n");

        Assert.False(format.HasHeader);
    }

    [Fact]
    public void AFileOfTextOnlyIsTakenToHaveAHeader()
    {
        Assert.True(Detect("name,city\nAnn,Paris\nBob,Rome\n").HasHeader);
    }

    [Fact]
    public void AQuotedHeaderIsAHeader()
    {
        Assert.True(Detect("\"id\",\"amount\"\n1,2.5\n2,3.5\n").HasHeader);
    }
}
