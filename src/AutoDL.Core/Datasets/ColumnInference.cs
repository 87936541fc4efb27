using System.Runtime.InteropServices;

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
    private readonly bool _countAfterCap;
    private readonly Dictionary<string, int> _distinct = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _distinctBySpan;

    private long[] _counts = new long[16];
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
    private bool _countsIncomplete;

    public ColumnInference(DatasetScanOptions options)
        : this(options, countAfterCap: false)
    {
    }

    /// <param name="countAfterCap">
    /// Keep counting the remembered values once the cap is reached (for the profile's top values), in columns that are
    /// not (yet) numbers, booleans or dates; without it only a possible identifier still looks values up.
    /// </param>
    internal ColumnInference(DatasetScanOptions options, bool countAfterCap)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.DistinctValueCap, 1, nameof(options));
        _options = options;
        _countAfterCap = countAfterCap;
        _distinctBySpan = _distinct.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public long MissingCount => _missing;

    public long PresentCount => _present;

    /// <summary>Every present value so far is a number (or there is none yet).</summary>
    internal bool MaybeNumeric => _maybeNumeric;

    internal bool MaybeBoolean => _maybeBoolean;

    internal bool MaybeDateTime => _maybeDateTime;

    /// <summary>More distinct values came than the cap lets remember: later new values were not counted.</summary>
    internal bool Capped => _capped;

    /// <summary>
    /// Whether <see cref="CountedValues"/> holds every present value with its exact count: no value went uncounted
    /// because of the cap.
    /// </summary>
    internal bool CountsAreComplete => !_capped && !_countsIncomplete;

    /// <summary>The remembered values and how often each came (exact up to the cap; see <see cref="CountsAreComplete"/>).</summary>
    internal IEnumerable<(string Value, long Count)> CountedValues => _distinct.Select(pair => (pair.Key, _counts[pair.Value]));

    /// <summary>Distinct values remembered (at most the cap); slots run from 0 to this.</summary>
    internal int DistinctCount => _distinct.Count;

    public void Observe(ReadOnlySpan<char> value) => ObserveTrimmed(value.Trim());

    /// <summary>
    /// Observes one value, already trimmed, and says what it is: missing, its number (a boolean reads 1 or 0; NaN when it
    /// is neither, or when the column can no longer be numeric or boolean) and the slot it is counted in (-1: not counted).
    /// </summary>
    internal ObservedValue ObserveTrimmed(ReadOnlySpan<char> value)
    {
        if (ValueSyntax.IsMissing(value))
        {
            _missing++;
            return ObservedValue.Missing;
        }

        _present++;
        _totalLength += value.Length;
        var number = double.NaN;
        if (_maybeBoolean)
        {
            _maybeBoolean = ValueSyntax.TryParseBoolean(value, out var flag);
            if (_maybeBoolean)
            {
                number = flag ? 1 : 0;
            }
        }

        if (_maybeInteger)
        {
            if (ValueSyntax.TryParseInteger(value, out var whole))
            {
                number = whole;
            }
            else
            {
                _maybeInteger = false;
                _maybeNumeric = ValueSyntax.TryParseNumber(value, out var parsed);
                if (_maybeNumeric)
                {
                    number = parsed;
                }
            }
        }
        else if (_maybeNumeric)
        {
            _maybeNumeric = ValueSyntax.TryParseNumber(value, out var parsed);
            if (_maybeNumeric)
            {
                number = parsed;
            }
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

        var slot = -1;
        if (!_capped)
        {
            if (_distinct.Count < _options.DistinctValueCap)
            {
                ref var remembered = ref CollectionsMarshal.GetValueRefOrAddDefault(_distinctBySpan, value, out var exists);
                if (exists)
                {
                    _repeated = true;
                }
                else
                {
                    remembered = _distinct.Count - 1;
                    if (remembered == _counts.Length)
                    {
                        Array.Resize(ref _counts, _counts.Length * 2);
                    }
                }

                slot = remembered;
            }
            else if (_distinctBySpan.TryGetValue(value, out var remembered))
            {
                _repeated = true;
                slot = remembered;
            }
            else
            {
                _capped = true;
            }
        }
        else
        {
            // Past the cap only a possible identifier still looks for repeats: not one with a missing value, nor one
            // that (so far) holds decimals, dates or booleans, which are measurements, not keys.
            var lookForRepeat = !_repeated && !(_missing > 0 || _maybeBoolean || (_maybeNumeric && !_maybeInteger) || _maybeDateTime);
            if (!lookForRepeat)
            {
                _repeated = true;
            }

            var count = _countAfterCap && !_maybeNumeric && !_maybeBoolean && !_maybeDateTime;
            if (lookForRepeat || count)
            {
                if (_distinctBySpan.TryGetValue(value, out var remembered))
                {
                    _repeated = true;
                    slot = remembered;
                }
            }
            else
            {
                _countsIncomplete = true;
            }
        }

        if (slot >= 0)
        {
            _counts[slot]++;
        }

        return new ObservedValue(false, number, slot);
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

/// <summary>What <see cref="ColumnInference"/> found one value to be; see <c>ObserveTrimmed</c>.</summary>
internal readonly record struct ObservedValue(bool IsMissing, double Number, int Slot)
{
    public static ObservedValue Missing { get; } = new(true, double.NaN, -1);
}
