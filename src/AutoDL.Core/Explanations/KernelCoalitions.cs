namespace AutoDL.Core.Explanations;

/// <summary>Kernel SHAP's coalitions and weighted least-squares fit, following shap's <c>KernelExplainer</c> (<c>explain</c> and <c>solve</c>).</summary>
internal static class KernelCoalitions
{
    /// <summary>
    /// Coalitions of <paramref name="m"/> players (flat masks, <c>m</c> per coalition) and their kernel weights: sizes
    /// enumerated fully from the smallest (each with its complement) while the budget covers them at their share
    /// of the Shapley kernel's weight, the remaining budget drawn in antithetic pairs by the kernel's weight per size.
    /// </summary>
    public static (bool[] Masks, double[] Weights) Draw(int m, int? samples, Random random)
    {
        var budget = samples ?? 2 * m + 2048;
        if (m <= 30)
        {
            budget = (int)Math.Min(budget, (1L << m) - 2);
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(budget, 1, nameof(samples));
        var masks = new List<bool[]>(budget);
        var weights = new List<double>(budget);
        var sizes = m / 2; // ceil((m − 1) / 2), as shap's num_subset_sizes
        var pairedSizes = (m - 1) / 2;
        var sizeWeight = new double[sizes];
        for (var s = 1; s <= sizes; s++)
        {
            sizeWeight[s - 1] = (m - 1.0) / (s * (m - s)) * (s <= pairedSizes ? 2 : 1);
        }

        Normalize(sizeWeight);
        var left = (double)budget;
        var remaining = (double[])sizeWeight.Clone();
        var fullSizes = 0;
        for (var s = 1; s <= sizes; s++)
        {
            var subsets = ShapExplainer.Binomial(m, s) * (s <= pairedSizes ? 2 : 1);
            if (left * remaining[s - 1] / subsets < 1.0 - 1e-8)
            {
                break;
            }

            fullSizes++;
            left -= subsets;
            if (remaining[s - 1] < 1.0)
            {
                var scale = 1 - remaining[s - 1];
                for (var j = 0; j < remaining.Length; j++)
                {
                    remaining[j] /= scale;
                }
            }

            var weight = sizeWeight[s - 1] / ShapExplainer.Binomial(m, s) / (s <= pairedSizes ? 2 : 1);
            foreach (var subset in Subsets(m, s))
            {
                masks.Add(subset);
                weights.Add(weight);
                if (s <= pairedSizes)
                {
                    masks.Add(Complement(subset));
                    weights.Add(weight);
                }
            }
        }

        var fixedCount = masks.Count;
        var samplesLeft = budget - fixedCount;
        if (fullSizes != sizes && samplesLeft > 0)
        {
            var draw = new double[sizes - fullSizes];
            for (var j = 0; j < draw.Length; j++)
            {
                var s = fullSizes + j + 1;
                draw[j] = sizeWeight[s - 1] / (s <= pairedSizes ? 2 : 1);
            }

            Normalize(draw);
            var used = new Dictionary<string, int>();
            var order = Enumerable.Range(0, m).ToArray();
            var attempts = 4 * samplesLeft;
            for (var attempt = 0; attempt < attempts && samplesLeft > 0; attempt++)
            {
                var s = fullSizes + 1 + Pick(draw, random);
                random.Shuffle(order);
                var mask = new bool[m];
                for (var j = 0; j < s; j++)
                {
                    mask[order[j]] = true;
                }

                var key = Key(mask);
                var isNew = !used.TryGetValue(key, out var at);
                if (isNew)
                {
                    used[key] = at = masks.Count;
                    masks.Add(mask);
                    weights.Add(1);
                    samplesLeft--;
                }
                else
                {
                    weights[at]++;
                }

                if (samplesLeft > 0 && s <= pairedSizes)
                {
                    if (isNew)
                    {
                        masks.Add(Complement(mask));
                        weights.Add(1);
                        samplesLeft--;
                    }
                    else
                    {
                        weights[at + 1]++;
                    }
                }
            }

            var weightLeft = sizeWeight.Skip(fullSizes).Sum();
            var drawn = weights.Skip(fixedCount).Sum();
            for (var j = fixedCount; j < weights.Count; j++)
            {
                weights[j] *= weightLeft / drawn;
            }
        }

        var flat = new bool[masks.Count * m];
        for (var j = 0; j < masks.Count; j++)
        {
            masks[j].CopyTo(flat, j * m);
        }

        return (flat, [.. weights]);
    }

    /// <summary>
    /// The weighted least-squares φ of v(S) − E f ≈ Σ_{i∈S} φ_i under Σφ = f(x) − E f, the last player eliminated
    /// as shap does: φ_last = (f(x) − E f) − Σ the others.
    /// </summary>
    public static double[] Solve(bool[] masks, double[] weights, double[] values, int m, double baseValue, double prediction)
    {
        var total = prediction - baseValue;
        var p = m - 1;
        var a = new double[p, p];
        var b = new double[p];
        var x = new double[p];
        for (var s = 0; s < weights.Length; s++)
        {
            var last = masks[s * m + p] ? 1.0 : 0.0;
            var y = values[s] - baseValue - last * total;
            for (var i = 0; i < p; i++)
            {
                x[i] = (masks[s * m + i] ? 1.0 : 0.0) - last;
            }

            var w = weights[s];
            for (var i = 0; i < p; i++)
            {
                if (x[i] == 0)
                {
                    continue;
                }

                b[i] += w * x[i] * y;
                for (var j = 0; j < p; j++)
                {
                    a[i, j] += w * x[i] * x[j];
                }
            }
        }

        var beta = LinearAlgebra.Solve(a, b);
        var phi = new double[m];
        Array.Copy(beta, phi, p);
        phi[p] = total - beta.Sum();
        return phi;
    }

    private static IEnumerable<bool[]> Subsets(int m, int size)
    {
        var index = Enumerable.Range(0, size).ToArray();
        while (true)
        {
            var mask = new bool[m];
            foreach (var i in index)
            {
                mask[i] = true;
            }

            yield return mask;
            var k = size - 1;
            while (k >= 0 && index[k] == m - size + k)
            {
                k--;
            }

            if (k < 0)
            {
                yield break;
            }

            index[k]++;
            for (var j = k + 1; j < size; j++)
            {
                index[j] = index[j - 1] + 1;
            }
        }
    }

    private static bool[] Complement(bool[] mask) => [.. mask.Select(v => !v)];

    private static string Key(bool[] mask) => string.Create(mask.Length, mask, (span, m) =>
    {
        for (var i = 0; i < m.Length; i++)
        {
            span[i] = m[i] ? '1' : '0';
        }
    });

    private static int Pick(double[] probabilities, Random random)
    {
        var u = random.NextDouble();
        for (var j = 0; j < probabilities.Length - 1; j++)
        {
            u -= probabilities[j];
            if (u < 0)
            {
                return j;
            }
        }

        return probabilities.Length - 1;
    }

    private static void Normalize(double[] values)
    {
        var sum = values.Sum();
        for (var j = 0; j < values.Length; j++)
        {
            values[j] /= sum;
        }
    }
}
