namespace AutoDL.Core.Search.Tpe;

/// <summary>
/// The standard normal's log-CDF, log-mass on an interval and the truncated normal's quantile function, ported line
/// for line from Optuna 3.1's <c>_truncnorm.py</c> (itself from SciPy) so TPE's densities and draws agree with Optuna's
/// to rounding. Where Optuna calls Python's <c>math.erf</c>/<c>math.erfc</c> (C's libm) this uses <see cref="Erf"/> and
/// <see cref="Erfc"/>, ports of the fdlibm code glibc uses; where it calls its own vectorised <c>_erf.erf</c> this uses
/// <see cref="OptunaErf"/>, a port of that.
/// </summary>
internal static class TruncatedNormal
{
    private const double Ln2 = 0.693147180559945309417232121458176568;
    private const double MachineEpsilon = 2.220446049250313e-16;
    private static readonly double Sqrt2 = Math.Sqrt(2.0);
    private static readonly double InvSqrt2 = 1 / Math.Sqrt(2.0);
    private static readonly double NormPdfLogC = Math.Log(Math.Sqrt(2 * Math.PI));
    private static readonly double HalfLog2Pi = 0.5 * Math.Log(2 * Math.PI);

    /// <summary>log φ(x): the standard normal's log-density.</summary>
    public static double NormLogPdf(double x) => -(x * x) / 2.0 - NormPdfLogC;

    /// <summary>log of the standard normal's probability mass on [<paramref name="a"/>, <paramref name="b"/>].</summary>
    public static double LogGaussMass(double a, double b)
    {
        // The right tail is inaccurate, so by symmetry work in the left tail only.
        if (b <= 0)
        {
            return LogDiff(LogNdtr(b), LogNdtr(a));
        }

        if (a > 0)
        {
            return LogDiff(LogNdtr(-a), LogNdtr(-b));
        }

        // Central: 1 - (mass left of a) - (mass right of b), without the cancellation of a difference of logs.
        return Log1P(-Ndtr(a) - Ndtr(-b));
    }

    /// <summary>
    /// The <paramref name="q"/>-quantile of the standard normal truncated to [<paramref name="a"/>, <paramref name="b"/>].
    /// </summary>
    public static double Ppf(double q, double a, double b)
    {
        if (a == b)
        {
            return double.NaN;
        }

        if (q == 0)
        {
            return a;
        }

        if (q == 1)
        {
            return b;
        }

        if (a < 0)
        {
            return NdtriExp(LogAddExp(LogNdtr(a), Math.Log(q) + LogGaussMass(a, b)));
        }

        return -NdtriExp(LogAddExp(LogNdtr(-b), Log1P(-q) + LogGaussMass(a, b)));
    }

    /// <summary>log Φ(a), accurate far into the left tail (an asymptotic series below -20).</summary>
    public static double LogNdtr(double a)
    {
        if (a > 6)
        {
            return -NdtrWithLibmErf(-a);
        }

        if (a > -20)
        {
            return Math.Log(NdtrWithLibmErf(a));
        }

        var logLeft = -0.5 * (a * a) - Math.Log(-a) - HalfLog2Pi;
        var lastTotal = 0.0;
        var rightHandSide = 1.0;
        var numerator = 1.0;
        var denominatorFactor = 1.0;
        var denominatorConstant = 1 / (a * a);
        var sign = 1;
        var i = 0;
        while (Math.Abs(lastTotal - rightHandSide) > MachineEpsilon)
        {
            i++;
            lastTotal = rightHandSide;
            sign = -sign;
            denominatorFactor *= denominatorConstant;
            numerator *= 2 * i - 1;
            rightHandSide += sign * numerator * denominatorFactor;
        }

        return logLeft + Math.Log(rightHandSide);
    }

    /// <summary>Φ(a) with Optuna's own erf, as its vectorised <c>_ndtr</c> computes it.</summary>
    public static double Ndtr(double a) => 0.5 + 0.5 * OptunaErf(a / Sqrt2);

