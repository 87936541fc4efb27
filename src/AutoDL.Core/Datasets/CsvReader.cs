using System.Buffers;
using System.Text;
using System.Text.Unicode;
using static System.FormattableString;

namespace AutoDL.Core.Datasets;

/// <summary>
/// Reads a CSV file from a stream in one pass, front to back, never holding more than a buffer of it: the first
/// <see cref="CsvFormat.SniffLength"/> bytes are read once to detect the <see cref="CsvFormat"/> and are then parsed from
/// memory, so the stream need not seek. Rows come one at a time as <see cref="Current"/>, their values spans over a
/// pooled buffer. Rows with the wrong number of values are skipped and reported together at the end, as one
/// <see cref="DatasetFormatException"/> listing the first ten; an unclosed quote or binary data stops reading at once.
/// The reader does not dispose the stream.
/// </summary>
public sealed class CsvReader : IDisposable
{
    /// <summary>Longest row (in characters) the reader accepts; longer almost always means an unclosed quote.</summary>
    public const int MaxRowLength = 4 * 1024 * 1024;

    private const int MinFreeChars = 4096;
    private const int InitialChars = 128 * 1024;
    private const int ReportedRows = 10;

    private readonly Stream _stream;
    private readonly CsvRecordParser _parser;
    private readonly CsvFieldList _fields = new();
    private readonly List<string> _warnings;
    private readonly List<(DatasetProblem Problem, int Count)> _wrongRows = [];
    private readonly Decoder? _utf16;

    private byte[]? _bytes;
    private int _byteStart;
    private int _byteEnd;
    private bool _streamEnded;

    private char[]? _chars;
    private int _charStart;
    private int _charEnd;
    private bool _textEnded;

    private CsvEncoding _decoding;

    private string[] _columnNames = [];
    private bool _headerDone;
    private bool _firstRowPending;
    private int _recordStart;
    private long _recordLine;
    private long _nextLine = 1;
    private long _rowNumber;
    private long _wrongRowCount;

    private CsvReader(Stream stream, string fileName, CsvFormat format, byte[] bytes, int length, bool streamEnded)
    {
        _stream = stream;
        FileName = fileName;
        Format = format;
        _parser = new CsvRecordParser(format.Delimiter);
        _warnings = [.. format.Warnings];
        _bytes = bytes;
        _byteStart = format.ByteOrderMarkLength;
        _byteEnd = length;
        _streamEnded = streamEnded;
        _chars = ArrayPool<char>.Shared.Rent(InitialChars);
        _decoding = format.Encoding;
        _utf16 = format.Encoding switch
        {
            CsvEncoding.Utf16LittleEndian => new UnicodeEncoding(bigEndian: false, byteOrderMark: false).GetDecoder(),
            CsvEncoding.Utf16BigEndian => new UnicodeEncoding(bigEndian: true, byteOrderMark: false).GetDecoder(),
            _ => null,
        };
    }

    /// <summary>The file's name as the user gave it; messages name it.</summary>
    public string FileName { get; }

    public CsvFormat Format { get; }

    /// <summary>One name per column: from the header row (trimmed, empty and repeated names renamed) or <c>column1</c>...</summary>
    public IReadOnlyList<string> ColumnNames => _columnNames;

    /// <summary>The format's warnings, renamed columns, and a switch to Latin-1 part way through the file.</summary>
    public IReadOnlyList<string> Warnings => _warnings;

    /// <summary>Rows returned by <see cref="ReadAsync"/> so far.</summary>
    public long RowsRead { get; private set; }

    /// <summary>The row <see cref="ReadAsync"/> last moved to; valid until the next call.</summary>
    public CsvRow Current => new(_chars.AsSpan(_recordStart), _fields, _rowNumber, _recordLine);

