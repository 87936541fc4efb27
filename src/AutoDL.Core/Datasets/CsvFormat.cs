namespace AutoDL.Core.Datasets;

/// <summary>
/// What the start of a CSV file says about all of it: how its bytes become text, which character separates values,
/// and whether the first row holds column names.
/// </summary>
/// <param name="ByteOrderMarkLength">Bytes of byte-order mark before the text (0, 2 or 3).</param>
/// <param name="Warnings">What was assumed, in words for the user (Latin-1 text, no header row).</param>
public sealed record CsvFormat(
    CsvEncoding Encoding,
    int ByteOrderMarkLength,
    char Delimiter,
    bool HasHeader,
    IReadOnlyList<string> Warnings)
{
    /// <summary>Bytes read from the start of a file to detect its format (up to the first 100 rows of them are used).</summary>
    public const int SniffLength = 64 * 1024;

    /// <summary>The separators tried, in order of preference when the file does not decide between them.</summary>
    public static IReadOnlyList<char> Delimiters { get; } = [',', ';', '\t', '|'];

    /// <summary>The delimiter in words: "comma", "semicolon", "tab", "vertical bar".</summary>
    public string DelimiterName => NameOf(Delimiter);

    /// <summary>
    /// Detects the format from the first bytes of a file (<see cref="SniffLength"/> of them, or all of a shorter file:
    /// <paramref name="isWholeFile"/>). <paramref name="fileName"/> only names the file in messages.
    /// </summary>
    /// <exception cref="DatasetFormatException">The file is empty, binary, or an image, archive or workbook rather than text.</exception>
    public static CsvFormat Detect(ReadOnlySpan<byte> prefix, bool isWholeFile, string fileName) =>
        CsvSniffer.Detect(prefix, isWholeFile, fileName);

    internal static string NameOf(char delimiter) => delimiter switch
    {
        ',' => "comma",
        ';' => "semicolon",
        '\t' => "tab",
        '|' => "vertical bar",
        _ => $"'{delimiter}'",
    };
}
