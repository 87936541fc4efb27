namespace AutoDL.Core.Datasets;

/// <summary>
/// Infers one column's type from its values as they stream past, in bounded memory: each candidate type
/// (boolean, integer, numeric, datetime) stays possible until a value that is not of it arrives; missing values
/// count apart and rule nothing out. Distinct values are remembered exactly up to
/// <see cref="DatasetScanOptions.DistinctValueCap"/>.
/// </summary>
/// <remarks>
/// <para>Values are trimmed first, so <c>" red"</c> and <c>"red"</c> are one value and <c>" NA "</c> is missing.</para>
/// <para>
/// The value type is the first of boolean, integer, numeric and datetime that every present value fits
/// (so a column of only 0 and 1 is boolean); else categorical when its distinct values were counted exactly, number at
/// most max(20, 5% of present values), and average at most 50 characters; else text.
/// </para>
/// <para>
/// Constant: at most one distinct present value (an all-missing column too). Identifier: integer, categorical or text
/// values with no value missing, none repeated and at least
/// <see cref="DatasetScanOptions.MinimumRowsForIdentifier"/> rows; text with spaces in it is prose, not a key.
/// </para>
/// <para>
/// The approximation: past the cap, new values are no longer remembered, so a repeat among them goes unseen. A column
/// whose first <c>cap</c> distinct values never repeated and whose later values never repeat one of those is taken
/// for an identifier. Real keys pass; a column with many values and rare repeats may be taken for one too. Past the
/// cap, a column that holds decimals, dates or booleans at that point stops looking for repeats and is no identifier,
/// even should a later value turn it into text (the safe side: an identifier is left out of training).
/// </para>
/// </remarks>
public sealed class ColumnInference
{
    private const int CategoricalMinimumLimit = 20;
    private const int CategoricalShareOfRows = 20;
    private const int CategoricalMaximumAverageLength = 50;

    private readonly DatasetScanOptions _options;
    private readonly HashSet<string> _distinct = new(StringComparer.Ordinal);
    private readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> _distinctBySpan;

    private long _missing;
    private long _present;
    private long _totalLength;
    private long _withWhitespace;
    private bool _maybeBoolean = true;
    private bool _maybeInteger = true;
    private bool _maybeNumeric = true;
    private bool _maybeDateTime = true;
    private int _dateTimeFormat = -1;
    private bool _capped;
    private bool _repeated;

    public ColumnInference(DatasetScanOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.DistinctValueCap, 1, nameof(options));
        _options = options;
        _distinctBySpan = _distinct.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public long MissingCount => _missing;

    public long PresentCount => _present;

    public void Observe(ReadOnlySpan<char> value)
    {
        value = value.Trim();
        if (ValueSyntax.IsMissing(value))
        {
            _missing++;
            return;
        }

        _present++;
        _totalLength += value.Length;
        if (_maybeBoolean)
        {
            _maybeBoolean = ValueSyntax.IsBoolean(value);
        }

        if (_maybeInteger)
        {
            if (!ValueSyntax.IsInteger(value))
            {
                _maybeInteger = false;
                _maybeNumeric = ValueSyntax.IsNumber(value);
            }
        }
        else if (_maybeNumeric)
        {
            _maybeNumeric = ValueSyntax.IsNumber(value);
        }

        if (_maybeDateTime)
        {
            _maybeDateTime = ValueSyntax.IsDateTime(value, ref _dateTimeFormat);
        }

        // Numbers and booleans hold no spaces, so counting only the others is exact.
        if (!_maybeNumeric && !_maybeBoolean && value.ContainsAny(' ', '\t'))
        {
            _withWhitespace++;
        }

        if (!_capped)
        {
            if (_distinctBySpan.Contains(value))
            {
                _repeated = true;
            }
            else if (_distinct.Count < _options.DistinctValueCap)
            {
                _distinctBySpan.Add(value);
            }
            else
            {
                _capped = true;
            }
        }
        else if (!_repeated)
        {
            // Past the cap only a possible identifier still looks for repeats: not one with a missing value, nor one
            // that (so far) holds decimals, dates or booleans, which are measurements, not keys.
            _repeated = _missing > 0 || _maybeBoolean || (_maybeNumeric && !_maybeInteger) || _maybeDateTime
                || _distinctBySpan.Contains(value);
        }
    }

    public DatasetColumn ToColumn(string name)
    {
        var valueType = ValueType();
        var type = !_capped && _distinct.Count <= 1 ? ColumnType.Constant
            : IsIdentifier(valueType) ? ColumnType.Identifier
            : valueType;
        return new DatasetColumn(name, type, valueType, _missing, _distinct.Count, _capped);
    }

    private ColumnType ValueType()
    {
        if (_present == 0)
        {
            return ColumnType.Text;
        }

        if (_maybeBoolean)
        {
            return ColumnType.Boolean;
        }

        if (_maybeInteger)
        {
            return ColumnType.Integer;
        }

        if (_maybeNumeric)
        {
            return ColumnType.Numeric;
        }

        if (_maybeDateTime)
        {
            return ColumnType.Datetime;
        }

        var fewValues = !_capped && _distinct.Count <= Math.Max(CategoricalMinimumLimit, _present / CategoricalShareOfRows);
        var shortValues = _totalLength <= CategoricalMaximumAverageLength * _present;
        return fewValues && shortValues ? ColumnType.Categorical : ColumnType.Text;
    }

    private bool IsIdentifier(ColumnType valueType) =>
        valueType is ColumnType.Integer or ColumnType.Categorical or ColumnType.Text
        && _missing == 0
        && !_repeated
        && _present >= _options.MinimumRowsForIdentifier
        && (valueType == ColumnType.Integer || _withWhitespace == 0);
}
