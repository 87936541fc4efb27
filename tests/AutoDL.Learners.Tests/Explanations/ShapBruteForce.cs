using AutoDL.Learners.Explanations;

namespace AutoDL.Learners.Tests.Explanations;

/// <summary>
/// Shapley values by their definition, to check TreeSHAP against: v(S) is the tree's conditional expectation given
/// the slots in S (follow the row at a split on a slot of S, else average both children by cover), and φᵢ the
/// weighted sum over every subset S without i of v(S ∪ {i}) − v(S). Only slots some tree splits on are players
/// (the others add nothing to any v(S), so every φ is the same without them).
/// </summary>
internal static class ShapBruteForce
{
    public static double[] Shap(ShapEnsemble ensemble, float[] x)
    {
        var players = ensemble.Trees.SelectMany(t => Enumerable.Range(0, t.Nodes).Select(t.Feature)).Distinct().Order().ToArray();
        var m = players.Length;
        var phi = new double[x.Length];
        var factorial = new double[m + 1];
        factorial[0] = 1;
        for (var i = 1; i <= m; i++)
        {
            factorial[i] = factorial[i - 1] * i;
        }

        for (var p = 0; p < m; p++)
        {
            for (var mask = 0; mask < 1 << m; mask++)
            {
                if ((mask & (1 << p)) != 0)
                {
                    continue;
                }

                var size = System.Numerics.BitOperations.PopCount((uint)mask);
                var weight = factorial[size] * factorial[m - size - 1] / factorial[m];
                phi[players[p]] += weight * (Value(ensemble, x, players, mask | (1 << p)) - Value(ensemble, x, players, mask));
            }
        }

        return phi;
    }

    public static double Value(ShapEnsemble ensemble, float[] x, int[] players, int mask)
    {
        var known = new HashSet<int>(players.Where((_, i) => (mask & (1 << i)) != 0));
        return ensemble.Trees.Sum(t => t.Nodes == 0 ? t.LeafValue(0) : Value(t, 0, x, known));
    }

    private static double Value(ShapTree tree, int child, float[] x, HashSet<int> known)
    {
        if (child < 0)
        {
            return tree.LeafValue(~child);
        }

        if (known.Contains(tree.Feature(child)))
        {
            return Value(tree, tree.Next(child, x[tree.Feature(child)]), x, known);
        }

        return tree.Fraction(child, tree.Left(child)) * Value(tree, tree.Left(child), x, known)
            + tree.Fraction(child, tree.Right(child)) * Value(tree, tree.Right(child), x, known);
    }
}
