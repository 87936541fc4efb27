using System.Globalization;

namespace AutoDL.Core.Search;

/// <summary>
/// When a parameter is active, judged on its parent's value: one of <see cref="In"/> (e.g. <c>learner in [lightgbm]</c>),
/// or within [<see cref="Min"/>, <see cref="Max"/>] for numbers (e.g. <c>blocks &gt;= 3</c>). A parameter whose parent is
/// inactive is inactive too.
/// </summary>
public sealed record Condition(string Parent, IReadOnlyList<string>? In = null, double? Min = null, double? Max = null)
{
    public bool IsMetBy(object parentValue) => parentValue switch
    {
        string text => In is not null && In.Contains(text, StringComparer.Ordinal),
        double or long => IsMetByNumber(Convert.ToDouble(parentValue, CultureInfo.InvariantCulture)),
        _ => false,
    };

    private bool IsMetByNumber(double value)
    {
        if (In is not null)
        {
            return In.Any(s => double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v == value);
        }

        return (Min is null || value >= Min) && (Max is null || value <= Max);
    }

    public string? Problem() =>
        In is null && Min is null && Max is null ? "needs 'in' values or a 'min'/'max' range"
        : In is not null && (Min is not null || Max is not null) ? "takes either 'in' values or a 'min'/'max' range, not both"
        : In is { Count: 0 } ? "'in' needs at least one value"
        : null;

    public bool Equals(Condition? other) =>
        other is not null && Parent == other.Parent && Min == other.Min && Max == other.Max
        && (In is null ? other.In is null : other.In is not null && In.SequenceEqual(other.In, StringComparer.Ordinal));

    public override int GetHashCode() => HashCode.Combine(Parent, Min, Max, In?.Count);
}