    /// <summary>Φ(a) as Optuna's <c>_ndtr_single</c> computes it, with libm's erf and erfc.</summary>
    private static double NdtrWithLibmErf(double a)
    {
        var x = a / Sqrt2;
        if (x < -InvSqrt2)
        {
            return 0.5 * Erfc(-x);
        }

        return x < InvSqrt2 ? 0.5 + 0.5 * Erf(x) : 1.0 - 0.5 * Erfc(x);
    }

    /// <summary>The x with log Φ(x) = <paramref name="y"/>, by Optuna's 100 bisection steps over [-100, 100].</summary>
    private static double NdtriExp(double y)
    {
        double low = -100, high = 100;
        if (LogNdtr(low) > y)
        {
            (low, high) = (high, low);
        }

        var middle = 0.0;
        for (var i = 0; i < 100; i++)
        {
            middle = (low + high) / 2;
            if (LogNdtr(middle) < y)
            {
                low = middle;
            }
            else
            {
                high = middle;
            }
        }

        return middle;
    }

    /// <summary>log(exp(p) - exp(q)) for p ≥ q.</summary>
    private static double LogDiff(double logP, double logQ) => logP + Log1P(-Math.Exp(logQ - logP));

    /// <summary>log(exp(x) + exp(y)), as NumPy's <c>logaddexp</c>.</summary>
    internal static double LogAddExp(double x, double y)
    {
        if (x == y)
        {
            return x + Ln2;
        }

        var difference = x - y;
        if (difference > 0)
        {
            return x + Log1P(Math.Exp(-difference));
        }

        return difference <= 0 ? y + Log1P(Math.Exp(difference)) : difference;
    }

    /// <summary>
    /// log(1 + x), accurate for small x (.NET's <c>double.LogP1</c> is log(x + 1), which is not). The classic
    /// correction: log(u) * x / (u - 1) with u = 1 + x cancels the rounding of u.
    /// </summary>
    internal static double Log1P(double x)
    {
        var u = 1.0 + x;
        if (u == 1.0)
        {
            return x;
        }

        return double.IsPositiveInfinity(u) ? u : Math.Log(u) * x / (u - 1.0);
    }

    // Coefficients of fdlibm's s_erf.c, shared by the three erf ports.
    private const double Erx = 8.45062911510467529297e-01;
    private const double Efx = 1.28379167095512586316e-01;
    private const double Efx8 = 1.02703333676410069053e+00;
    private const double Tiny = 1e-300;
    private const double Pp0 = 1.28379167095512558561e-01, Pp1 = -3.25042107247001499370e-01;
    private const double Pp2 = -2.84817495755985104766e-02, Pp3 = -5.77027029648944159157e-03;
    private const double Pp4 = -2.37630166566501626084e-05;
    private const double Qq1 = 3.97917223959155352819e-01, Qq2 = 6.50222499887672944485e-02;
    private const double Qq3 = 5.08130628187576562776e-03, Qq4 = 1.32494738004321644526e-04;
    private const double Qq5 = -3.96022827877536812320e-06;
    private const double Pa0 = -2.36211856075265944077e-03, Pa1 = 4.14856118683748331666e-01;
    private const double Pa2 = -3.72207876035701323847e-01, Pa3 = 3.18346619901161753674e-01;
    private const double Pa4 = -1.10894694282396677476e-01, Pa5 = 3.54783043256182359371e-02;
    private const double Pa6 = -2.16637559486879084300e-03;
    private const double Qa1 = 1.06420880400844228286e-01, Qa2 = 5.40397917702171048937e-01;
    private const double Qa3 = 7.18286544141962662868e-02, Qa4 = 1.26171219808761642112e-01;
    private const double Qa5 = 1.36370839120290507362e-02, Qa6 = 1.19844998467991074170e-02;
    private const double Ra0 = -9.86494403484714822705e-03, Ra1 = -6.93858572707181764372e-01;
    private const double Ra2 = -1.05586262253232909814e+01, Ra3 = -6.23753324503260060396e+01;
    private const double Ra4 = -1.62396669462573470355e+02, Ra5 = -1.84605092906711035994e+02;
    private const double Ra6 = -8.12874355063065934246e+01, Ra7 = -9.81432934416914548592e+00;
    private const double Sa1 = 1.96512716674392571292e+01, Sa2 = 1.37657754143519042600e+02;
    private const double Sa3 = 4.34565877475229228821e+02, Sa4 = 6.45387271733267880336e+02;
    private const double Sa5 = 4.29008140027567833386e+02, Sa6 = 1.08635005541779435134e+02;
    private const double Sa7 = 6.57024977031928170135e+00, Sa8 = -6.04244152148580987438e-02;
    private const double Rb0 = -9.86494292470009928597e-03, Rb1 = -7.99283237680523006574e-01;
    private const double Rb2 = -1.77579549177547519889e+01, Rb3 = -1.60636384855821916062e+02;
    private const double Rb4 = -6.37566443368389627722e+02, Rb5 = -1.02509513161107724954e+03;
    private const double Rb6 = -4.83519191608651397019e+02;
    private const double Sb1 = 3.03380607434824582924e+01, Sb2 = 3.25792512996573918826e+02;
    private const double Sb3 = 1.53672958608443695994e+03, Sb4 = 3.19985821950859553908e+03;
    private const double Sb5 = 2.55305040643316442583e+03, Sb6 = 4.74528541206955367215e+02;
    private const double Sb7 = -2.24409524465858183362e+01;

