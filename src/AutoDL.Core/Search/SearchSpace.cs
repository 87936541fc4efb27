using System.Text.Json;
using System.Text.Json.Serialization;

namespace AutoDL.Core.Search;

/// <summary>One searched (or fixed) parameter, active always or only under <see cref="When"/>.</summary>
public sealed record ParameterSpec(string Name, Distribution Distribution, Condition? When = null);

/// <summary>
/// The parameters a search explores, in order: a parameter's condition may only name a parameter defined before it,
/// so walking the list in order always knows the parent's value. Immutable and validated on creation.
/// </summary>
public sealed class SearchSpace
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private readonly Dictionary<string, int> _index;

    public IReadOnlyList<ParameterSpec> Parameters { get; }

    private SearchSpace(IReadOnlyList<ParameterSpec> parameters)
    {
        Parameters = parameters;
        _index = parameters.Select((p, i) => (p.Name, i)).ToDictionary(x => x.Name, x => x.i, StringComparer.Ordinal);
    }

    /// <exception cref="ArgumentException">The space is not valid; the message names every problem and its parameter.</exception>
    public static SearchSpace Create(IEnumerable<ParameterSpec> parameters)
    {
        var list = parameters.ToList();
        var problems = Problems(list);
        if (problems.Count > 0)
        {
            throw new ArgumentException("The search space is not valid: " + string.Join("; ", problems), nameof(parameters));
        }

        return new SearchSpace(list);
    }

    public static SearchSpace Create(params ParameterSpec[] parameters) => Create((IEnumerable<ParameterSpec>)parameters);

    public ParameterSpec this[string name] => Parameters[_index[name]];

    public bool Contains(string name) => _index.ContainsKey(name);

    /// <summary>
    /// Walks the parameters in order and asks <paramref name="pick"/> for the internal value of each active one,
    /// given the values picked so far. Inactive parameters are skipped; fixed ones get 0 without asking.
    /// </summary>
    public Dictionary<string, double> Assign(Func<ParameterSpec, IReadOnlyDictionary<string, double>, double> pick)
    {
        var values = new Dictionary<string, double>(Parameters.Count, StringComparer.Ordinal);
        foreach (var spec in Parameters)
        {
            if (IsActive(spec, values))
            {
                values[spec.Name] = spec.Distribution is FixedDistribution ? 0 : pick(spec, values);
            }
        }

        return values;
    }

    /// <summary>Whether <paramref name="spec"/> is active given the (internal) values of the parameters before it.</summary>
    public bool IsActive(ParameterSpec spec, IReadOnlyDictionary<string, double> values)
    {
        if (spec.When is not { } when)
        {
            return true;
        }

        return values.TryGetValue(when.Parent, out var parent) && when.IsMetBy(this[when.Parent].Distribution.ToExternal(parent));
    }

    /// <summary>Why <paramref name="values"/> is not a valid assignment of this space (internal values), or null.</summary>
    public string? Check(IReadOnlyDictionary<string, double> values)
    {
        foreach (var name in values.Keys.Where(n => !_index.ContainsKey(n)))
        {
            return $"'{name}' is not a parameter of this search space";
        }

        var seen = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var spec in Parameters)
        {
            var active = IsActive(spec, seen);
            var present = values.TryGetValue(spec.Name, out var value);
            if (active && !present)
            {
                return $"'{spec.Name}' is active but has no value";
            }

            if (!active && present)
            {
                return $"'{spec.Name}' has a value but is inactive (its condition on '{spec.When!.Parent}' is not met)";
            }

            if (present)
            {
                if (!spec.Distribution.Contains(value))
                {
                    return $"'{spec.Name}' = {value} is outside its distribution";
                }

                seen[spec.Name] = value;
            }
        }

        return null;
    }

    /// <summary>The learner-facing values: numbers as <see cref="double"/> or <see cref="long"/>, choices as strings.</summary>
    public Dictionary<string, object> ToExternal(IReadOnlyDictionary<string, double> values) =>
        values.ToDictionary(kv => kv.Key, kv => this[kv.Key].Distribution.ToExternal(kv.Value), StringComparer.Ordinal);

    public string ToJson() => JsonSerializer.Serialize(Parameters, Json);

    /// <exception cref="ArgumentException">Not JSON of a search space, or not a valid one; the message says which.</exception>
    public static SearchSpace FromJson(string json)
    {
        List<ParameterSpec>? parameters;
        try
        {
            parameters = JsonSerializer.Deserialize<List<ParameterSpec>>(json, Json);
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"The search space is not valid JSON: {e.Message}", nameof(json), e);
        }

        if (parameters is null || parameters.Any(p => p is null || p.Name is null || p.Distribution is null))
        {
            throw new ArgumentException("The search space JSON needs a list of { name, distribution: { type, ... } }.", nameof(json));
        }

        return Create(parameters);
    }

    private static List<string> Problems(List<ParameterSpec> parameters)
    {
        var problems = new List<string>();
        var defined = new Dictionary<string, ParameterSpec>(StringComparer.Ordinal);
        foreach (var spec in parameters)
        {
            if (string.IsNullOrWhiteSpace(spec.Name))
            {
                problems.Add("a parameter has no name");
                continue;
            }

            if (spec.Distribution.Problem() is { } distribution)
            {
                problems.Add($"'{spec.Name}': {distribution}");
            }

            if (spec.When is { } when)
            {
                if (when.Problem() is { } condition)
                {
                    problems.Add($"'{spec.Name}': its condition {condition}");
                }
                else if (!defined.TryGetValue(when.Parent, out var parent))
                {
                    problems.Add($"'{spec.Name}': its condition names '{when.Parent}', which is not defined before it");
                }
                else if (parent.Distribution is CategoricalDistribution categorical && when.In is { } choices
                         && choices.FirstOrDefault(c => categorical.IndexOf(c) < 0) is { } unknown)
                {
                    problems.Add($"'{spec.Name}': its condition names '{unknown}', which is not a choice of '{when.Parent}'");
                }
            }

            if (!defined.TryAdd(spec.Name, spec))
            {
                problems.Add($"'{spec.Name}' is defined twice");
            }
        }

        return problems;
    }
}
