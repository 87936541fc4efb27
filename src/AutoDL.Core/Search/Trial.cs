namespace AutoDL.Core.Search;

public enum TrialState
{
    Running,
    Complete,
    Pruned,
    Failed,
}

public enum Direction
{
    Minimize,
    Maximize,
}

/// <summary>A value a learner reported on its way (an epoch's or a fold's score); pruners judge these.</summary>
public sealed record IntermediateValue(int Step, double Value);

/// <summary>One evaluation of one set of parameters. <see cref="Params"/> holds internal values (see <see cref="Distribution"/>).</summary>
public sealed record Trial
{
    public required int Number { get; init; }
    public required TrialState State { get; init; }
    public required IReadOnlyDictionary<string, double> Params { get; init; }

    /// <summary>One value per objective; set when Complete.</summary>
    public IReadOnlyList<double>? Values { get; init; }

    public IReadOnlyList<IntermediateValue> Intermediate { get; init; } = [];
    public DateTimeOffset StartedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }
    public DateTimeOffset HeartbeatAt { get; init; }
    public string? Worker { get; init; }
    /// <summary>Why it failed or was cut short; on a Complete trial, a note on how it ended (<see cref="TrialContext.Note"/>).</summary>
    public string? Error { get; init; }

    /// <summary>Failed because its worker stopped sending heartbeats: it does not use up the trial budget.</summary>
    public bool Stale { get; init; }

    public bool IsFinished => State != TrialState.Running;

    /// <summary>The single objective's value (Complete trials of single-objective searches).</summary>
    public double? Value => Values is [var v] ? v : null;

    /// <summary>The first objective's value (Complete trials): the metric of a search that also minimises latency or size.</summary>
    public double? Primary => Values is { Count: > 0 } values ? values[0] : null;

    /// <summary>The last reported intermediate value, which stands for a pruned trial when samplers rank trials.</summary>
    public IntermediateValue? LastIntermediate => Intermediate.Count == 0 ? null : Intermediate.MaxBy(i => i.Step);

    /// <summary>
    /// The best reported intermediate value in <paramref name="direction"/>, the earliest step of a tie (an image
    /// trial's best epoch, whose weights it keeps); null when it reported nothing finite.
    /// </summary>
    public IntermediateValue? BestIntermediate(Direction direction)
    {
        IntermediateValue? best = null;
        foreach (var value in Intermediate.Where(i => double.IsFinite(i.Value)).OrderBy(i => i.Step))
        {
            if (best is null || (direction == Direction.Maximize ? value.Value > best.Value : value.Value < best.Value))
            {
                best = value;
            }
        }

        return best;
    }
}