    /// <summary>Optuna's vectorised erf (<c>_erf.py</c>): fdlibm's, without its low-word split in the tails.</summary>
    public static double OptunaErf(double x)
    {
        if (double.IsNaN(x))
        {
            return double.NaN;
        }

        if (double.IsInfinity(x))
        {
            return x > 0 ? 1.0 : -1.0;
        }

        var a = Math.Abs(x);
        if (a < 3.725290298461914e-09)
        {
            return x + Efx * x;
        }

        if (a < 0.84375)
        {
            var z = x * x;
            var r = Pp0 + z * (Pp1 + z * (Pp2 + z * (Pp3 + z * Pp4)));
            var s = 1 + z * (Qq1 + z * (Qq2 + z * (Qq3 + z * (Qq4 + z * Qq5))));
            return x + x * (r / s);
        }

        var sign = Math.Sign(x);
        if (a < 1.25)
        {
            var s = a - 1;
            var p = Pa0 + s * (Pa1 + s * (Pa2 + s * (Pa3 + s * (Pa4 + s * (Pa5 + s * Pa6)))));
            var q = 1 + s * (Qa1 + s * (Qa2 + s * (Qa3 + s * (Qa4 + s * (Qa5 + s * Qa6)))));
            return (Erx + p / q) * sign;
        }

        if (a >= 6)
        {
            return sign;
        }

        var (numerator, denominator) = TailRatio(a, a < 1 / 0.35);
        var tail = Math.Exp(-a * a - 0.5625) * Math.Exp(numerator / denominator);
        return (1 - tail / a) * sign;
    }

    /// <summary>erf as fdlibm (and so glibc, and so Python's <c>math.erf</c>) computes it.</summary>
    public static double Erf(double x)
    {
        var hx = HighWord(x);
        var ix = hx & 0x7fffffff;
        if (ix >= 0x7ff00000)
        {
            return double.IsNaN(x) ? x : x > 0 ? 1.0 : -1.0;
        }

        if (ix < 0x3feb0000)
        {
            if (ix < 0x3e300000)
            {
                return ix < 0x00800000 ? 0.125 * (8.0 * x + Efx8 * x) : x + Efx * x;
            }

            var z = x * x;
            var r = Pp0 + z * (Pp1 + z * (Pp2 + z * (Pp3 + z * Pp4)));
            var s = 1 + z * (Qq1 + z * (Qq2 + z * (Qq3 + z * (Qq4 + z * Qq5))));
            return x + x * (r / s);
        }

        if (ix < 0x3ff40000)
        {
            var s = Math.Abs(x) - 1;
            var p = Pa0 + s * (Pa1 + s * (Pa2 + s * (Pa3 + s * (Pa4 + s * (Pa5 + s * Pa6)))));
            var q = 1 + s * (Qa1 + s * (Qa2 + s * (Qa3 + s * (Qa4 + s * (Qa5 + s * Qa6)))));
            return hx >= 0 ? Erx + p / q : -Erx - p / q;
        }

        if (ix >= 0x40180000)
        {
            return hx >= 0 ? 1 - Tiny : Tiny - 1;
        }

        var a = Math.Abs(x);
        var r2 = LibmTail(a, ix < 0x4006DB6E);
        return hx >= 0 ? 1 - r2 / a : r2 / a - 1;
    }

