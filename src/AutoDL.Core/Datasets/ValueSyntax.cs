using System.Globalization;

namespace AutoDL.Core.Datasets;

/// <summary>
/// How a single CSV value is read: missing markers, numbers, booleans and dates. Every check works on a span that is
/// already trimmed, allocates nothing and uses the invariant culture (a dot before decimals, no thousands separators).
/// </summary>
internal static class ValueSyntax
{
    private const NumberStyles IntegerStyle = NumberStyles.AllowLeadingSign;
    private const NumberStyles NumberStyle = NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent;

    /// <summary>The ISO-like layouts a datetime column may use; one column may mix them.</summary>
    internal static readonly string[] DateTimeFormats =
    [
        "yyyy-MM-dd",
        "yyyy-MM-dd'T'HH:mm",
        "yyyy-MM-dd'T'HH:mm:ss",
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF",
        "yyyy-MM-dd'T'HH:mmK",
        "yyyy-MM-dd'T'HH:mm:ssK",
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK",
        "yyyy-MM-dd HH:mm",
        "yyyy-MM-dd HH:mm:ss",
        "yyyy-MM-dd HH:mm:ss.FFFFFFF",
        "yyyy-MM-dd HH:mm:ssK",
        "yyyy/MM/dd",
        "yyyy/MM/dd HH:mm",
        "yyyy/MM/dd HH:mm:ss",
    ];

    /// <summary>Empty, <c>NA</c>, <c>N/A</c>, <c>#N/A</c>, <c>null</c>, <c>NaN</c> or <c>?</c>, ignoring case.</summary>
    public static bool IsMissing(ReadOnlySpan<char> value) => value.Length switch
    {
        0 => true,
        1 => value[0] == '?',
        2 => value.Equals("NA", StringComparison.OrdinalIgnoreCase),
        3 => value.Equals("N/A", StringComparison.OrdinalIgnoreCase) || value.Equals("NaN", StringComparison.OrdinalIgnoreCase),
        4 => value.Equals("null", StringComparison.OrdinalIgnoreCase) || value.Equals("#N/A", StringComparison.OrdinalIgnoreCase),
        _ => false,
    };

    public static bool IsInteger(ReadOnlySpan<char> value) => TryParseInteger(value, out _);

    public static bool IsNumber(ReadOnlySpan<char> value) => TryParseNumber(value, out _);

    /// <summary>
    /// A whole number with an optional sign, as <see cref="long.TryParse(ReadOnlySpan{char}, NumberStyles, IFormatProvider, out long)"/>
    /// reads it with a leading sign allowed; up to 18 digits are read here without it, at a fraction of its cost.
    /// </summary>
    public static bool TryParseInteger(ReadOnlySpan<char> value, out long result)
    {
        var negative = false;
        var digits = value;
        if (digits.Length > 0 && digits[0] is '-' or '+')
        {
            negative = digits[0] == '-';
            digits = digits[1..];
        }

        if (digits.Length is > 0 and <= 18)
        {
            long magnitude = 0;
            foreach (var c in digits)
            {
                var digit = (uint)(c - '0');
                if (digit > 9)
                {
                    result = 0;
                    return false;
                }

                magnitude = magnitude * 10 + digit;
            }

            result = negative ? -magnitude : magnitude;
            return true;
        }

        return long.TryParse(value, IntegerStyle, CultureInfo.InvariantCulture, out result);
    }

    /// <summary>
    /// A number with an optional sign, decimals and exponent, as <see cref="double.TryParse(ReadOnlySpan{char}, NumberStyles, IFormatProvider, out double)"/>
    /// reads it. Plain decimals of at most 15 significant digits (<c>-123.4567</c>) take a fast path that gives the same,
    /// correctly rounded, double: the digits as an exact integer divided by an exact power of ten.
    /// </summary>
    public static bool TryParseNumber(ReadOnlySpan<char> value, out double result)
    {
        var negative = false;
        var p = 0;
        if (value.Length > 0 && value[0] is '-' or '+')
        {
            negative = value[0] == '-';
            p = 1;
        }

        long mantissa = 0;
        var digits = 0;
        var decimals = 0;
        var point = false;
        var sawDigit = false;
        for (; p < value.Length; p++)
        {
            var c = value[p];
            var digit = (uint)(c - '0');
            if (digit <= 9)
            {
                sawDigit = true;
                if (digits == 0 && digit == 0)
                {
                    // Leading zeros are not significant.
                    if (point)
                    {
                        decimals++;
                    }

                    continue;
                }

                if (++digits > 15)
                {
                    return SlowParse(value, out result);
                }

                mantissa = mantissa * 10 + digit;
                if (point)
                {
                    decimals++;
                }
            }
            else if (c == '.' && !point)
            {
                point = true;
            }
            else
            {
                return SlowParse(value, out result);
            }
        }

        if (!sawDigit || decimals > 22)
        {
            return SlowParse(value, out result);
        }

        var magnitude = mantissa / PowersOfTen[decimals];
        result = negative ? -magnitude : magnitude;
        return true;
    }

    private static readonly double[] PowersOfTen =
    [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ];

