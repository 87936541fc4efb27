using AutoDL.Core.Explanations;

namespace AutoDL.Core.Tests.Explanations;

/// <summary>Models and tables for the explainer tests: scores computed from the rows' numeric columns.</summary>
internal static class TestModels
{
    public static string[] Names(int m) => [.. Enumerable.Range(0, m).Select(c => $"x{c}")];

    /// <summary><paramref name="count"/> rows of <paramref name="m"/> numeric columns, column c uniform on [0, scale_c) (scale 1 by default).</summary>
    public static Rows Uniform(int m, int count, int seed, double[]? scales = null)
    {
        var random = new Random(seed);
        var columns = new object?[m][];
        for (var c = 0; c < m; c++)
        {
            columns[c] = new object?[count];
            for (var r = 0; r < count; r++)
            {
                columns[c][r] = random.NextDouble() * (scales?[c] ?? 1) - (scales?[c] ?? 1) / 2;
            }
        }

        return Rows.FromColumns(Names(m), columns);
    }

    /// <summary>f = bias + Σ w_c x_c + Σ over (i, j, a) of a · x_i · x_j.</summary>
    public static Scorer Polynomial(double bias, double[] weights, params (int I, int J, double A)[] interactions) => (rows, token) =>
    {
        token.ThrowIfCancellationRequested();
        var scores = new double[rows.Count];
        for (var r = 0; r < rows.Count; r++)
        {
            var sum = bias;
            for (var c = 0; c < weights.Length; c++)
            {
                sum += weights[c] * rows.Number(c, r);
            }

            foreach (var (i, j, a) in interactions)
            {
                sum += a * rows.Number(i, r) * rows.Number(j, r);
            }

            scores[r] = sum;
        }

        return Task.FromResult(scores);
    };

    public static double Mean(Rows rows, int column) => Enumerable.Range(0, rows.Count).Average(r => rows.Number(column, r));
}
