using AutoDL.Core.Search;

namespace AutoDL.Data.Search;

/// <summary>
/// One trial of a <see cref="SearchRow"/> (table <c>Trials</c>). (SearchId, Number) is unique: the database's own
/// guarantee that no trial number is handed out twice. Times are UTC <see cref="DateTime"/>s.
/// </summary>
public sealed class TrialRow
{
    public long Id { get; init; }
    public required string SearchId { get; init; }
    public required int Number { get; init; }
    public required TrialState State { get; init; }

    /// <summary>Internal parameter values, as a JSON object of name to number.</summary>
    public required string ParamsJson { get; init; }

    /// <summary>One value per objective, as a JSON array; set when Complete.</summary>
    public string? ValuesJson { get; init; }

    /// <summary>Reported intermediate values in step order, as a JSON array of <c>{ step, value }</c>.</summary>
    public required string IntermediateJson { get; init; }

    public DateTime StartedAt { get; init; }
    public DateTime? FinishedAt { get; init; }
    public DateTime HeartbeatAt { get; init; }
    public required string Worker { get; init; }
    public string? Error { get; init; }
    public bool Stale { get; init; }
}
