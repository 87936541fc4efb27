namespace AutoDL.Core.Explanations;

/// <summary>
/// A model as explainers see it: rows of the user's columns in, one score per row out (the probability of a chosen
/// class, or the regression value). Explainers call it with thousands of rows at once and may reuse the
/// <see cref="Rows"/> they pass for the next call once the task has completed, so it must not keep them.
/// </summary>
public delegate Task<double[]> Scorer(Rows rows, CancellationToken cancellationToken);
