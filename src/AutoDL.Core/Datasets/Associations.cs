namespace AutoDL.Core.Datasets;

/// <summary>
/// Measures of how two columns go together, over the rows where both are present: Pearson's r between numbers, the
/// correlation ratio η of a number by a category, Cramér's V between categories. Numbers are NaN where missing,
/// categories are slots 0..k-1 and negative where missing. Each returns null where it is undefined (fewer than two
/// rows, no spread).
/// </summary>
internal static class Associations
{
    public static double? Pearson(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        // Two passes (means, then deviations): accurate, and no division per row.
        long n = 0;
        double sumX = 0, sumY = 0;
        for (var i = 0; i < x.Length; i++)
        {
            var a = x[i];
            var b = y[i];
            if (double.IsFinite(a) && double.IsFinite(b))
            {
                n++;
                sumX += a;
                sumY += b;
            }
        }

        if (n < 2)
        {
            return null;
        }

        var meanX = sumX / n;
        var meanY = sumY / n;
        double sxx = 0, syy = 0, sxy = 0;
        for (var i = 0; i < x.Length; i++)
        {
            var a = x[i];
            var b = y[i];
            if (double.IsFinite(a) && double.IsFinite(b))
            {
                var dx = a - meanX;
                var dy = b - meanY;
                sxx += dx * dx;
                syy += dy * dy;
                sxy += dx * dy;
            }
        }

        if (sxx <= 0 || syy <= 0)
        {
            return null;
        }

        return Math.Clamp(sxy / Math.Sqrt(sxx * syy), -1, 1);
    }

    /// <summary>η = sqrt(between-category sum of squares / total sum of squares) of <paramref name="x"/> grouped by <paramref name="category"/>.</summary>
    public static double? CorrelationRatio(ReadOnlySpan<double> x, ReadOnlySpan<int> category, int categories)
    {
        var counts = new long[categories];
        var sums = new double[categories];
        long n = 0;
        double sum = 0;
        for (var i = 0; i < x.Length; i++)
        {
            var a = x[i];
            var c = category[i];
            if (c >= 0 && c < categories && double.IsFinite(a))
            {
                n++;
                sum += a;
                counts[c]++;
                sums[c] += a;
            }
        }

        if (n < 2)
        {
            return null;
        }

        var mean = sum / n;
        double total = 0;
        for (var i = 0; i < x.Length; i++)
        {
            var a = x[i];
            var c = category[i];
            if (c >= 0 && c < categories && double.IsFinite(a))
            {
                total += (a - mean) * (a - mean);
            }
        }

        if (total <= 0)
        {
            return null;
        }

        double between = 0;
        for (var c = 0; c < categories; c++)
        {
            if (counts[c] > 0)
            {
                var d = sums[c] / counts[c] - mean;
                between += counts[c] * d * d;
            }
        }

        return Math.Sqrt(Math.Clamp(between / total, 0, 1));
    }

    /// <summary>Cramér's V = sqrt(χ² / (n·(min(rows, columns) - 1))) of the contingency table, over the categories present.</summary>
    public static double? CramersV(ReadOnlySpan<int> a, int aCategories, ReadOnlySpan<int> b, int bCategories)
    {
        var table = new long[aCategories * bCategories];
        var aTotals = new long[aCategories];
        var bTotals = new long[bCategories];
        long n = 0;
        for (var i = 0; i < a.Length; i++)
        {
            var x = a[i];
            var y = b[i];
            if (x < 0 || y < 0 || x >= aCategories || y >= bCategories)
            {
                continue;
            }

            n++;
            table[x * bCategories + y]++;
            aTotals[x]++;
            bTotals[y]++;
        }

        var aPresent = aTotals.Count(t => t > 0);
        var bPresent = bTotals.Count(t => t > 0);
        var smaller = Math.Min(aPresent, bPresent);
        if (n < 2 || smaller < 2)
        {
            return null;
        }

        double chiSquared = 0;
        for (var x = 0; x < aCategories; x++)
        {
            if (aTotals[x] == 0)
            {
                continue;
            }

            for (var y = 0; y < bCategories; y++)
            {
                if (bTotals[y] == 0)
                {
                    continue;
                }

                var expected = (double)aTotals[x] * bTotals[y] / n;
                var d = table[x * bCategories + y] - expected;
                chiSquared += d * d / expected;
            }
        }

        return Math.Sqrt(Math.Clamp(chiSquared / (n * (smaller - 1.0)), 0, 1));
    }
}
