using System.Buffers;

namespace AutoDL.Core.Datasets;

internal enum RecordStatus
{
    /// <summary>A whole record was found; its fields are in the field list.</summary>
    Complete,

    /// <summary>The text ends inside the record and more text may follow.</summary>
    NeedMoreText,

    /// <summary>The text ends inside a quoted value and no more text follows.</summary>
    UnterminatedQuote,

    /// <summary>A NUL character: binary data, not text.</summary>
    NulCharacter,
}

/// <summary>
/// What parsing one record found. <see cref="Consumed"/>: characters up to and including the line break;
/// <see cref="LineBreaks"/>: line breaks in them (the end of the record and those inside quoted values).
/// For an open quote (<see cref="RecordStatus.UnterminatedQuote"/>, or <see cref="RecordStatus.NeedMoreText"/> with
/// <see cref="InsideQuotes"/>): <see cref="Field"/> is the 0-based field it opens and <see cref="LineBreaks"/> counts the
/// line breaks before it. For <see cref="RecordStatus.NulCharacter"/> the same two say where the NUL is.
/// </summary>
internal readonly record struct RecordScan(RecordStatus Status, int Consumed, int LineBreaks, int Field, bool InsideQuotes);

/// <summary>
/// Splits RFC 4180 text into records: fields separated by one delimiter, records ended by CRLF, LF or CR, fields in
/// double quotes may hold delimiters, line breaks and doubled quotes. Lenient where files in the wild are: a quote
/// inside an unquoted field is an ordinary character, and text after a closing quote joins the field.
/// </summary>
internal sealed class CsvRecordParser
{
    private static readonly SearchValues<char> QuotedStops = SearchValues.Create("\"\r\n\0");

    private readonly char _delimiter;
    private readonly SearchValues<char> _unquotedStops;

    public CsvRecordParser(char delimiter)
    {
        _delimiter = delimiter;
        _unquotedStops = SearchValues.Create([delimiter, '\r', '\n', '\0']);
    }

    /// <summary>
    /// Parses the record at the start of <paramref name="text"/> into <paramref name="fields"/> without changing the text;
    /// call <see cref="CsvFieldList.ApplyFixups"/> on a complete record before reading quoted fields.
    /// <paramref name="isFinal"/>: no text follows, so the record ends where the text does.
    /// </summary>
    public RecordScan Parse(ReadOnlySpan<char> text, bool isFinal, CsvFieldList fields)
    {
        fields.Clear();
        var p = 0;
        var lines = 0;
        while (true)
        {
            if (p < text.Length && text[p] == '"')
            {
                var openLines = lines;
                var q = p + 1;
                var escaped = false;
                while (true)
                {
                    var i = text[q..].IndexOfAny(QuotedStops);
                    if (i < 0)
                    {
                        return Open(isFinal, fields.Count, openLines);
                    }

                    q += i;
                    var c = text[q];
                    if (c == '"')
                    {
                        if (q + 1 < text.Length && text[q + 1] == '"')
                        {
                            escaped = true;
                            q += 2;
                            continue;
                        }

                        if (q + 1 >= text.Length && !isFinal)
                        {
                            return Open(isFinal, fields.Count, openLines);
                        }

                        break;
                    }

                    if (c == '\0')
                    {
                        return new RecordScan(RecordStatus.NulCharacter, 0, lines, fields.Count, true);
                    }

                    if (c == '\r' && q + 1 >= text.Length && !isFinal)
                    {
                        return Open(isFinal, fields.Count, openLines);
                    }

                    if (c == '\n' || q + 1 >= text.Length || text[q + 1] != '\n')
                    {
                        lines++;
                    }

                    q++;
                }

                // q is the closing quote.
                var contentStart = p + 1;
                var contentLength = q - contentStart;
                var tailStart = q + 1;
                var tailLength = 0;
                if (tailStart < text.Length && text[tailStart] != _delimiter && text[tailStart] is not '\r' and not '\n')
                {
                    var end = text[tailStart..].IndexOfAny(_unquotedStops);
                    if (end < 0)
                    {
                        if (!isFinal)
                        {
                            return new RecordScan(RecordStatus.NeedMoreText, 0, lines, fields.Count, false);
                        }

                        end = text.Length - tailStart;
                    }
                    else if (text[tailStart + end] == '\0')
                    {
                        return new RecordScan(RecordStatus.NulCharacter, 0, lines, fields.Count, false);
                    }

                    tailLength = end;
                }

                if (escaped || tailLength > 0)
                {
                    fields.AddQuotedWithFixup(contentStart, contentLength, tailLength);
                }
                else
                {
                    fields.Add(contentStart, contentLength);
                }

                p = tailStart + tailLength;
            }
            else
            {
                var i = text[p..].IndexOfAny(_unquotedStops);
                if (i < 0)
                {
                    if (!isFinal)
                    {
                        return new RecordScan(RecordStatus.NeedMoreText, 0, lines, fields.Count, false);
                    }

                    i = text.Length - p;
                }
                else if (text[p + i] == '\0')
                {
                    return new RecordScan(RecordStatus.NulCharacter, 0, lines, fields.Count, false);
                }

                fields.Add(p, i);
                p += i;
            }

            // p is at a delimiter, a line break or the end of the text.
            if (p >= text.Length)
            {
                return isFinal
                    ? new RecordScan(RecordStatus.Complete, p, lines, 0, false)
                    : new RecordScan(RecordStatus.NeedMoreText, 0, lines, fields.Count, false);
            }

            var t = text[p];
            if (t == _delimiter)
            {
                p++;
                continue;
            }

            if (t == '\n')
            {
                return new RecordScan(RecordStatus.Complete, p + 1, lines + 1, 0, false);
            }

            // '\r': CRLF, or a lone CR (old Mac files).
            if (p + 1 < text.Length)
            {
                return new RecordScan(RecordStatus.Complete, text[p + 1] == '\n' ? p + 2 : p + 1, lines + 1, 0, false);
            }

            return isFinal
                ? new RecordScan(RecordStatus.Complete, p + 1, lines + 1, 0, false)
                : new RecordScan(RecordStatus.NeedMoreText, 0, lines, fields.Count, false);
        }
    }

    private static RecordScan Open(bool isFinal, int field, int linesBefore) =>
        new(isFinal ? RecordStatus.UnterminatedQuote : RecordStatus.NeedMoreText, 0, linesBefore, field, true);
}
