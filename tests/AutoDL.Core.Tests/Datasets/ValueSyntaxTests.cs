using System.Globalization;
using AutoDL.Core.Datasets;

namespace AutoDL.Core.Tests.Datasets;

public sealed class ValueSyntaxTests
{
    [Theory]
    [InlineData("0")]
    [InlineData("-0")]
    [InlineData("+12.5")]
    [InlineData("123.4567")]
    [InlineData(".5")]
    [InlineData("5.")]
    [InlineData("-0.000123456789012345")]
    [InlineData("0.1")]
    [InlineData("999999999999999")]
    [InlineData("9999999999999999")]
    [InlineData("12345678901234567890.5")]
    [InlineData("1e5")]
    [InlineData("-2.5E-3")]
    [InlineData("007.50")]
    [InlineData(".")]
    [InlineData("-")]
    [InlineData("1.2.3")]
    [InlineData("1,5")]
    [InlineData("")]
    [InlineData("abc")]
    public void NumbersParseExactlyAsDoubleParseDoes(string text)
    {
        var expected = double.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out var value);

        Assert.Equal(expected, ValueSyntax.TryParseNumber(text, out var parsed));
        if (expected)
        {
            Assert.Equal(BitConverter.DoubleToInt64Bits(value), BitConverter.DoubleToInt64Bits(parsed));
        }
    }

    [Fact]
    public void RandomDecimalsParseToTheSameDoubleAsDoubleParse()
    {
        var random = new Random(1);
        for (var i = 0; i < 100_000; i++)
        {
            var digits = random.Next(1, 16);
            var text = (random.NextDouble() * Math.Pow(10, random.Next(-5, 10))).ToString("F" + random.Next(0, digits), CultureInfo.InvariantCulture);

            Assert.True(ValueSyntax.TryParseNumber(text, out var parsed));
            Assert.Equal(double.Parse(text, CultureInfo.InvariantCulture), parsed);
        }
    }

    [Theory]
    [InlineData("0", true, 0L)]
    [InlineData("+42", true, 42L)]
    [InlineData("-007", true, -7L)]
    [InlineData("9223372036854775807", true, long.MaxValue)]
    [InlineData("9223372036854775808", false, 0L)]
    [InlineData("1.0", false, 0L)]
    [InlineData("+", false, 0L)]
    public void IntegersParseAsLongParseDoes(string text, bool valid, long expected)
    {
        Assert.Equal(valid, ValueSyntax.TryParseInteger(text, out var value));
        Assert.Equal(expected, value);
    }
}
