namespace AutoDL.Core.Datasets;

/// <summary>
/// Reads a whole CSV file once and returns its schema and its profile together (the upload path calls this once).
/// </summary>
/// <remarks>
/// <para>
/// The reading thread parses rows and copies them into batches; while it reads the next batch, the previous one is
/// profiled column by column on other threads (<see cref="DatasetProfileOptions.Parallelism"/>). Memory is bounded
/// whatever the file's size: two batches, per column the distinct values up to the cap, 4,096 histogram bins and its
/// cells of the row sample, and the duplicate-row hash table up to its cap.
/// </para>
/// <para>
/// Counts, missing values, min, max, mean, standard deviation and histograms cover every row. Correlations and
/// associations come from a uniform sample of rows (a seeded reservoir, <see cref="DatasetProfileOptions.SampleRows"/>),
/// so that no per-row work grows with the square of the number of columns. Quantiles are exact when every distinct value
/// was counted or every row is in the sample; otherwise they come from the sample, narrowed to the exact histogram bin
/// holding each.
/// </para>
/// </remarks>
public static class DatasetProfiler
{
    private static readonly double[] QuantileLevels = [0.01, 0.05, 0.25, 0.50, 0.75, 0.95, 0.99];

    /// <summary>
    /// Reads <paramref name="stream"/> front to back once and profiles it. <paramref name="progress"/> gets the share of
    /// bytes read, 0 to 1, about every 1% (when the stream's length is known: it can seek, or
    /// <see cref="DatasetProfileOptions.StreamLength"/>), and 1 at the end.
    /// </summary>
    /// <param name="fileName">Names the file in messages; the stream has no name of its own.</param>
    /// <exception cref="DatasetFormatException">The same as <see cref="CsvScanner.ScanAsync(Stream, string, DatasetScanOptions, CancellationToken)"/>, for the same files.</exception>
    public static async Task<DatasetProfile> ProfileAsync(
        Stream stream,
        string fileName,
        DatasetProfileOptions options,
        IProgress<double>? progress,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(options);
        var length = stream.CanSeek ? stream.Length - stream.Position : options.StreamLength;
        var counted = progress is null ? null : new ProgressStream(stream, length, progress);
        var observer = new ProfileObserver(options);
        var schema = await CsvPass.RunAsync(counted ?? stream, fileName, observer, cancellationToken);
        var profile = observer.Build(schema);
        counted?.Finish();
        return profile;
    }

    /// <summary>Copies rows into batches and profiles each batch's columns in parallel while the next is read.</summary>
    private sealed class ProfileObserver(DatasetProfileOptions options) : IRowObserver
    {
        private const int BatchValues = 256 * 1024;

        private readonly List<IReadOnlyList<string>> _preview = [];
        private readonly DuplicateRowCounter _duplicates = new(options.DuplicateRowHashCap);
        private ColumnProfiler[] _columns = [];
        private RowBatch _filling = null!;
        private RowBatch? _spare;
        private Task _profiling = Task.CompletedTask;
        private Random _sampling = null!;
        private int _sampleCapacity;
        private RowHash[] _hashes = [];
        private long _rows;

        public void Begin(IReadOnlyList<string> columnNames)
        {
            _sampleCapacity = (int)Math.Max(1, Math.Min(options.SampleRows, options.SampleValueCap / columnNames.Count));
            _columns = columnNames.Select(_ => new ColumnProfiler(options.Scan, _sampleCapacity)).ToArray();
            _filling = new RowBatch(_columns.Length, Math.Clamp(BatchValues / _columns.Length, 16, 8192));
            _sampling = new Random(options.SampleSeed);
        }

