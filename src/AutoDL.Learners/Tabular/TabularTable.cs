using Microsoft.ML;
using Microsoft.ML.Data;

namespace AutoDL.Learners.Tabular;

/// <summary>One column of a <see cref="TabularTable"/>: numbers (missing is NaN), text (missing is empty) or flags.</summary>
internal abstract record TableColumn(string Name)
{
    public abstract DataViewType Type { get; }

    public abstract int Length { get; }

    /// <summary>A getter reading the value at the row index that <paramref name="row"/> yields when called.</summary>
    public abstract Delegate Getter(Func<int> row);
}

internal sealed record SingleTableColumn(string Name, float[] Values) : TableColumn(Name)
{
    public override DataViewType Type => NumberDataViewType.Single;

    public override int Length => Values.Length;

    public override Delegate Getter(Func<int> row) => (ValueGetter<float>)((ref float value) => value = Values[row()]);
}

internal sealed record TextTableColumn(string Name, ReadOnlyMemory<char>[] Values) : TableColumn(Name)
{
    public override DataViewType Type => TextDataViewType.Instance;

    public override int Length => Values.Length;

    public override Delegate Getter(Func<int> row) => (ValueGetter<ReadOnlyMemory<char>>)((ref ReadOnlyMemory<char> value) => value = Values[row()]);
}

internal sealed record BooleanTableColumn(string Name, bool[] Values) : TableColumn(Name)
{
    public override DataViewType Type => BooleanDataViewType.Instance;

    public override int Length => Values.Length;

    public override Delegate Getter(Func<int> row) => (ValueGetter<bool>)((ref bool value) => value = Values[row()]);
}

/// <summary>
/// A table held in memory, column by column, that ML.NET reads through <see cref="View"/>: any subset of its rows, in
/// the order given, without copying. Splits and folds are lists of row indices into one table, so no trial re-reads
/// the file and every split is exact and repeatable.
/// </summary>
internal sealed class TabularTable
{
    public TabularTable(IReadOnlyList<TableColumn> columns, int rowCount)
    {
        if (columns.FirstOrDefault(c => c.Length != rowCount) is { } uneven)
        {
            throw new ArgumentException($"Column '{uneven.Name}' has {uneven.Length} values; the table has {rowCount} rows.", nameof(columns));
        }

        Columns = columns;
        RowCount = rowCount;
        var builder = new DataViewSchema.Builder();
        foreach (var column in columns)
        {
            builder.AddColumn(column.Name, column.Type);
        }

        Schema = builder.ToSchema();
    }

    public IReadOnlyList<TableColumn> Columns { get; }

    public int RowCount { get; }

    public DataViewSchema Schema { get; }

    public TableColumn this[string name] => Columns.First(c => string.Equals(c.Name, name, StringComparison.Ordinal));

    /// <summary>This table plus <paramref name="column"/> (or with it, replacing a column of the same name).</summary>
    public TabularTable With(TableColumn column) =>
        new([.. Columns.Where(c => !string.Equals(c.Name, column.Name, StringComparison.Ordinal)), column], RowCount);

    /// <summary>The rows <paramref name="rows"/> (all of them when null), in that order, as an ML.NET data view.</summary>
    public IDataView View(IReadOnlyList<int>? rows = null) => new TableDataView(this, rows ?? Enumerable.Range(0, RowCount).ToArray());

    private sealed class TableDataView(TabularTable table, IReadOnlyList<int> rows) : IDataView
    {
        public bool CanShuffle => false;

        public DataViewSchema Schema => table.Schema;

        public long? GetRowCount() => rows.Count;

        public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) =>
            new Cursor(table, rows, columnsNeeded.Select(c => c.Index).ToHashSet());

        public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
            [GetRowCursor(columnsNeeded, rand)];
    }

    private sealed class Cursor(TabularTable table, IReadOnlyList<int> rows, HashSet<int> active) : DataViewRowCursor
    {
        private long _position = -1;

        public override long Position => _position;

        public override long Batch => 0;

        public override DataViewSchema Schema => table.Schema;

        public override bool IsColumnActive(DataViewSchema.Column column) => active.Contains(column.Index);

        public override bool MoveNext()
        {
            if (_position + 1 >= rows.Count)
            {
                _position = rows.Count;
                return false;
            }

            _position++;
            return true;
        }

        public override ValueGetter<DataViewRowId> GetIdGetter() =>
            (ref DataViewRowId id) => id = new DataViewRowId((ulong)CurrentRow(), 0);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (!IsColumnActive(column))
            {
                throw new InvalidOperationException($"Column '{column.Name}' was not asked for when the cursor was made.");
            }

            return table.Columns[column.Index].Getter(CurrentRow) as ValueGetter<TValue>
                ?? throw new InvalidOperationException(
                    $"Column '{column.Name}' holds {column.Type}, not {typeof(TValue).Name}.");
        }

        private int CurrentRow() =>
            _position >= 0 && _position < rows.Count
                ? rows[(int)_position]
                : throw new InvalidOperationException("The cursor is not on a row.");
    }
}