    /// <summary>erfc as fdlibm (and so glibc, and so Python's <c>math.erfc</c>) computes it.</summary>
    public static double Erfc(double x)
    {
        var hx = HighWord(x);
        var ix = hx & 0x7fffffff;
        if (ix >= 0x7ff00000)
        {
            return double.IsNaN(x) ? x : x > 0 ? 0.0 : 2.0;
        }

        if (ix < 0x3feb0000)
        {
            if (ix < 0x3c700000)
            {
                return 1 - x;
            }

            var z = x * x;
            var r = Pp0 + z * (Pp1 + z * (Pp2 + z * (Pp3 + z * Pp4)));
            var s = 1 + z * (Qq1 + z * (Qq2 + z * (Qq3 + z * (Qq4 + z * Qq5))));
            var y = r / s;
            if (hx < 0x3fd00000)
            {
                return 1 - (x + x * y);
            }

            return 0.5 - (x * y + (x - 0.5));
        }

        if (ix < 0x3ff40000)
        {
            var s = Math.Abs(x) - 1;
            var p = Pa0 + s * (Pa1 + s * (Pa2 + s * (Pa3 + s * (Pa4 + s * (Pa5 + s * Pa6)))));
            var q = 1 + s * (Qa1 + s * (Qa2 + s * (Qa3 + s * (Qa4 + s * (Qa5 + s * Qa6)))));
            return hx >= 0 ? 1 - Erx - p / q : 1 + (Erx + p / q);
        }

        if (ix < 0x403c0000)
        {
            if (hx < 0 && ix >= 0x40180000)
            {
                return 2 - Tiny;
            }

            var a = Math.Abs(x);
            var r = LibmTail(a, ix < 0x4006DB6D);
            return hx > 0 ? r / a : 2 - r / a;
        }

        return hx > 0 ? Tiny * Tiny : 2 - Tiny;
    }

    /// <summary>exp(-x² - 0.5625 + R/S) for x ≥ 1.25, with fdlibm's split of x² into exact and small parts.</summary>
    private static double LibmTail(double a, bool nearRange)
    {
        var (numerator, denominator) = TailRatio(a, nearRange);
        var z = BitConverter.Int64BitsToDouble(BitConverter.DoubleToInt64Bits(a) & unchecked((long)0xFFFFFFFF00000000UL));
        return Math.Exp(-z * z - 0.5625) * Math.Exp((z - a) * (z + a) + numerator / denominator);
    }

    /// <summary>The rational approximation R/S of erfc's tail, on [1.25, 1/0.35) or [1/0.35, 28).</summary>
    private static (double Numerator, double Denominator) TailRatio(double a, bool nearRange)
    {
        var s = 1 / (a * a);
        if (nearRange)
        {
            return (
                Ra0 + s * (Ra1 + s * (Ra2 + s * (Ra3 + s * (Ra4 + s * (Ra5 + s * (Ra6 + s * Ra7)))))),
                1 + s * (Sa1 + s * (Sa2 + s * (Sa3 + s * (Sa4 + s * (Sa5 + s * (Sa6 + s * (Sa7 + s * Sa8))))))));
        }

        return (
            Rb0 + s * (Rb1 + s * (Rb2 + s * (Rb3 + s * (Rb4 + s * (Rb5 + s * Rb6))))),
            1 + s * (Sb1 + s * (Sb2 + s * (Sb3 + s * (Sb4 + s * (Sb5 + s * (Sb6 + s * Sb7)))))));
    }

    private static int HighWord(double x) => (int)(BitConverter.DoubleToInt64Bits(x) >> 32);
}
