namespace AutoDL.Core.Explanations;

/// <summary>Student's t distribution's quantile, for t-based confidence intervals.</summary>
internal static class StudentT
{
    /// <summary>The <paramref name="p"/>-quantile (0.5 ≤ p &lt; 1) with <paramref name="df"/> degrees of freedom, by bisection on the CDF.</summary>
    public static double Quantile(double p, double df)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(df, 1);
        if (p is < 0.5 or >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(p), p, "Needs 0.5 ≤ p < 1.");
        }

        double low = 0, high = 1;
        while (Cdf(high, df) < p)
        {
            high *= 2;
        }

        for (var i = 0; i < 200 && high - low > 1e-14 * high; i++)
        {
            var mid = (low + high) / 2;
            if (Cdf(mid, df) < p)
            {
                low = mid;
            }
            else
            {
                high = mid;
            }
        }

        return (low + high) / 2;
    }

    /// <summary>P(T ≤ t) for t ≥ 0: 1 − ½ I_{ν/(ν+t²)}(ν/2, ½).</summary>
    public static double Cdf(double t, double df) => 1 - 0.5 * RegularizedBeta(df / (df + t * t), df / 2, 0.5);

    /// <summary>I_x(a, b) by its continued fraction (Numerical Recipes' betai).</summary>
    private static double RegularizedBeta(double x, double a, double b)
    {
        if (x <= 0)
        {
            return 0;
        }

        if (x >= 1)
        {
            return 1;
        }

        var front = Math.Exp(LogGamma(a + b) - LogGamma(a) - LogGamma(b) + a * Math.Log(x) + b * Math.Log(1 - x));
        return x < (a + 1) / (a + b + 2)
            ? front * ContinuedFraction(x, a, b) / a
            : 1 - front * ContinuedFraction(1 - x, b, a) / b;
    }

    private static double ContinuedFraction(double x, double a, double b)
    {
        const double tiny = 1e-300;
        double c = 1, d = 1 - (a + b) * x / (a + 1);
        d = 1 / (Math.Abs(d) < tiny ? tiny : d);
        var h = d;
        for (var m = 1; m <= 500; m++)
        {
            var m2 = 2 * m;
            var aa = m * (b - m) * x / ((a + m2 - 1) * (a + m2));
            d = 1 + aa * d;
            d = 1 / (Math.Abs(d) < tiny ? tiny : d);
            c = 1 + aa / c;
            c = Math.Abs(c) < tiny ? tiny : c;
            h *= d * c;
            aa = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1));
            d = 1 + aa * d;
            d = 1 / (Math.Abs(d) < tiny ? tiny : d);
            c = 1 + aa / c;
            c = Math.Abs(c) < tiny ? tiny : c;
            var delta = d * c;
            h *= delta;
            if (Math.Abs(delta - 1) < 1e-16)
            {
                break;
            }
        }

        return h;
    }

    /// <summary>log Γ(x) for x &gt; 0 (Lanczos, g = 7, n = 9).</summary>
    private static double LogGamma(double x)
    {
        ReadOnlySpan<double> g =
        [
            0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
            12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
        ];
        if (x < 0.5)
        {
            return Math.Log(Math.PI / Math.Abs(Math.Sin(Math.PI * x))) - LogGamma(1 - x);
        }

        x -= 1;
        var sum = g[0];
        for (var i = 1; i < g.Length; i++)
        {
            sum += g[i] / (x + i);
        }

        var t = x + 7.5;
        return 0.5 * Math.Log(2 * Math.PI) + (x + 0.5) * Math.Log(t) - t + Math.Log(sum);
    }
}
