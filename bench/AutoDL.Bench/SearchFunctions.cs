using AutoDL.Core.Search;

namespace AutoDL.Bench;

/// <summary>A test function to minimise, its space, and its known optimum. Keep in step with bench/optuna_peer.py.</summary>
public sealed record SearchFunction(string Name, SearchSpace Space, Func<IReadOnlyDictionary<string, object>, double> Evaluate, double Optimum, int Trials);

public static class SearchFunctions
{
    private static readonly double[,] HartmannA = { { 10, 3, 17, 3.5, 1.7, 8 }, { 0.05, 10, 17, 0.1, 8, 14 }, { 3, 3.5, 1.7, 10, 17, 8 }, { 17, 8, 0.05, 10, 0.1, 14 } };
    private static readonly double[,] HartmannP =
    {
        { 0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886 }, { 0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991 },
        { 0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.6650 }, { 0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381 },
    };
    private static readonly double[] HartmannAlpha = [1.0, 1.2, 3.0, 3.2];

    public static IReadOnlyList<SearchFunction> All { get; } =
    [
        new("branin", SearchSpace.Create(new ParameterSpec("x1", new FloatDistribution(-5, 10)), new ParameterSpec("x2", new FloatDistribution(0, 15))),
            Branin, 0.397887, 100),
        new("hartmann6", SearchSpace.Create(Enumerable.Range(0, 6).Select(i => new ParameterSpec($"x{i}", new FloatDistribution(0, 1)))),
            Hartmann6, -3.32237, 200),
        new("rosenbrock10", SearchSpace.Create(Enumerable.Range(0, 10).Select(i => new ParameterSpec($"x{i}", new FloatDistribution(-5, 10)))),
            Rosenbrock10, 0, 100),
        new("mixed", SearchSpace.Create(
                new ParameterSpec("kind", new CategoricalDistribution(["quadratic", "log", "flat"])),
                new ParameterSpec("quadratic.x", new FloatDistribution(-5, 5), new Condition("kind", In: ["quadratic"])),
                new ParameterSpec("quadratic.k", new IntDistribution(1, 10), new Condition("kind", In: ["quadratic"])),
                new ParameterSpec("log.y", new FloatDistribution(1e-4, 10, Log: true), new Condition("kind", In: ["log"])),
                new ParameterSpec("log.n", new IntDistribution(1, 64, Log: true), new Condition("kind", In: ["log"]))),
            Mixed, 0, 100),
    ];

    private static double X(IReadOnlyDictionary<string, object> p, string name) => Convert.ToDouble(p[name]);

    private static double Branin(IReadOnlyDictionary<string, object> p)
    {
        double x1 = X(p, "x1"), x2 = X(p, "x2");
        double b = 5.1 / (4 * Math.PI * Math.PI), c = 5 / Math.PI, t = 1 / (8 * Math.PI);
        return Math.Pow(x2 - b * x1 * x1 + c * x1 - 6, 2) + 10 * (1 - t) * Math.Cos(x1) + 10;
    }

    private static double Hartmann6(IReadOnlyDictionary<string, object> p)
    {
        var sum = 0.0;
        for (var i = 0; i < 4; i++)
        {
            var inner = 0.0;
            for (var j = 0; j < 6; j++)
            {
                inner += HartmannA[i, j] * Math.Pow(X(p, $"x{j}") - HartmannP[i, j], 2);
            }

            sum += HartmannAlpha[i] * Math.Exp(-inner);
        }

        return -sum;
    }

    private static double Rosenbrock10(IReadOnlyDictionary<string, object> p)
    {
        var sum = 0.0;
        for (var i = 0; i < 9; i++)
        {
            double a = X(p, $"x{i}"), b = X(p, $"x{i + 1}");
            sum += 100 * Math.Pow(b - a * a, 2) + Math.Pow(1 - a, 2);
        }

        return sum;
    }

    private static double Mixed(IReadOnlyDictionary<string, object> p) => (string)p["kind"] switch
    {
        "quadratic" => Math.Pow(X(p, "quadratic.x") - 1.5, 2) + Math.Abs(X(p, "quadratic.k") - 7) / 2,
        "log" => Math.Pow(Math.Log10(X(p, "log.y") / 0.01), 2) + Math.Abs(Math.Log2(X(p, "log.n")) - 3) / 2 + 0.5,
        _ => 2.0,
    };
}