    private static bool SlowParse(ReadOnlySpan<char> value, out double result) =>
        double.TryParse(value, NumberStyle, CultureInfo.InvariantCulture, out result);

    /// <summary><c>true false yes no 0 1 y n t f</c>, ignoring case.</summary>
    public static bool IsBoolean(ReadOnlySpan<char> value) => TryParseBoolean(value, out _);

    /// <summary><c>true yes 1 y t</c> read true, <c>false no 0 n f</c> false, ignoring case.</summary>
    public static bool TryParseBoolean(ReadOnlySpan<char> value, out bool result)
    {
        switch (value.Length)
        {
            case 1:
                var c = value[0];
                result = (c | 0x20) is 'y' or 't' || c == '1';
                return result || (c | 0x20) is 'n' or 'f' || c == '0';
            case 2:
                result = false;
                return value.Equals("no", StringComparison.OrdinalIgnoreCase);
            case 3:
                result = true;
                return value.Equals("yes", StringComparison.OrdinalIgnoreCase);
            case 4:
                result = true;
                return value.Equals("true", StringComparison.OrdinalIgnoreCase);
            case 5:
                result = false;
                return value.Equals("false", StringComparison.OrdinalIgnoreCase);
            default:
                result = false;
                return false;
        }
    }

    /// <summary>
    /// Whether the value is a date or date and time in one of <see cref="DateTimeFormats"/>. <paramref name="lastFormat"/>
    /// remembers which layout matched last (-1: none yet) and is tried first, since a column keeps to one layout.
    /// </summary>
    public static bool IsDateTime(ReadOnlySpan<char> value, ref int lastFormat)
    {
        if (!LooksLikeIsoDate(value))
        {
            return false;
        }

        if (value.Length == 10)
        {
            return IsCalendarDate(value);
        }

        if (value.Length == 19 && value[10] is 'T' or ' ' && value[4] == '-' && IsCalendarDate(value[..10]) && IsTimeOfDay(value[11..]))
        {
            return true;
        }

        if (lastFormat >= 0 && TryParseDateTime(value, DateTimeFormats[lastFormat]))
        {
            return true;
        }

        for (var i = 0; i < DateTimeFormats.Length; i++)
        {
            if (i != lastFormat && TryParseDateTime(value, DateTimeFormats[i]))
            {
                lastFormat = i;
                return true;
            }
        }

        return false;
    }

    public static bool IsDateTime(ReadOnlySpan<char> value)
    {
        var lastFormat = -1;
        return IsDateTime(value, ref lastFormat);
    }

    private static bool TryParseDateTime(ReadOnlySpan<char> value, string format) =>
        DateTime.TryParseExact(value, format, CultureInfo.InvariantCulture, DateTimeStyles.None, out _);

    /// <summary>
    /// <c>yyyy-MM-dd</c> or <c>yyyy/MM/dd</c> (the caller checked the digits' places and the separators) naming a real day,
    /// as <see cref="DateTime.TryParseExact(ReadOnlySpan{char}, string, IFormatProvider, DateTimeStyles, out DateTime)"/>
    /// would decide, at a tenth of its cost.
    /// </summary>
    private static bool IsCalendarDate(ReadOnlySpan<char> date)
    {
        if (!char.IsAsciiDigit(date[8]) || !char.IsAsciiDigit(date[9]))
        {
            return false;
        }

        var year = Digits(date[..4]);
        var month = Digits(date.Slice(5, 2));
        var day = Digits(date.Slice(8, 2));
        return year >= 1 && month is >= 1 and <= 12 && day >= 1 && day <= DateTime.DaysInMonth(year, month);
    }

    /// <summary><c>HH:mm:ss</c> on a 24-hour clock.</summary>
    private static bool IsTimeOfDay(ReadOnlySpan<char> time) =>
        time[2] == ':' && time[5] == ':'
        && char.IsAsciiDigit(time[0]) && char.IsAsciiDigit(time[1]) && char.IsAsciiDigit(time[3])
        && char.IsAsciiDigit(time[4]) && char.IsAsciiDigit(time[6]) && char.IsAsciiDigit(time[7])
        && Digits(time[..2]) <= 23 && Digits(time.Slice(3, 2)) <= 59 && Digits(time.Slice(6, 2)) <= 59;

    private static int Digits(ReadOnlySpan<char> digits)
    {
        var value = 0;
        foreach (var digit in digits)
        {
            value = value * 10 + digit - '0';
        }

        return value;
    }

    /// <summary>A cheap first look (<c>dddd-dd-</c> or <c>dddd/dd/</c>) that keeps non-dates away from the parser.</summary>
    private static bool LooksLikeIsoDate(ReadOnlySpan<char> value) =>
        value.Length >= 10
        && char.IsAsciiDigit(value[0]) && char.IsAsciiDigit(value[1]) && char.IsAsciiDigit(value[2]) && char.IsAsciiDigit(value[3])
        && value[4] is '-' or '/'
        && char.IsAsciiDigit(value[5]) && char.IsAsciiDigit(value[6])
        && value[7] == value[4];
}
