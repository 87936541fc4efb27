namespace AutoDL.Learners.Explanations;

/// <summary>
/// One regression tree as TreeSHAP reads it, laid out as ML.NET lays its trees out: internal nodes 0..N−1, each
/// sending a value at or below its threshold left and anything else (NaN too) right; a child below zero is the leaf
/// ~child. Leaf values are already scaled (a forest's 1/T). ML.NET keeps no node covers, so they are counted here by
/// routing rows through the tree (<see cref="AddCover"/>); a node no row reached sends half its weight each way.
/// </summary>
internal sealed class ShapTree
{
    private readonly int[] _left;
    private readonly int[] _right;
    private readonly int[] _feature;
    private readonly float[] _threshold;
    private readonly double[] _leafValues;
    private readonly double[] _cover;

    /// <param name="leafValues">One value a leaf; with no internal node, the tree is the one value <c>leafValues[0]</c>.</param>
    public ShapTree(int[] left, int[] right, int[] feature, float[] threshold, double[] leafValues)
    {
        if (left.Length != right.Length || left.Length != feature.Length || left.Length != threshold.Length || leafValues.Length != left.Length + 1)
        {
            throw new ArgumentException($"A tree of {left.Length} internal nodes needs as many children, features and thresholds, and {left.Length + 1} leaf values.");
        }

        (_left, _right, _feature, _threshold, _leafValues) = (left, right, feature, threshold, leafValues);
        _cover = new double[left.Length + leafValues.Length];
        MaxDepth = left.Length == 0 ? 0 : Depth(0);
    }

    public int Nodes => _left.Length;

    public int MaxDepth { get; }

    public int Left(int node) => _left[node];

    public int Right(int node) => _right[node];

    public int Feature(int node) => _feature[node];

    public float Threshold(int node) => _threshold[node];

    public double LeafValue(int leaf) => _leafValues[leaf];

    /// <summary>Rows counted at a node (an internal node, or a leaf given as its ~index).</summary>
    public double Cover(int child) => _cover[Index(child)];

    /// <summary>The child a value goes to, as ML.NET's trees route it.</summary>
    public int Next(int node, float value) => value <= _threshold[node] ? _left[node] : _right[node];

    /// <summary>The share of <paramref name="node"/>'s rows that went to <paramref name="child"/> (half each way if none came).</summary>
    public double Fraction(int node, int child)
    {
        var total = _cover[node];
        return total > 0 ? _cover[Index(child)] / total : 0.5;
    }

    /// <summary>Counts one row at every node on its path.</summary>
    public void AddCover(ReadOnlySpan<float> x)
    {
        if (Nodes == 0)
        {
            _cover[0]++;
            return;
        }

        var node = 0;
        while (node >= 0)
        {
            _cover[node]++;
            node = Next(node, x[_feature[node]]);
        }

        _cover[Index(node)]++;
    }

    public double Predict(ReadOnlySpan<float> x)
    {
        if (Nodes == 0)
        {
            return _leafValues[0];
        }

        var node = 0;
        while (node >= 0)
        {
            node = Next(node, x[_feature[node]]);
        }

        return _leafValues[~node];
    }

    /// <summary>The cover-weighted mean of the leaves: what the tree predicts knowing nothing of the row.</summary>
    public double Expected() => Nodes == 0 ? _leafValues[0] : Expected(0);

    private double Expected(int child) => child < 0
        ? _leafValues[~child]
        : Fraction(child, _left[child]) * Expected(_left[child]) + Fraction(child, _right[child]) * Expected(_right[child]);

    /// <summary>
    /// Adds the tree's exact path-dependent SHAP values for <paramref name="x"/> to <paramref name="phi"/> (one per
    /// feature slot): Lundberg, Erion and Lee (2018), "Consistent individualized feature attribution for tree
    /// ensembles", Algorithm 2, in O(leaves · depth²).
    /// </summary>
    public void AddShap(ReadOnlySpan<float> x, Span<double> phi)
    {
        if (Nodes == 0)
        {
            return;
        }

        var depth = MaxDepth + 2;
        var path = new PathElement[(depth + 1) * (depth + 2) / 2 + depth + 2];
        Recurse(0, x, phi, path, parentOffset: 0, uniqueDepth: 0, zero: 1, one: 1, feature: -1, isRoot: true);
    }