        public ValueTask ObserveAsync(CsvRow row, CancellationToken cancellationToken)
        {
            if (_preview.Count < options.PreviewRows)
            {
                var values = new string[row.Count];
                for (var i = 0; i < values.Length; i++)
                {
                    values[i] = row[i].ToString();
                }

                _preview.Add(values);
            }

            // Reservoir sampling (Vitter's algorithm R): row r replaces a random slot with probability capacity / (r + 1).
            var slot = -1;
            if (_rows < _sampleCapacity)
            {
                slot = (int)_rows;
            }
            else
            {
                var pick = _sampling.NextInt64(_rows + 1);
                if (pick < _sampleCapacity)
                {
                    slot = (int)pick;
                }
            }

            _rows++;
            _filling.Add(row, slot);
            return _filling.IsFull ? DispatchAsync() : ValueTask.CompletedTask;
        }

        public async Task EndAsync(CancellationToken cancellationToken)
        {
            if (_filling.Count > 0)
            {
                await DispatchAsync();
            }

            await _profiling;
        }

        public async Task AbandonAsync()
        {
            try
            {
                await _profiling;
            }
            catch
            {
                // The pass already failed; its own error is the one to report.
            }
        }

        public DatasetColumn Column(int index, string name) => _columns[index].Inference.ToColumn(name);

        private async ValueTask DispatchAsync()
        {
            // The batch profiled last is free again once its profiling ends.
            await _profiling;
            var batch = _filling;
            _filling = _spare ?? new RowBatch(batch.Columns, batch.Capacity);
            _filling.Clear();
            _spare = batch;
            if (options.Parallelism <= 1)
            {
                for (var task = 0; task <= _columns.Length; task++)
                {
                    Profile(batch, task);
                }
            }
            else
            {
                // Task 0 (duplicates, the longest) first; the thread pool balances the columns over the cores.
                var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.Parallelism };
                _profiling = Task.Run(() => Parallel.For(0, _columns.Length + 1, parallel, task => Profile(batch, task)));
            }
        }

        /// <summary>Task 0: the batch's duplicate rows; task c + 1: column c's values.</summary>
        private void Profile(RowBatch batch, int task)
        {
            if (task > 0)
            {
                _columns[task - 1].ObserveBatch(batch, task - 1);
                return;
            }

            if (_hashes.Length < batch.Count)
            {
                _hashes = new RowHash[batch.Capacity];
            }

            batch.HashRows(_hashes);
            for (var r = 0; r < batch.Count; r++)
            {
                _duplicates.Add(_hashes[r].Value);
            }
        }

