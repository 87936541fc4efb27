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

    public static bool IsInteger(ReadOnlySpan<char> value) =>
        long.TryParse(value, IntegerStyle, CultureInfo.InvariantCulture, out _);

    public static bool IsNumber(ReadOnlySpan<char> value) =>
        double.TryParse(value, NumberStyle, CultureInfo.InvariantCulture, out _);

    /// <summary><c>true false yes no 0 1 y n t f</c>, ignoring case.</summary>
    public static bool IsBoolean(ReadOnlySpan<char> value) => value.Length switch
    {
        1 => (value[0] | 0x20) is 'y' or 'n' or 't' or 'f' || value[0] is '0' or '1',
        2 => value.Equals("no", StringComparison.OrdinalIgnoreCase),
        3 => value.Equals("yes", StringComparison.OrdinalIgnoreCase),
        4 => value.Equals("true", StringComparison.OrdinalIgnoreCase),
        5 => value.Equals("false", StringComparison.OrdinalIgnoreCase),
        _ => false,
    };

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