    private void Recurse(
        int child, ReadOnlySpan<float> x, Span<double> phi, PathElement[] path, int parentOffset, int uniqueDepth, double zero, double one, int feature,
        bool isRoot = false)
    {
        // Each level works on its own copy of the path, after its parent's.
        var offset = isRoot ? 0 : parentOffset + uniqueDepth;
        if (!isRoot)
        {
            Array.Copy(path, parentOffset, path, offset, uniqueDepth);
        }

        Extend(path, offset, uniqueDepth, zero, one, feature);
        if (child < 0)
        {
            var value = _leafValues[~child];
            for (var i = 1; i <= uniqueDepth; i++)
            {
                var element = path[offset + i];
                phi[element.Feature] += UnwoundSum(path, offset, uniqueDepth, i) * (element.One - element.Zero) * value;
            }

            return;
        }

        var split = _feature[child];
        var hot = Next(child, x[split]);
        var cold = hot == _left[child] ? _right[child] : _left[child];
        double incomingZero = 1, incomingOne = 1;
        var k = 0;
        while (k <= uniqueDepth && path[offset + k].Feature != split)
        {
            k++;
        }

        if (k <= uniqueDepth)
        {
            // The feature split higher up already: undo that split, and carry its fractions down.
            incomingZero = path[offset + k].Zero;
            incomingOne = path[offset + k].One;
            Unwind(path, offset, uniqueDepth, k);
            uniqueDepth--;
        }

        var hotZero = Fraction(child, hot) * incomingZero;
        var coldZero = Fraction(child, cold) * incomingZero;
        // A branch no permutation reaches (both fractions 0) adds nothing, and unwinding it would divide by zero.
        if (hotZero != 0 || incomingOne != 0)
        {
            Recurse(hot, x, phi, path, offset, uniqueDepth + 1, hotZero, incomingOne, split);
        }

        if (coldZero != 0)
        {
            Recurse(cold, x, phi, path, offset, uniqueDepth + 1, coldZero, 0, split);
        }
    }

    private static void Extend(PathElement[] path, int o, int d, double zero, double one, int feature)
    {
        path[o + d] = new PathElement { Feature = feature, Zero = zero, One = one, Weight = d == 0 ? 1 : 0 };
        for (var i = d - 1; i >= 0; i--)
        {
            path[o + i + 1].Weight += one * path[o + i].Weight * (i + 1) / (d + 1);
            path[o + i].Weight = zero * path[o + i].Weight * (d - i) / (d + 1);
        }
    }

    private static void Unwind(PathElement[] path, int o, int d, int k)
    {
        var one = path[o + k].One;
        var zero = path[o + k].Zero;
        var next = path[o + d].Weight;
        for (var i = d - 1; i >= 0; i--)
        {
            if (one != 0)
            {
                var previous = path[o + i].Weight;
                path[o + i].Weight = next * (d + 1) / ((i + 1) * one);
                next = previous - path[o + i].Weight * zero * (d - i) / (d + 1);
            }
            else
            {
                path[o + i].Weight = path[o + i].Weight * (d + 1) / (zero * (d - i));
            }
        }

        for (var i = k; i < d; i++)
        {
            path[o + i].Feature = path[o + i + 1].Feature;
            path[o + i].Zero = path[o + i + 1].Zero;
            path[o + i].One = path[o + i + 1].One;
        }
    }

    private static double UnwoundSum(PathElement[] path, int o, int d, int k)
    {
        var one = path[o + k].One;
        var zero = path[o + k].Zero;
        var next = path[o + d].Weight;
        double total = 0;
        for (var i = d - 1; i >= 0; i--)
        {
            if (one != 0)
            {
                var part = next * (d + 1) / ((i + 1) * one);
                total += part;
                next = path[o + i].Weight - part * zero * (d - i) / (d + 1);
            }
            else if (zero != 0)
            {
                total += path[o + i].Weight / zero * (d + 1) / (d - i);
            }
        }

        return total;
    }

    private int Index(int child) => child >= 0 ? child : Nodes + ~child;

    private int Depth(int child) => child < 0 ? 0 : 1 + Math.Max(Depth(_left[child]), Depth(_right[child]));

    private struct PathElement
    {
        public int Feature;
        public double Zero;
        public double One;
        public double Weight;
    }
}

/// <summary>A sum of trees (one model output): its margin, expected margin and SHAP values are the trees' sums.</summary>
internal sealed class ShapEnsemble(IReadOnlyList<ShapTree> trees)
{
    public IReadOnlyList<ShapTree> Trees => trees;

    public void AddCover(ReadOnlySpan<float> x)
    {
        foreach (var tree in trees)
        {
            tree.AddCover(x);
        }
    }

    public double Predict(ReadOnlySpan<float> x)
    {
        double sum = 0;
        foreach (var tree in trees)
        {
            sum += tree.Predict(x);
        }

        return sum;
    }

    public double Expected() => trees.Sum(t => t.Expected());

    public double[] Shap(ReadOnlySpan<float> x)
    {
        var phi = new double[x.Length];
        foreach (var tree in trees)
        {
            tree.AddShap(x, phi);
        }

        return phi;
    }
}