    /// <summary>
    /// Reads the start of <paramref name="stream"/>, detects its format and reads the column names row (or, without
    /// one, looks at the first row to count the columns).
    /// </summary>
    /// <exception cref="DatasetFormatException">The file is empty, binary, not text, or its first row cannot be read.</exception>
    public static async Task<CsvReader> OpenAsync(Stream stream, string fileName, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentException.ThrowIfNullOrEmpty(fileName);

        byte[]? bytes = ArrayPool<byte>.Shared.Rent(CsvFormat.SniffLength);
        try
        {
            var length = 0;
            var ended = false;
            while (length < CsvFormat.SniffLength)
            {
                var read = await stream.ReadAsync(bytes.AsMemory(length, CsvFormat.SniffLength - length), cancellationToken);
                if (read == 0)
                {
                    ended = true;
                    break;
                }

                length += read;
            }

            var format = CsvFormat.Detect(bytes.AsSpan(0, length), ended, fileName);
            var reader = new CsvReader(stream, fileName, format, bytes, length, ended);
            bytes = null;
            try
            {
                await reader.ReadColumnNamesAsync(cancellationToken);
                return reader;
            }
            catch
            {
                reader.Dispose();
                throw;
            }
        }
        finally
        {
            if (bytes is not null)
            {
                ArrayPool<byte>.Shared.Return(bytes);
            }
        }
    }

