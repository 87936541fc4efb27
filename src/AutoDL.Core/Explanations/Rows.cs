using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace AutoDL.Core.Explanations;

/// <summary>
/// Rows of the user's columns, stored column by column: one array of values per column. Explainers build their
/// perturbed rows by copying value references between these arrays (no boxing, no dictionary per row), and a column
/// can be swapped for another array without copying the rest (<see cref="WithColumn"/>). The rows also read as name →
/// value dictionaries (<see cref="IReadOnlyList{T}"/>), the shape the predictors take, through light views.
/// </summary>
public sealed class Rows : IReadOnlyList<IReadOnlyDictionary<string, object?>>
{
    private readonly object?[][] _values;
    private readonly Dictionary<string, int> _index;

    private Rows(IReadOnlyList<string> columns, object?[][] values, int count, Dictionary<string, int> index)
    {
        Columns = columns;
        _values = values;
        Count = count;
        _index = index;
    }

    /// <summary>The column names, in order.</summary>
    public IReadOnlyList<string> Columns { get; }

    public int Count { get; }

    /// <summary>Row <paramref name="row"/> as a name → value view (reads this table; allocates only the view).</summary>
    public IReadOnlyDictionary<string, object?> this[int row] =>
        (uint)row < (uint)Count ? new RowView(this, row) : throw new ArgumentOutOfRangeException(nameof(row));

    /// <summary><paramref name="count"/> empty rows (every value null) of <paramref name="columns"/>, to fill.</summary>
    public static Rows Empty(IReadOnlyList<string> columns, int count)
    {
        var values = new object?[columns.Count][];
        for (var c = 0; c < values.Length; c++)
        {
            values[c] = new object?[count];
        }

        return new Rows([.. columns], values, count, Index(columns));
    }

    /// <summary>Rows from one array of values per column (used as given, not copied); every array has the same length.</summary>
    public static Rows FromColumns(IReadOnlyList<string> columns, IReadOnlyList<object?[]> values)
    {
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentNullException.ThrowIfNull(values);
        if (columns.Count != values.Count)
        {
            throw new ArgumentException($"{columns.Count} column names but {values.Count} columns of values.", nameof(values));
        }

        var count = values.Count == 0 ? 0 : values[0].Length;
        if (values.Any(v => v.Length != count))
        {
            throw new ArgumentException("Every column must have as many values as the first.", nameof(values));
        }

        return new Rows([.. columns], [.. values], count, Index(columns));
    }

    /// <summary>Rows from name → value dictionaries; <paramref name="columns"/> (default: the first row's keys) says which and in what order. A missing key reads as null.</summary>
    public static Rows FromDictionaries(IReadOnlyList<IReadOnlyDictionary<string, object?>> rows, IReadOnlyList<string>? columns = null)
    {
        ArgumentNullException.ThrowIfNull(rows);
        columns ??= rows.Count == 0 ? [] : [.. rows[0].Keys];
        var result = Empty(columns, rows.Count);
        for (var c = 0; c < columns.Count; c++)
        {
            var target = result._values[c];
            for (var r = 0; r < rows.Count; r++)
            {
                target[r] = rows[r].TryGetValue(columns[c], out var value) ? value : null;
            }
        }

        return result;
    }

    /// <summary>Column <paramref name="column"/>'s values, one per row (the table's own array: writing to it changes the rows).</summary>
    public object?[] Column(int column) => _values[column];

    /// <summary>Column <paramref name="name"/>'s values (the table's own array).</summary>
    public object?[] Column(string name) =>
        _index.TryGetValue(name, out var c) ? _values[c] : throw new KeyNotFoundException($"No column '{name}'.");

    /// <summary>The position of column <paramref name="name"/>, or -1.</summary>
    public int IndexOf(string name) => _index.TryGetValue(name, out var c) ? c : -1;

    /// <summary>The value of column <paramref name="column"/> in row <paramref name="row"/>.</summary>
    public object? Value(int column, int row) => _values[column][row];

    /// <summary>The value of column <paramref name="column"/> in row <paramref name="row"/> as a number (NaN for null or a non-number).</summary>
    public double Number(int column, int row) => Values.ToNumber(_values[column][row]);

    /// <summary>These rows with column <paramref name="column"/>'s values replaced by <paramref name="values"/>; the other columns are shared, not copied.</summary>
    public Rows WithColumn(int column, object?[] values)
    {
        if (values.Length != Count)
        {
            throw new ArgumentException($"The column needs {Count} values, not {values.Length}.", nameof(values));
        }

        var columns = (object?[][])_values.Clone();
        columns[column] = values;
        return new Rows(Columns, columns, Count, _index);
    }

    /// <summary>The rows at <paramref name="rows"/>, copied into a new table.</summary>
    public Rows Subset(IReadOnlyList<int> rows)
    {
        var result = Empty(Columns, rows.Count);
        for (var c = 0; c < _values.Length; c++)
        {
            var source = _values[c];
            var target = result._values[c];
            for (var r = 0; r < rows.Count; r++)
            {
                target[r] = source[rows[r]];
            }
        }

        return result;
    }

    public IEnumerator<IReadOnlyDictionary<string, object?>> GetEnumerator()
    {
        for (var r = 0; r < Count; r++)
        {
            yield return new RowView(this, r);
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private static Dictionary<string, int> Index(IReadOnlyList<string> columns)
    {
        var index = new Dictionary<string, int>(columns.Count, StringComparer.Ordinal);
        for (var c = 0; c < columns.Count; c++)
        {
            if (!index.TryAdd(columns[c], c))
            {
                throw new ArgumentException($"Column '{columns[c]}' appears twice.", nameof(columns));
            }
        }

        return index;
    }

    private sealed class RowView(Rows rows, int row) : IReadOnlyDictionary<string, object?>
    {
        public object? this[string key] => rows.Column(key)[row];

        public IEnumerable<string> Keys => rows.Columns;

        public IEnumerable<object?> Values => rows._values.Select(v => v[row]);

        public int Count => rows.Columns.Count;

        public bool ContainsKey(string key) => rows._index.ContainsKey(key);

        public bool TryGetValue(string key, [MaybeNullWhen(false)] out object? value)
        {
            if (rows._index.TryGetValue(key, out var c))
            {
                value = rows._values[c][row];
                return true;
            }

            value = null;
            return false;
        }

        public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
        {
            for (var c = 0; c < rows.Columns.Count; c++)
            {
                yield return new(rows.Columns[c], rows._values[c][row]);
            }
        }

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
