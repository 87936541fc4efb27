using System.Buffers;
using System.Text;
using System.Text.Unicode;

namespace AutoDL.Core.Datasets;

/// <summary>Detects a <see cref="CsvFormat"/> from the first bytes of a file.</summary>
internal static class CsvSniffer
{
    private const int MaxSniffedRecords = 100;

    /// <summary>Starts of files that are certainly not CSV text, and what to call them.</summary>
    private static readonly (byte[] Signature, string What, string Advice)[] Signatures =
    [
        ([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], "a PNG image", "Images are uploaded as a .zip of folders, one folder per class."),
        ([0xFF, 0xD8, 0xFF], "a JPEG image", "Images are uploaded as a .zip of folders, one folder per class."),
        ("GIF87a"u8.ToArray(), "a GIF image", "Images are uploaded as a .zip of folders, one folder per class."),
        ("GIF89a"u8.ToArray(), "a GIF image", "Images are uploaded as a .zip of folders, one folder per class."),
        ([0x50, 0x4B, 0x03, 0x04], "a ZIP archive (an Excel .xlsx workbook is one too)", "Save a workbook as CSV first; a .zip of image folders is uploaded as an image dataset."),
        ([0x50, 0x4B, 0x05, 0x06], "an empty ZIP archive", "Upload the CSV file itself."),
        ([0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1], "an Excel 97-2003 (.xls) workbook or another Office document", "Save it as CSV first."),
        ([0x1F, 0x8B], "a gzip-compressed file", "Decompress it first."),
        ([0x37, 0x7A, 0xBC, 0xAF, 0x27, 0x1C], "a 7-Zip archive", "Extract the CSV file first."),
        ("%PDF-"u8.ToArray(), "a PDF document", "Export the table as CSV first."),
    ];

    public static CsvFormat Detect(ReadOnlySpan<byte> prefix, bool isWholeFile, string fileName)
    {
        var (encoding, byteOrderMark) = ByteOrderMark(prefix);
        if (byteOrderMark == 0)
        {
            RefuseBinary(prefix, fileName);
        }

        var body = prefix[byteOrderMark..];
        var warnings = new List<string>();
        var buffer = ArrayPool<char>.Shared.Rent(Math.Max(body.Length, 1));
        try
        {
            var length = Decode(body, isWholeFile, buffer, ref encoding);
            if (encoding == CsvEncoding.Latin1)
            {
                warnings.Add("The file is not valid UTF-8 text, so it was read as Latin-1 (Western European). If accented letters look wrong, save the file as UTF-8 and upload it again.");
            }

            var text = buffer.AsMemory(0, length);
            if (isWholeFile && text.Span.IsWhiteSpace())
            {
                throw new DatasetFormatException(fileName, new DatasetProblem(byteOrderMark > 0 || body.Length > 0
                    ? "The file is empty: it holds no text besides spaces and line breaks."
                    : "The file is empty."));
            }

            var delimiter = ChooseDelimiter(text, isWholeFile);
            var rows = Rows(text, isWholeFile, delimiter);
            var hasHeader = rows.Count == 0 || LooksLikeHeader(rows);
            if (!hasHeader)
            {
                warnings.Add(rows[0].Length > 1
                    ? $"The first row holds data rather than column names, so the columns are called column1 to column{rows[0].Length}."
                    : "The first row holds data rather than column names, so the column is called column1.");
            }

            return new CsvFormat(encoding, byteOrderMark, delimiter, hasHeader, warnings);
        }
        finally
        {
            ArrayPool<char>.Shared.Return(buffer);
        }
    }

    private static (CsvEncoding Encoding, int Length) ByteOrderMark(ReadOnlySpan<byte> prefix) => prefix switch
    {
        [0xEF, 0xBB, 0xBF, ..] => (CsvEncoding.Utf8, 3),
        [0xFF, 0xFE, ..] => (CsvEncoding.Utf16LittleEndian, 2),
        [0xFE, 0xFF, ..] => (CsvEncoding.Utf16BigEndian, 2),
        _ => (CsvEncoding.Utf8, 0),
    };

    private static void RefuseBinary(ReadOnlySpan<byte> prefix, string fileName)
    {
        foreach (var (signature, what, advice) in Signatures)
        {
            if (prefix.StartsWith(signature))
            {
                throw new DatasetFormatException(fileName, new DatasetProblem($"The file is {what}, not a CSV text file. {advice}"));
            }
        }

        var nul = prefix.IndexOf((byte)0);
        if (nul >= 0)
        {
            var line = prefix[..nul].Count((byte)'\n') + 1;
            throw new DatasetFormatException(fileName, new DatasetProblem(
                $"The file contains binary data (a NUL byte on line {line}), so it is not a CSV text file. If it is text saved as UTF-16 without a byte-order mark, save it again as UTF-8.",
                Line: line));
        }
    }

