namespace AutoDL.Core.Explanations;

/// <summary>Lloyd's k-means with k-means++ seeding over an encoding of the rows, for <see cref="Background.Summarize"/>.</summary>
internal static class KMeans
{
    private const int Iterations = 100;
    private const int MaxLabelsPerColumn = 32;

    public static Background Summarize(Rows rows, int k, int seed)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        if (rows.Count <= k)
        {
            return Background.Of(rows);
        }

        var (points, width) = Encode(rows);
        var assignment = Cluster(points, rows.Count, width, k, new Random(seed));
        var clusters = Enumerable.Range(0, k).Select(_ => new List<int>()).ToArray();
        for (var r = 0; r < rows.Count; r++)
        {
            clusters[assignment[r]].Add(r);
        }

        var members = clusters.Where(c => c.Count > 0).ToArray();
        var summary = Rows.Empty(rows.Columns, members.Length);
        for (var c = 0; c < rows.Columns.Count; c++)
        {
            var source = rows.Column(c);
            var numeric = Values.IsNumericColumn(source);
            var target = summary.Column(c);
            for (var j = 0; j < members.Length; j++)
            {
                target[j] = numeric ? Mean(source, members[j]) : Mode(source, members[j]);
            }
        }

        return Background.Create(summary, [.. members.Select(m => m.Count / (double)rows.Count)]);
    }

    private static object? Mean(object?[] values, List<int> rows)
    {
        double sum = 0;
        var n = 0;
        foreach (var r in rows)
        {
            var v = Values.ToNumber(values[r]);
            if (!double.IsNaN(v))
            {
                sum += v;
                n++;
            }
        }

        return n == 0 ? null : sum / n;
    }

    private static object? Mode(object?[] values, List<int> rows)
    {
        var counts = new Dictionary<object, int>();
        object? best = null;
        var bestCount = 0;
        var nulls = 0;
        foreach (var r in rows)
        {
            var v = values[r];
            if (v is null)
            {
                nulls++;
                continue;
            }

            var count = counts[v] = counts.GetValueOrDefault(v) + 1;
            if (count > bestCount)
            {
                (best, bestCount) = (v, count);
            }
        }

        return nulls > bestCount ? null : best;
    }

    /// <summary>Row-major points: numeric columns standardised (missing = the mean), labels one-hot scaled by 1/√2.</summary>
    private static (double[] Points, int Width) Encode(Rows rows)
    {
        var encoders = new List<Action<int, double[], int>>();
        var width = 0;
        for (var c = 0; c < rows.Columns.Count; c++)
        {
            var values = rows.Column(c);
            if (Values.IsNumericColumn(values))
            {
                var numbers = values.Select(Values.ToNumber).Where(v => !double.IsNaN(v)).ToArray();
                var mean = numbers.Average();
                var sd = Math.Sqrt(numbers.Sum(v => (v - mean) * (v - mean)) / numbers.Length);
                var scale = sd > 0 ? 1 / sd : 0;
                var offset = width;
                encoders.Add((r, point, start) =>
                {
                    var v = Values.ToNumber(values[r]);
                    point[start + offset] = double.IsNaN(v) ? 0 : (v - mean) * scale;
                });
                width++;
            }
            else
            {
                var labels = values.Where(v => v is not null).GroupBy(v => v!).OrderByDescending(g => g.Count())
                    .Take(MaxLabelsPerColumn).Select((g, i) => (g.Key, i)).ToDictionary(x => x.Key, x => x.i);
                var offset = width;
                var slots = labels.Count + 1;
                encoders.Add((r, point, start) =>
                {
                    var v = values[r];
                    var slot = v is not null && labels.TryGetValue(v, out var i) ? i : labels.Count;
                    point[start + offset + slot] = Math.Sqrt(0.5);
                });
                width += slots;
            }
        }

        var points = new double[rows.Count * width];
        for (var r = 0; r < rows.Count; r++)
        {
            foreach (var encode in encoders)
            {
                encode(r, points, r * width);
            }
        }

        return (points, width);
    }

    private static int[] Cluster(double[] points, int n, int width, int k, Random random)
    {
        var centers = new double[k * width];
        var nearest = new double[n];
        Array.Fill(nearest, double.PositiveInfinity);
        var first = random.Next(n);
        Array.Copy(points, first * width, centers, 0, width);
        for (var j = 1; j < k; j++)
        {
            double total = 0;
            for (var r = 0; r < n; r++)
            {
                nearest[r] = Math.Min(nearest[r], Distance(points, r, centers, j - 1, width));
                total += nearest[r];
            }

            var pick = n - 1;
            var u = random.NextDouble() * total;
            for (var r = 0; r < n && total > 0; r++)
            {
                u -= nearest[r];
                if (u < 0)
                {
                    pick = r;
                    break;
                }
            }

            if (total <= 0)
            {
                pick = random.Next(n);
            }

            Array.Copy(points, pick * width, centers, j * width, width);
        }

        var assignment = new int[n];
        var counts = new int[k];
        for (var iteration = 0; iteration < Iterations; iteration++)
        {
            var changed = false;
            for (var r = 0; r < n; r++)
            {
                var best = 0;
                var bestDistance = double.PositiveInfinity;
                for (var j = 0; j < k; j++)
                {
                    var d = Distance(points, r, centers, j, width);
                    if (d < bestDistance)
                    {
                        (best, bestDistance) = (j, d);
                    }
                }

                if (iteration == 0 || assignment[r] != best)
                {
                    changed |= iteration > 0;
                    assignment[r] = best;
                }
            }

            if (iteration > 0 && !changed)
            {
                break;
            }

            Array.Clear(counts);
            var sums = new double[k * width];
            for (var r = 0; r < n; r++)
            {
                counts[assignment[r]]++;
                for (var d = 0; d < width; d++)
                {
                    sums[assignment[r] * width + d] += points[r * width + d];
                }
            }

            for (var j = 0; j < k; j++)
            {
                if (counts[j] == 0)
                {
                    continue;
                }

                for (var d = 0; d < width; d++)
                {
                    centers[j * width + d] = sums[j * width + d] / counts[j];
                }
            }
        }

        return assignment;
    }

    private static double Distance(double[] points, int r, double[] centers, int j, int width)
    {
        double sum = 0;
        for (var d = 0; d < width; d++)
        {
            var diff = points[r * width + d] - centers[j * width + d];
            sum += diff * diff;
        }

        return sum;
    }
}
