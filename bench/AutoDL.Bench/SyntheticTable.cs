using System.Globalization;
using System.Text;

namespace AutoDL.Bench;

/// <summary>
/// The tabular benchmark's synthetic binary problem: 30 feature columns (10 informative numbers, 2 noisy copies of
/// informative ones, 16 pure-noise numbers on assorted scales, one informative categorical with 6 levels and one
/// noise categorical with 12) and a target <c>label</c> (yes/no) drawn from a logistic model with interactions and
/// non-linear terms, so no learner can be perfect (the Bayes error is well above zero) and linear models fall short.
/// A pure function of the row count and the seed.
/// </summary>
public static class SyntheticTable
{
    public const string Target = "label";

    public const int Columns = 30;

    private static readonly double[] CategoryEffect = [-1.2, -0.6, 0, 0.3, 0.8, 1.4];

    public static string FileName(int rows) => $"synthetic_{rows}x{Columns}.csv";

    public static void Write(string path, int rows, int seed)
    {
        var random = new Random(seed);
        double[] weights = [1.0, -0.8, 0.6, 0.5, -0.5, 0.4, -0.3, 0.3, 0.2, -0.2];
        double[] noiseScales = [1, 10, 0.01, 100, 1, 5, 0.5, 1000, 1, 2, 1, 0.1, 50, 1, 3, 1];
        using var writer = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 16);
        var header = Enumerable.Range(0, 10).Select(i => $"x{i}")
            .Concat(["copy0", "copy1"])
            .Concat(Enumerable.Range(0, 16).Select(i => $"noise{i}"))
            .Concat(["segment", "region", Target]);
        writer.WriteLine(string.Join(',', header));

        var x = new double[10];
        var line = new StringBuilder(512);
        for (var row = 0; row < rows; row++)
        {
            line.Clear();
            for (var i = 0; i < x.Length; i++)
            {
                x[i] = Normal(random);
                Append(line, x[i], "0.####");
            }

            Append(line, x[0] + 0.5 * Normal(random), "0.####");
            Append(line, 2 * x[1] - x[2] + 0.5 * Normal(random), "0.####");
            for (var i = 0; i < noiseScales.Length; i++)
            {
                Append(line, (i % 2 == 0 ? Normal(random) : random.NextDouble()) * noiseScales[i], "0.####");
            }

            var segment = random.Next(CategoryEffect.Length);
            var region = random.Next(12);
            line.Append("seg_").Append((char)('a' + segment)).Append(',');
            line.Append("region_").Append(region.ToString(CultureInfo.InvariantCulture)).Append(',');

            var logit = 0.0;
            for (var i = 0; i < weights.Length; i++)
            {
                logit += weights[i] * x[i];
            }

            logit += 1.2 * x[0] * x[1] + 1.5 * Math.Sin(2 * x[2]) + 0.8 * (x[3] * x[3] - 1) - 0.7 * Math.Abs(x[4])
                     + CategoryEffect[segment] + (x[5] > 0.5 ? 1.0 : 0.0) * x[6];
            var positive = random.NextDouble() < 1 / (1 + Math.Exp(-1.5 * logit));
            line.Append(positive ? "yes" : "no");
            writer.WriteLine(line);
        }
    }

    private static void Append(StringBuilder line, double value, string format) =>
        line.Append(value.ToString(format, CultureInfo.InvariantCulture)).Append(',');

    private static double Normal(Random random)
    {
        var u = 1 - random.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u)) * Math.Cos(2 * Math.PI * random.NextDouble());
    }
}