    /// <summary>Decodes the prefix; invalid UTF-8 switches <paramref name="encoding"/> to Latin-1.</summary>
    private static int Decode(ReadOnlySpan<byte> body, bool isWholeFile, Span<char> chars, ref CsvEncoding encoding)
    {
        switch (encoding)
        {
            case CsvEncoding.Utf8:
                var status = Utf8.ToUtf16(body, chars, out _, out var written, replaceInvalidSequences: false, isFinalBlock: isWholeFile);
                if (status != System.Buffers.OperationStatus.InvalidData)
                {
                    return written;
                }

                encoding = CsvEncoding.Latin1;
                return Encoding.Latin1.GetChars(body, chars);
            case CsvEncoding.Utf16LittleEndian:
                return Encoding.Unicode.GetChars(body[..(body.Length & ~1)], chars);
            default:
                return Encoding.BigEndianUnicode.GetChars(body[..(body.Length & ~1)], chars);
        }
    }

    /// <summary>
    /// The delimiter that splits the sniffed rows into the same number of values (more than one) most often; among
    /// equally consistent ones the one giving more columns, then the earlier in <see cref="CsvFormat.Delimiters"/>.
    /// </summary>
    private static char ChooseDelimiter(Memory<char> text, bool isWholeFile)
    {
        var best = (Delimiter: CsvFormat.Delimiters[0], Several: false, Consistency: 0.0, Columns: 0);
        var fields = new CsvFieldList();
        foreach (var delimiter in CsvFormat.Delimiters)
        {
            var parser = new CsvRecordParser(delimiter);
            var counts = new List<int>();
            foreach (var _ in Records(text, isWholeFile, parser, fields))
            {
                counts.Add(fields.Count);
            }

            if (counts.Count == 0)
            {
                continue;
            }

            var columns = counts.GroupBy(c => c).OrderByDescending(g => g.Count()).ThenByDescending(g => g.Key).First().Key;
            var consistency = counts.Count(c => c == columns) / (double)counts.Count;
            var several = columns > 1;
            var better = (several && !best.Several)
                || (several == best.Several && (consistency > best.Consistency || (consistency == best.Consistency && columns > best.Columns)));
            if (better)
            {
                best = (delimiter, several, consistency, columns);
            }
        }

        return best.Delimiter;
    }

    /// <summary>The sniffed rows' values, quotes removed.</summary>
    private static List<string[]> Rows(Memory<char> text, bool isWholeFile, char delimiter)
    {
        var rows = new List<string[]>();
        var fields = new CsvFieldList();
        foreach (var (start, length) in Records(text, isWholeFile, new CsvRecordParser(delimiter), fields))
        {
            var record = text.Span.Slice(start, length);
            fields.ApplyFixups(record);
            var values = new string[fields.Count];
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = fields.Field(record, i).ToString();
            }

            rows.Add(values);
        }

        return rows;
    }

    /// <summary>
    /// The first complete, non-blank records of the text (where each starts and how long it is); the fields of the
    /// current one are in <paramref name="fields"/>. A record that reaches the end of a cut-off prefix may be cut
    /// itself, so it is left out unless it is the only one.
    /// </summary>
    private static IEnumerable<(int Start, int Length)> Records(Memory<char> text, bool isWholeFile, CsvRecordParser parser, CsvFieldList fields)
    {
        var position = 0;
        var found = 0;
        while (found < MaxSniffedRecords && position < text.Length)
        {
            var scan = parser.Parse(text.Span[position..], isFinal: true, fields);
            if (scan.Status != RecordStatus.Complete)
            {
                yield break;
            }

            var start = position;
            position += scan.Consumed;
            if (fields.Count == 1 && fields.Field(text.Span[start..], 0).IsWhiteSpace())
            {
                continue;
            }

            if (!isWholeFile && position >= text.Length && found > 0)
            {
                yield break;
            }

            found++;
            yield return (start, scan.Consumed);
        }
    }

    /// <summary>
    /// Whether the first row names the columns. No, when every value in it is a number or a date. Otherwise each
    /// column whose other sniffed values are all numbers, all dates or all booleans votes: a first value of another
    /// kind says "header", one of the same kind says "data". Text columns do not vote; a tie means a header, which is
    /// what most files have.
    /// </summary>
    private static bool LooksLikeHeader(List<string[]> rows)
    {
        var first = rows[0];
        if (first.All(v => v.Trim() is var t && !ValueSyntax.IsMissing(t) && (ValueSyntax.IsNumber(t) || ValueSyntax.IsDateTime(t))))
        {
            return false;
        }

        var votes = 0;
        for (var column = 0; column < first.Length; column++)
        {
            var head = first[column].Trim();
            if (ValueSyntax.IsMissing(head))
            {
                continue;
            }

            var values = rows.Skip(1)
                .Where(row => column < row.Length)
                .Select(row => row[column].Trim())
                .Where(value => !ValueSyntax.IsMissing(value))
                .ToList();
            if (values.Count == 0)
            {
                continue;
            }

            Func<string, bool>? kind =
                values.All(v => ValueSyntax.IsNumber(v)) ? v => ValueSyntax.IsNumber(v)
                : values.All(v => ValueSyntax.IsDateTime(v)) ? v => ValueSyntax.IsDateTime(v)
                : values.All(v => ValueSyntax.IsBoolean(v)) ? v => ValueSyntax.IsBoolean(v)
                : null;
            if (kind is not null)
            {
                votes += kind(head) ? -1 : 1;
            }
        }

        return votes >= 0;
    }
}