        public DatasetProfile Build(DatasetSchema schema)
        {
            var sampleRows = (int)Math.Min(_rows, _sampleCapacity);
            var everyRowSampled = sampleRows == _rows;
            var columns = new ColumnProfile[schema.Columns.Count];
            Parallel.For(0, columns.Length, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.Parallelism) }, i =>
                columns[i] = ProfileOf(schema.Columns[i], _columns[i], schema.RowCount, sampleRows, everyRowSampled));
            return new DatasetProfile(
                schema,
                schema.RowCount,
                _duplicates.Duplicates,
                _duplicates.IsLowerBound,
                columns,
                Correlations(schema, sampleRows),
                AssociationsOf(schema, sampleRows),
                sampleRows,
                _preview);
        }

        private ColumnProfile ProfileOf(DatasetColumn column, ColumnProfiler profiler, long rows, int sampleRows, bool everyRowSampled)
        {
            var type = column.Type;
            var numeric = type is ColumnType.Numeric or ColumnType.Integer && profiler.Numbers.Count > 0
                ? NumericProfileOf(profiler, type == ColumnType.Integer, sampleRows, everyRowSampled)
                : null;
            var top = type is ColumnType.Categorical or ColumnType.Boolean or ColumnType.Text or ColumnType.Identifier or ColumnType.Constant
                ? TopValuesOf(profiler.Inference)
                : null;
            var dates = type == ColumnType.Datetime ? profiler.DateRange : null;
            return new ColumnProfile(
                column.Name,
                type,
                column.MissingCount,
                rows == 0 ? 0 : 100.0 * column.MissingCount / rows,
                column.UniqueCount,
                column.UniqueCountIsLowerBound,
                numeric,
                top,
                dates);
        }

        private NumericProfile NumericProfileOf(ColumnProfiler profiler, bool integer, int sampleRows, bool everyRowSampled)
        {
            var numbers = profiler.Numbers;
            var (quantiles, exact) = QuantilesOf(profiler, sampleRows, everyRowSampled);
            return new NumericProfile(
                numbers.Count,
                numbers.Min,
                numbers.Max,
                numbers.Mean,
                numbers.Std,
                quantiles,
                exact,
                numbers.Histogram.Bins(options.HistogramBins, integer));
        }

        private TopValues TopValuesOf(ColumnInference inference)
        {
            var top = inference.CountedValues
                .OrderByDescending(v => v.Count)
                .ThenBy(v => v.Value, StringComparer.Ordinal)
                .Take(options.TopValueCount)
                .Select(v => new ValueCount(v.Value, v.Count))
                .ToList();
            return new TopValues(top, inference.PresentCount - top.Sum(v => v.Count), inference.CountsAreComplete);
        }

        private static (Quantiles Quantiles, bool Exact) QuantilesOf(ColumnProfiler profiler, int sampleRows, bool everyRowSampled)
        {
            var inference = profiler.Inference;
            if (inference.CountsAreComplete)
            {
                // Every distinct value and its count: exact.
                var counted = inference.CountedValues
                    .Select(v => (Number: ValueSyntax.TryParseNumber(v.Value, out var x) ? x : double.NaN, v.Count))
                    .Where(v => double.IsFinite(v.Number))
                    .OrderBy(v => v.Number)
                    .ToList();
                var total = counted.Sum(v => v.Count);
                return (Levels(p => Interpolate(p, total, rank => ValueAtRank(counted, rank))), true);
            }

            var sample = Finite(profiler.SampleNumbers(sampleRows));
            Array.Sort(sample);
            if (everyRowSampled)
            {
                return (Levels(p => Interpolate(p, sample.Length, rank => sample[rank])), true);
            }

            // The sample's quantile, kept inside the exact fine bins that hold the true order statistics.
            var histogram = profiler.Numbers.Histogram;
            var count = histogram.Count;
            return (Levels(p =>
            {
                var h = (count - 1) * p;
                var low = histogram.BinOfRank((long)Math.Floor(h)).Lower;
                var high = Math.Max(low, histogram.BinOfRank((long)Math.Ceiling(h)).Upper);
                return sample.Length == 0 ? low + (high - low) / 2 : Math.Clamp(Interpolate(p, sample.Length, rank => sample[rank]), low, high);
            }), false);
        }

        private static double[] Finite(ReadOnlySpan<double> values)
        {
            var finite = new double[values.Length];
            var count = 0;
            foreach (var value in values)
            {
                if (double.IsFinite(value))
                {
                    finite[count++] = value;
                }
            }

            Array.Resize(ref finite, count);
            return finite;
        }

        private static Quantiles Levels(Func<double, double> quantile)
        {
            var q = QuantileLevels.Select(quantile).ToArray();
            return new Quantiles(q[0], q[1], q[2], q[3], q[4], q[5], q[6]);
        }

        /// <summary>Linear interpolation between the order statistics around (n - 1)·p.</summary>
        private static double Interpolate(double p, long n, Func<long, double> valueAtRank)
        {
            var h = (n - 1) * p;
            var low = (long)Math.Floor(h);
            var high = Math.Min(low + 1, n - 1);
            var a = valueAtRank(low);
            return a + (h - low) * (valueAtRank(high) - a);
        }

        private static double ValueAtRank(List<(double Number, long Count)> sorted, long rank)
        {
            long seen = 0;
            foreach (var (number, count) in sorted)
            {
                seen += count;
                if (seen > rank)
                {
                    return number;
                }
            }

            return sorted[^1].Number;
        }

        private CorrelationMatrix Correlations(DatasetSchema schema, int sampleRows)
        {
            var indexes = Enumerable.Range(0, schema.Columns.Count)
                .Where(i => schema.Columns[i].Type is ColumnType.Numeric or ColumnType.Integer or ColumnType.Boolean)
                .ToArray();
            var values = Matrix(indexes.Length, (a, b) =>
                Associations.Pearson(_columns[indexes[a]].SampleNumbers(sampleRows), _columns[indexes[b]].SampleNumbers(sampleRows)));
            return new CorrelationMatrix(indexes.Select(i => schema.Columns[i].Name).ToList(), values);
        }

        private AssociationMatrix AssociationsOf(DatasetSchema schema, int sampleRows)
        {
            var candidates = schema.Columns
                .Select((column, i) => (column, i))
                .Where(c => c.column.Type is ColumnType.Numeric or ColumnType.Integer or ColumnType.Boolean
                    || (c.column.Type == ColumnType.Categorical && c.column.UniqueCount <= options.AssociationMaxCategories))
                .Select(c => (c.column.Name, Index: c.i, Kind: c.column.Type is ColumnType.Numeric or ColumnType.Integer ? AssociationKind.Number : AssociationKind.Category))
                .ToArray();
            var values = Matrix(candidates.Length, (a, b) =>
            {
                var x = _columns[candidates[a].Index];
                var y = _columns[candidates[b].Index];
                return (candidates[a].Kind, candidates[b].Kind) switch
                {
                    (AssociationKind.Number, AssociationKind.Number) => Associations.Pearson(x.SampleNumbers(sampleRows), y.SampleNumbers(sampleRows)) is { } r ? Math.Abs(r) : null,
                    (AssociationKind.Number, AssociationKind.Category) => Associations.CorrelationRatio(x.SampleNumbers(sampleRows), y.SampleSlots(sampleRows), y.Inference.DistinctCount),
                    (AssociationKind.Category, AssociationKind.Number) => Associations.CorrelationRatio(y.SampleNumbers(sampleRows), x.SampleSlots(sampleRows), x.Inference.DistinctCount),
                    _ => Associations.CramersV(x.SampleSlots(sampleRows), x.Inference.DistinctCount, y.SampleSlots(sampleRows), y.Inference.DistinctCount),
                };
            });
            return new AssociationMatrix(candidates.Select(c => c.Name).ToList(), candidates.Select(c => c.Kind).ToList(), values);
        }

        /// <summary>A symmetric matrix, each pair computed once (in parallel when allowed).</summary>
        private List<IReadOnlyList<double?>> Matrix(int size, Func<int, int, double?> measure)
        {
            var cells = new double?[size][];
            for (var a = 0; a < size; a++)
            {
                cells[a] = new double?[size];
            }

            var parallel = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.Parallelism) };
            Parallel.For(0, size, parallel, a =>
            {
                for (var b = a; b < size; b++)
                {
                    var value = measure(a, b);
                    cells[a][b] = value;
                    cells[b][a] = value;
                }
            });
            return cells.Select(row => (IReadOnlyList<double?>)row).ToList();
        }
    }

    /// <summary>Passes reads through and reports the share of the stream's bytes read, about every 1%.</summary>
    private sealed class ProgressStream(Stream inner, long? length, IProgress<double> progress) : Stream
    {
        private long _read;
        private double _reported = -1;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public void Finish()
        {
            if (_reported < 1)
            {
                _reported = 1;
                progress.Report(1);
            }
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = await inner.ReadAsync(buffer, cancellationToken);
            Advance(read);
            return read;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(Span<byte> buffer)
        {
            var read = inner.Read(buffer);
            Advance(read);
            return read;
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        private void Advance(int read)
        {
            _read += read;
            if (length is not > 0)
            {
                return;
            }

            var share = Math.Min(1.0, (double)_read / length.Value);
            if (share >= _reported + 0.01 || (share >= 1 && _reported < 1))
            {
                _reported = share;
                progress.Report(share);
            }
        }
    }
}
