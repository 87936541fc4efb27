namespace AutoDL.Core.Search;

/// <summary>
/// What a pruner judges: the running trial (with the intermediate value it has just reported, at its last step), every
/// trial of the search, and the direction of the (first) objective.
/// </summary>
public sealed record PruningContext(Trial Trial, IReadOnlyList<Trial> Trials, Direction Direction)
{
    /// <summary>The step just reported.</summary>
    public int Step => Trial.LastIntermediate?.Step ?? throw new InvalidOperationException($"Trial {Trial.Number} has reported nothing yet.");
}

/// <summary>Decides from a trial's intermediate values, and the other trials', whether to stop it early.</summary>
public interface IPruner
{
    bool ShouldPrune(PruningContext context);
}

/// <summary>Never prunes.</summary>
public sealed class NopPruner : IPruner
{
    public bool ShouldPrune(PruningContext context) => false;
}