    /// <summary>
    /// Moves to the next data row; false at the end of the file. Completes synchronously while the buffer holds the
    /// next row, so a caller can read millions of rows without an allocation per row.
    /// </summary>
    /// <exception cref="DatasetFormatException">
    /// At the end: rows had the wrong number of values (all counted, the first ten named). At once: a quote is never
    /// closed, a row is longer than <see cref="MaxRowLength"/>, or the file holds binary data.
    /// </exception>
    public ValueTask<bool> ReadAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_chars is null, this);
        if (_firstRowPending)
        {
            _firstRowPending = false;
            RowsRead++;
            return ValueTask.FromResult(true);
        }

        return NextRow() switch
        {
            Step.Row => ValueTask.FromResult(true),
            Step.End => ValueTask.FromResult(false),
            _ => ReadAfterFillAsync(cancellationToken),
        };
    }

    public void Dispose()
    {
        if (_bytes is not null)
        {
            ArrayPool<byte>.Shared.Return(_bytes);
            _bytes = null;
        }

        if (_chars is not null)
        {
            ArrayPool<char>.Shared.Return(_chars);
            _chars = null;
        }
    }

    private enum Step
    {
        Row,
        End,
        NeedMoreText,
    }

    private async ValueTask<bool> ReadAfterFillAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            await FillAsync(cancellationToken);
            var step = NextRow();
            if (step != Step.NeedMoreText)
            {
                return step == Step.Row;
            }
        }
    }

    private async Task ReadColumnNamesAsync(CancellationToken cancellationToken)
    {
        Step step;
        while ((step = NextRecord()) == Step.NeedMoreText)
        {
            await FillAsync(cancellationToken);
        }

        if (step == Step.End)
        {
            throw new DatasetFormatException(FileName, new DatasetProblem("The file is empty: it holds no text besides spaces and line breaks."));
        }

        if (Format.HasHeader)
        {
            var record = _chars.AsSpan(_recordStart);
            var header = new string[_fields.Count];
            for (var i = 0; i < header.Length; i++)
            {
                header[i] = _fields.Field(record, i).ToString();
            }

            _columnNames = ColumnNaming.FromHeader(header, _warnings);
        }
        else
        {
            _columnNames = ColumnNaming.Generated(_fields.Count);
            _rowNumber = 1;
            _firstRowPending = true;
        }

        _headerDone = true;
    }

    /// <summary>The next data row with the right number of values, noting the others.</summary>
    private Step NextRow()
    {
        while (true)
        {
            var step = NextRecord();
            if (step == Step.Row)
            {
                _rowNumber++;
                if (_fields.Count == _columnNames.Length)
                {
                    RowsRead++;
                    return step;
                }

                NoteWrongCount();
                continue;
            }

            if (step == Step.End && _wrongRowCount > 0)
            {
                throw WrongCountError();
            }

            return step;
        }
    }

    /// <summary>The next non-blank record in the buffer, its quotes resolved.</summary>
    private Step NextRecord()
    {
        while (true)
        {
            if (_charStart == _charEnd)
            {
                return _textEnded ? Step.End : Step.NeedMoreText;
            }

            var text = _chars.AsSpan(_charStart, _charEnd - _charStart);
            var scan = _parser.Parse(text, _textEnded, _fields);
            switch (scan.Status)
            {
                case RecordStatus.Complete:
                    var line = _nextLine;
                    _nextLine += scan.LineBreaks;
                    var start = _charStart;
                    _charStart += scan.Consumed;
                    if (_fields.Count == 1 && _fields.Field(text, 0).IsWhiteSpace())
                    {
                        continue;
                    }

                    _fields.ApplyFixups(text[..scan.Consumed]);
                    _recordStart = start;
                    _recordLine = line;
                    return Step.Row;
                case RecordStatus.NeedMoreText:
                    if (text.Length >= MaxRowLength)
                    {
                        throw TooLongError(scan);
                    }

                    return Step.NeedMoreText;
                case RecordStatus.UnterminatedQuote:
                    throw UnclosedQuoteError(scan);
                default:
                    throw BinaryError(scan);
            }
        }
    }

    /// <summary>Makes room in the character buffer and decodes more of the file into it.</summary>
    private async ValueTask FillAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var chars = _chars!;
        if (_charStart > 0)
        {
            chars.AsSpan(_charStart, _charEnd - _charStart).CopyTo(chars);
            _charEnd -= _charStart;
            _charStart = 0;
        }

        if (chars.Length - _charEnd < MinFreeChars)
        {
            var larger = ArrayPool<char>.Shared.Rent(chars.Length * 2);
            chars.AsSpan(0, _charEnd).CopyTo(larger);
            ArrayPool<char>.Shared.Return(chars);
            _chars = larger;
        }

        while (true)
        {
            if (_byteStart < _byteEnd || _streamEnded)
            {
                var before = _charEnd;
                Decode();
                if (_charEnd > before || _textEnded)
                {
                    return;
                }
            }

            var bytes = _bytes!;
            if (_byteStart > 0)
            {
                bytes.AsSpan(_byteStart, _byteEnd - _byteStart).CopyTo(bytes);
                _byteEnd -= _byteStart;
                _byteStart = 0;
            }

            var read = await _stream.ReadAsync(bytes.AsMemory(_byteEnd), cancellationToken);
            if (read == 0)
            {
                _streamEnded = true;
            }

            _byteEnd += read;
        }
    }

    private void Decode()
    {
        var source = _bytes.AsSpan(_byteStart, _byteEnd - _byteStart);
        var target = _chars.AsSpan(_charEnd);
        var completed = true;
        switch (_decoding)
        {
            case CsvEncoding.Utf8:
                var status = Utf8.ToUtf16(source, target, out var read, out var written, replaceInvalidSequences: false, isFinalBlock: _streamEnded);
                _byteStart += read;
                _charEnd += written;
                if (status == OperationStatus.InvalidData)
                {
                    SwitchToLatin1();
                    Decode();
                    return;
                }

                break;
            case CsvEncoding.Latin1:
                var count = Math.Min(source.Length, target.Length);
                Encoding.Latin1.GetChars(source[..count], target);
                _byteStart += count;
                _charEnd += count;
                break;
            default:
                _utf16!.Convert(source, target, _streamEnded, out var used, out var produced, out completed);
                _byteStart += used;
                _charEnd += produced;
                break;
        }

        _textEnded = _streamEnded && _byteStart == _byteEnd && completed;
    }

    /// <summary>
    /// The file was valid UTF-8 up to here (checked on its first bytes) but is not from here on: the rest is read as
    /// Latin-1, where every byte is a character, and a warning says from which line.
    /// </summary>
    private void SwitchToLatin1()
    {
        var line = _nextLine + _chars.AsSpan(_charStart, _charEnd - _charStart).Count('\n');
        _decoding = CsvEncoding.Latin1;
        _warnings.Add($"The file is not valid UTF-8 text from line {line} on, so that part was read as Latin-1 (Western European). If accented letters look wrong, save the file as UTF-8 and upload it again.");
    }

    private void NoteWrongCount()
    {
        _wrongRowCount++;
        if (_wrongRows.Count < ReportedRows)
        {
            _wrongRows.Add((new DatasetProblem(
                $"Row {_rowNumber} (line {_recordLine}) has {_fields.Count} {(_fields.Count == 1 ? "value" : "values")} instead of {_columnNames.Length}.",
                _rowNumber,
                _recordLine), _fields.Count));
        }
    }

    private DatasetFormatException WrongCountError()
    {
        var expected = _columnNames.Length;
        var against = Format.HasHeader ? "the column names row" : "the first row";
        var rows = _wrongRowCount == 1 ? "1 row does not" : Invariant($"{_wrongRowCount:N0} rows do not");
        var listed = string.Join(", ", _wrongRows.Select(r => $"row {r.Problem.Row} (line {r.Problem.Line}) has {r.Count}"));
        var firstTen = _wrongRowCount > ReportedRows ? Invariant($" (the first {ReportedRows} of {_wrongRowCount:N0})") : "";
        var delimiter = Format.Delimiter == '\t' ? "tab" : $"{Format.DelimiterName} ({Format.Delimiter})";
        var summary = $"{rows} have {expected} values like {against}: {listed}{firstTen}. "
            + $"Values are separated by a {delimiter}; a value that contains one must be in double quotes.";
        return new DatasetFormatException(FileName, summary, _wrongRows.Select(r => r.Problem).ToList());
    }

    private DatasetFormatException UnclosedQuoteError(RecordScan scan)
    {
        var line = _nextLine + scan.LineBreaks;
        var column = ColumnName(scan.Field);
        var message = $"The double quote (\") that opens a value in {RowBeingRead()}, column '{column}', on line {line} is never closed, "
            + "so the rest of the file would be read as one value. Add the closing quote; a quote inside a quoted value is written twice (\"\").";
        return Error(message, line, column);
    }

    private DatasetFormatException TooLongError(RecordScan scan)
    {
        var start = _nextLine;
        var message = scan.InsideQuotes
            ? Invariant($"{Capitalised(RowBeingRead())}, from line {start}, is longer than {MaxRowLength:N0} characters: the double quote (\") that opens a value in column '{ColumnName(scan.Field)}' on line {start + scan.LineBreaks} is probably never closed.")
            : Invariant($"{Capitalised(RowBeingRead())}, from line {start}, is longer than {MaxRowLength:N0} characters, more than a CSV row can hold.");
        return Error(message, start, scan.InsideQuotes ? ColumnName(scan.Field) : null);
    }

    private DatasetFormatException BinaryError(RecordScan scan)
    {
        var line = _nextLine + scan.LineBreaks;
        var message = $"The file contains binary data (a NUL character in {RowBeingRead()}, line {line}), so it is not a CSV text file.";
        return Error(message, line, null);
    }

    private DatasetFormatException Error(string message, long line, string? column)
    {
        long? row = _headerDone ? _rowNumber + 1 : Format.HasHeader ? null : 1;
        var problems = _wrongRows.Select(r => r.Problem).Append(new DatasetProblem(message, row, line, column)).ToList();
        return new DatasetFormatException(FileName, message, problems);
    }

    private string RowBeingRead() =>
        _headerDone ? $"row {_rowNumber + 1}" : Format.HasHeader ? "the column names row" : "row 1";

    private string ColumnName(int field) =>
        field < _columnNames.Length ? _columnNames[field] : $"column{field + 1}";

    private static string Capitalised(string text) => char.ToUpperInvariant(text[0]) + text[1..];
}
