namespace AutoDL.Core.Explanations;

/// <summary>
/// The rows an explainer takes absent columns' values from, each with a weight (the weights sum to 1). A coalition's
/// value is the weighted mean prediction over these rows with the coalition's columns set to the explained row's.
/// </summary>
public sealed record Background
{
    private Background(Rows rows, double[] weights)
    {
        Rows = rows;
        Weights = weights;
    }

    public Rows Rows { get; }

    /// <summary>One weight per row of <see cref="Rows"/>, summing to 1.</summary>
    public IReadOnlyList<double> Weights { get; }

    public int Count => Rows.Count;

    /// <summary>Every row, weighted equally.</summary>
    public static Background Of(Rows rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Count == 0)
        {
            throw new ArgumentException("The background needs at least one row.", nameof(rows));
        }

        return new Background(rows, Enumerable.Repeat(1.0 / rows.Count, rows.Count).ToArray());
    }

    /// <summary>The rows with the given weights (normalised to sum to 1).</summary>
    public static Background Of(Rows rows, IReadOnlyList<double> weights)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(weights);
        var total = weights.Sum();
        if (rows.Count == 0 || weights.Count != rows.Count || weights.Any(w => w < 0 || !double.IsFinite(w)) || total <= 0)
        {
            throw new ArgumentException("The background needs one finite, non-negative weight per row, not all zero.", nameof(weights));
        }

        return new Background(rows, weights.Select(w => w / total).ToArray());
    }

    /// <summary>
    /// <paramref name="rows"/> summarised by k-means into at most <paramref name="k"/> rows weighted by cluster size
    /// (as shap's <c>kmeans</c>). Rows are clustered on numeric columns standardised and categorical columns one-hot
    /// encoded (a differing label counts as one standard deviation). Each cluster's row holds, for a numeric column,
    /// the mean of its members' values (so the weighted mean of every numeric column is the data's mean), and for any
    /// other column the most frequent value among its members (ties: the first met). With no more rows than
    /// <paramref name="k"/>, the rows themselves, weighted equally.
    /// </summary>
    public static Background Summarize(Rows rows, int k = 10, int seed = 0) => KMeans.Summarize(rows, k, seed);

    internal static Background Create(Rows rows, double[] weights) => new(rows, weights);
}
