using System.Globalization;
using System.Text.Json.Serialization;

namespace AutoDL.Core.Search;

/// <summary>
/// The values one parameter can take. Samplers work on an internal representation, always a <see cref="double"/>
/// (as Optuna does): the number itself for float and int parameters, the index of the choice for categoricals, 0 for
/// fixed values. <see cref="ToExternal"/> turns it into what a learner receives.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(FloatDistribution), "float")]
[JsonDerivedType(typeof(IntDistribution), "int")]
[JsonDerivedType(typeof(CategoricalDistribution), "categorical")]
[JsonDerivedType(typeof(FixedDistribution), "fixed")]
public abstract record Distribution
{
    /// <summary>True when <paramref name="internalValue"/> is a value this distribution can produce.</summary>
    public abstract bool Contains(double internalValue);

    /// <summary>The learner-facing value: <see cref="double"/>, <see cref="long"/> or <see cref="string"/>.</summary>
    public abstract object ToExternal(double internalValue);

    /// <summary>Why the distribution is not usable, or null when it is.</summary>
    public abstract string? Problem();

    /// <summary>True for distributions with one value: samplers need not (and must not) search them.</summary>
    [JsonIgnore]
    public virtual bool IsSingle => false;
}

/// <summary>A real number in [Low, High], uniform or log-uniform, optionally on a grid of <see cref="Step"/>.</summary>
public sealed record FloatDistribution(double Low, double High, bool Log = false, double? Step = null) : Distribution
{
    public override bool Contains(double v)
    {
        if (double.IsNaN(v) || v < Low || v > High)
        {
            return false;
        }

        if (Step is { } step)
        {
            var k = (v - Low) / step;
            return Math.Abs(k - Math.Round(k)) < 1e-8 * Math.Max(1, Math.Abs(k));
        }

        return true;
    }

    public override object ToExternal(double v) => v;

    /// <summary>One value: equal bounds, or a step wider than the range (only <see cref="Low"/> is on the grid).</summary>
    public override bool IsSingle => Low == High || (Step is { } step && Math.Floor((High - Low) / step + 1e-9) == 0);

    public override string? Problem() =>
        !double.IsFinite(Low) || !double.IsFinite(High) ? "bounds must be finite numbers"
        : Low > High ? $"low ({Fmt(Low)}) is above high ({Fmt(High)})"
        : Log && Low <= 0 ? $"a log scale needs low above 0, not {Fmt(Low)}"
        : Log && Step is not null ? "a log scale cannot have a step"
        : Step is <= 0 ? $"step must be above 0, not {Fmt(Step.Value)}"
        : null;

    /// <summary>The nearest value on the grid (or in range), for samplers that draw from a continuous density.</summary>
    public double Snap(double v)
    {
        if (Step is { } step)
        {
            var top = Low + Math.Floor((High - Low) / step + 1e-9) * step;
            v = Low + Math.Round((v - Low) / step) * step;
            return Math.Clamp(v, Low, top);
        }

        return Math.Clamp(v, Low, High);
    }

    internal static string Fmt(double v) => v.ToString("R", CultureInfo.InvariantCulture);
}

/// <summary>An integer in [Low, High] on a grid of <see cref="Step"/>, uniform or log-uniform.</summary>
public sealed record IntDistribution(long Low, long High, bool Log = false, long Step = 1) : Distribution
{
    public override bool Contains(double v) =>
        !double.IsNaN(v) && v >= Low && v <= High && v == Math.Floor(v) && ((long)v - Low) % Step == 0;

    public override object ToExternal(double v) => (long)Math.Round(v);

    /// <summary>One value: equal bounds, or a step wider than the range (only <see cref="Low"/> is on the grid).</summary>
    public override bool IsSingle => Low == High || (Step > 0 && (High - Low) / Step == 0);

    public override string? Problem() =>
        Low > High ? $"low ({Low}) is above high ({High})"
        : Log && Low < 1 ? $"a log scale needs low of at least 1, not {Low}"
        : Log && Step != 1 ? "a log scale needs step 1"
        : Step < 1 ? $"step must be at least 1, not {Step}"
        : null;

    /// <summary>The nearest value on the grid within range.</summary>
    public double Snap(double v)
    {
        var top = Low + (High - Low) / Step * Step;
        var k = Math.Round((v - Low) / Step);
        return Math.Clamp(Low + k * Step, Low, top);
    }
}

/// <summary>One of a list of named choices (a learner, an activation, a normalization).</summary>
public sealed record CategoricalDistribution(IReadOnlyList<string> Choices) : Distribution
{
    public override bool Contains(double v) => v >= 0 && v < Choices.Count && v == Math.Floor(v);

    public override object ToExternal(double v) => Choices[(int)v];

    public override bool IsSingle => Choices.Count == 1;

    public override string? Problem() =>
        Choices.Count == 0 ? "a categorical parameter needs at least one choice"
        : Choices.Distinct(StringComparer.Ordinal).Count() != Choices.Count ? "choices must be distinct"
        : null;

    public int IndexOf(string choice)
    {
        for (var i = 0; i < Choices.Count; i++)
        {
            if (string.Equals(Choices[i], choice, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Records compare lists by reference; two distributions with the same choices are the same distribution.</summary>
    public bool Equals(CategoricalDistribution? other) =>
        other is not null && Choices.SequenceEqual(other.Choices, StringComparer.Ordinal);

    public override int GetHashCode() => Choices.Aggregate(17, (h, c) => HashCode.Combine(h, c));
}

/// <summary>A parameter that is not searched: always <see cref="Number"/> or always <see cref="Text"/>.</summary>
public sealed record FixedDistribution(double? Number = null, string? Text = null) : Distribution
{
    public override bool Contains(double v) => v == 0;

    public override object ToExternal(double v) => Text ?? (object)Number!.Value;

    public override bool IsSingle => true;

    public override string? Problem() =>
        (Number is null) == (Text is null) ? "a fixed parameter needs exactly one of number and text" : null;
}
