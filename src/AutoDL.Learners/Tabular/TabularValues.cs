using System.Globalization;

namespace AutoDL.Learners.Tabular;

/// <summary>How cell text becomes a value, the same way when a table is loaded and when a row is predicted.</summary>
internal static class TabularValues
{
    /// <summary>Cell texts that mean "no value" (compared trimmed and ignoring case), besides the empty cell.</summary>
    public static readonly IReadOnlySet<string> MissingMarkers = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "NA", "N/A", "NaN", "null", "None", "?", "#N/A",
    };

    private static readonly IReadOnlySet<string> TrueWords = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "true", "t", "yes", "y", "1", "on",
    };

    private static readonly IReadOnlySet<string> FalseWords = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "false", "f", "no", "n", "0", "off",
    };

    public static bool IsMissing(string? text) => string.IsNullOrWhiteSpace(text) || MissingMarkers.Contains(text.Trim());

    /// <summary>
    /// A text cell as the featurizer sees it: trimmed, empty when missing, and for Boolean columns the canonical
    /// <c>true</c>/<c>false</c> for the usual spellings (yes/no, 1/0, t/f, on/off).
    /// </summary>
    public static string NormalizeText(TabularColumnKind kind, string? text)
    {
        if (IsMissing(text))
        {
            return string.Empty;
        }

        var trimmed = text!.Trim();
        if (kind == TabularColumnKind.Boolean)
        {
            return TrueWords.Contains(trimmed) ? "true" : FalseWords.Contains(trimmed) ? "false" : trimmed;
        }

        return trimmed;
    }

    /// <summary>Whether <paramref name="text"/> reads as "true" (for picking the positive class of a binary target).</summary>
    public static bool IsTrueWord(string text) => TrueWords.Contains(text.Trim());

    public static bool TryParseNumber(string text, out float value)
    {
        if (IsMissing(text))
        {
            value = float.NaN;
            return true;
        }

        if (double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
        {
            value = (float)number;
            return true;
        }

        value = float.NaN;
        return false;
    }

    /// <summary>Whether a column of this kind is read as a number (the others are read as text).</summary>
    public static bool IsNumeric(TabularColumnKind kind) => kind is TabularColumnKind.Numeric or TabularColumnKind.Integer;

    /// <summary>Whether a column of this kind is a feature at all (identifiers and constants are not).</summary>
    public static bool IsFeature(TabularColumnKind kind) => kind is not (TabularColumnKind.Identifier or TabularColumnKind.Constant);
}
