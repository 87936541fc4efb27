using AutoDL.Core.Search;

namespace AutoDL.Learners.Ensembles;

/// <summary>
/// What greedy ensemble selection chose: how many times each candidate was picked (its weight; candidates in the
/// order given), the ensemble's score, and the best single candidate's score on the same rows and metric.
/// </summary>
/// <param name="Counts">Picks per candidate; they sum to <paramref name="Rounds"/>.</param>
/// <param name="Rounds">The rounds of the kept ensemble: the shortest prefix of the greedy path with the best score.</param>
/// <param name="Score">The kept ensemble's score.</param>
/// <param name="BestSingle">Index of the best single candidate (the first round's pick).</param>
/// <param name="BestSingleScore">That candidate's score alone.</param>
/// <param name="Path">The ensemble's score after each of the rounds run (all of them, not only the kept prefix).</param>
public sealed record EnsembleSelectionResult(
    IReadOnlyList<int> Counts, int Rounds, double Score, int BestSingle, double BestSingleScore, IReadOnlyList<double> Path)
{
    /// <summary>Candidates picked at least once.</summary>
    public int Members => Counts.Count(c => c > 0);

    /// <summary>Whether the ensemble is strictly better than its best single candidate (by more than rounding noise) and has two members or more.</summary>
    public bool BeatsBestSingle(Direction direction) =>
        Members >= 2 && EnsembleSelection.Better(Score, BestSingleScore, direction);
}

/// <summary>
/// Greedy forward ensemble selection with replacement (Caruana, Niculescu-Mizil, Crew and Ksikes, "Ensemble selection
/// from libraries of models", ICML 2004). Each candidate is one model's predictions on the same rows (out-of-fold
/// predictions): per row, <c>width</c> numbers (class probabilities, or one value). Starting from the empty ensemble,
/// each round adds the candidate (repeats allowed) whose addition gives the best score of the ensemble, the ensemble
/// predicting the weighted mean of its members (weights = picks). After all rounds the shortest prefix with the best
/// score is kept, as the paper does, so an ensemble that nothing improves stays the single best candidate. Ties go
/// to the lower candidate index (order candidates best first), so the result is a pure function of the input.
/// </summary>
public static class EnsembleSelection
{
    /// <summary>Improvements smaller than this (relative to the score's size) are rounding noise, not improvements.</summary>
    public const double Tolerance = 1e-12;

    /// <param name="candidates">Per candidate, its predictions, row-major: row i's numbers at [i·width, (i+1)·width).</param>
    /// <param name="width">Numbers per row: the class count, or 1 for a value.</param>
    /// <param name="score">The metric of a set of predictions (same layout) on the rows; must be a pure function.</param>
    /// <param name="direction">Which way the metric is better.</param>
    /// <param name="rounds">Picks to make (at least 1).</param>
    /// <exception cref="ArgumentException">No candidates, candidates of different lengths, or a length not a multiple of the width.</exception>
    public static EnsembleSelectionResult Select(
        IReadOnlyList<double[]> candidates, int width, Func<double[], double> score, Direction direction, int rounds = 25)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        ArgumentNullException.ThrowIfNull(score);
        if (candidates.Count == 0)
        {
            throw new ArgumentException("Ensemble selection needs at least one candidate.", nameof(candidates));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(rounds, 1);
        var length = candidates[0].Length;
        if (length % width != 0 || candidates.Any(c => c.Length != length))
        {
            throw new ArgumentException($"Every candidate needs the same number of predictions, a multiple of {width}.", nameof(candidates));
        }

        var counts = new int[candidates.Count];
        var sum = new double[length];
        var trial = new double[length];
        var path = new List<double>(rounds);
        var bestCounts = counts;
        var bestScore = double.NaN;
        var bestRounds = 0;
        int bestSingle = -1;
        var bestSingleScore = double.NaN;
        for (var round = 1; round <= rounds; round++)
        {
            var pick = -1;
            var pickScore = double.NaN;
            for (var c = 0; c < candidates.Count; c++)
            {
                var candidate = candidates[c];
                for (var i = 0; i < length; i++)
                {
                    trial[i] = (sum[i] + candidate[i]) / round;
                }

                var value = score(trial);
                if (pick < 0 || Better(value, pickScore, direction))
                {
                    pick = c;
                    pickScore = value;
                }
            }

            counts[pick]++;
            var added = candidates[pick];
            for (var i = 0; i < length; i++)
            {
                sum[i] += added[i];
            }

            path.Add(pickScore);
            if (round == 1)
            {
                bestSingle = pick;
                bestSingleScore = pickScore;
            }

            if (round == 1 || Better(pickScore, bestScore, direction))
            {
                bestScore = pickScore;
                bestRounds = round;
                bestCounts = (int[])counts.Clone();
            }
        }

        return new EnsembleSelectionResult(bestCounts, bestRounds, bestScore, bestSingle, bestSingleScore, path);
    }

    /// <summary>
    /// Whether <paramref name="value"/> is strictly better than <paramref name="than"/> in <paramref name="direction"/>,
    /// by more than rounding noise. NaN is never better; anything finite is better than NaN.
    /// </summary>
    public static bool Better(double value, double than, Direction direction)
    {
        if (double.IsNaN(value))
        {
            return false;
        }

        if (double.IsNaN(than))
        {
            return true;
        }

        var margin = Tolerance * Math.Max(1, Math.Max(Math.Abs(value), Math.Abs(than)));
        return direction == Direction.Maximize ? value > than + margin : value < than - margin;
    }
}
