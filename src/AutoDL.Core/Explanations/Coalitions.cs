namespace AutoDL.Core.Explanations;

/// <summary>
/// The value of coalitions of columns for one explained row (interventional): the background-weighted mean score of
/// the background rows with the coalition's columns set to the explained row's values. Rows are built column by
/// column into one reused buffer and scored a batch at a time.
/// </summary>
internal sealed class Coalitions(Scorer scorer, Background background, int batchRows)
{
    private readonly double[] _weights = [.. background.Weights];
    private Rows? _buffer;

    /// <summary>
    /// The value of each of <paramref name="count"/> coalitions; coalition <c>s</c> holds column <c>c</c> when
    /// <c>masks[s * columns + c]</c>.
    /// </summary>
    public async Task<double[]> ValuesAsync(Rows explained, int row, bool[] masks, int count, CancellationToken cancellationToken)
    {
        var columns = explained.Columns.Count;
        var size = background.Count;
        var weights = _weights;
        var perBatch = Math.Max(1, batchRows / size);
        var values = new double[count];
        for (var start = 0; start < count; start += perBatch)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var n = Math.Min(perBatch, count - start);
            var rows = Buffer(explained.Columns, n * size);
            for (var c = 0; c < columns; c++)
            {
                var own = explained.Value(c, row);
                var from = background.Rows.Column(c);
                var target = rows.Column(c);
                for (var s = 0; s < n; s++)
                {
                    var offset = s * size;
                    if (masks[(start + s) * columns + c])
                    {
                        Array.Fill(target, own, offset, size);
                    }
                    else
                    {
                        Array.Copy(from, 0, target, offset, size);
                    }
                }
            }

            var scores = await scorer(rows, cancellationToken).ConfigureAwait(false);
            Scores.Check(scores, rows.Count);
            for (var s = 0; s < n; s++)
            {
                double sum = 0;
                for (var b = 0; b < size; b++)
                {
                    sum += weights[b] * scores[s * size + b];
                }

                values[start + s] = sum;
            }
        }

        return values;
    }

    private Rows Buffer(IReadOnlyList<string> columns, int count)
    {
        if (_buffer is null || _buffer.Count != count)
        {
            _buffer = Rows.Empty(columns, count);
        }

        return _buffer;
    }
}

internal static class Scores
{
    public static void Check(double[] scores, int rows)
    {
        if (scores is null || scores.Length != rows)
        {
            throw new InvalidOperationException($"The model returned {scores?.Length ?? 0} scores for {rows} rows.");
        }
    }
}
