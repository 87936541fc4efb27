namespace AutoDL.Core.Explanations;

internal static class LinearAlgebra
{
    /// <summary>
    /// x with A x = b, by Gaussian elimination with partial pivoting (A and b are overwritten). A singular A gets a tiny
    /// ridge (1e-10 of its mean diagonal), so a column no coalition tells apart gets the least-norm share.
    /// </summary>
    public static double[] Solve(double[,] a, double[] b)
    {
        var n = b.Length;
        double trace = 0;
        for (var i = 0; i < n; i++)
        {
            trace += a[i, i];
        }

        var ridge = n == 0 ? 0 : Math.Max(trace / n, 1e-300) * 1e-10;
        var copy = (double[,])a.Clone();
        var rhs = (double[])b.Clone();
        if (TrySolve(copy, rhs, out var x))
        {
            return x;
        }

        for (var i = 0; i < n; i++)
        {
            a[i, i] += ridge;
        }

        return TrySolve(a, b, out x) ? x : new double[n];
    }

    private static bool TrySolve(double[,] a, double[] b, out double[] x)
    {
        var n = b.Length;
        x = new double[n];
        double scale = 0;
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                scale = Math.Max(scale, Math.Abs(a[i, j]));
            }
        }

        for (var k = 0; k < n; k++)
        {
            var pivot = k;
            for (var i = k + 1; i < n; i++)
            {
                if (Math.Abs(a[i, k]) > Math.Abs(a[pivot, k]))
                {
                    pivot = i;
                }
            }

            if (Math.Abs(a[pivot, k]) <= scale * 1e-13)
            {
                return false;
            }

            if (pivot != k)
            {
                for (var j = 0; j < n; j++)
                {
                    (a[k, j], a[pivot, j]) = (a[pivot, j], a[k, j]);
                }

                (b[k], b[pivot]) = (b[pivot], b[k]);
            }

            for (var i = k + 1; i < n; i++)
            {
                var f = a[i, k] / a[k, k];
                if (f == 0)
                {
                    continue;
                }

                for (var j = k; j < n; j++)
                {
                    a[i, j] -= f * a[k, j];
                }

                b[i] -= f * b[k];
            }
        }

        for (var i = n - 1; i >= 0; i--)
        {
            var sum = b[i];
            for (var j = i + 1; j < n; j++)
            {
                sum -= a[i, j] * x[j];
            }

            x[i] = sum / a[i, i];
        }

        return true;
    }
}
