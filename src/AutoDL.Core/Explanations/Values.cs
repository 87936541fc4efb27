namespace AutoDL.Core.Explanations;

/// <summary>How explainers read the user's values: numbers where a column holds only numbers, labels otherwise.</summary>
internal static class Values
{
    /// <summary><paramref name="value"/> as a double: NaN for null and for anything that is not a CLR number.</summary>
    public static double ToNumber(object? value) => value switch
    {
        double d => d,
        float f => f,
        int i => i,
        long l => l,
        decimal m => (double)m,
        short s => s,
        byte b => b,
        sbyte sb => sb,
        ushort us => us,
        uint ui => ui,
        ulong ul => ul,
        _ => double.NaN,
    };

    public static bool IsNumber(object? value) =>
        value is double or float or int or long or decimal or short or byte or sbyte or ushort or uint or ulong;

    /// <summary>Whether a column is numeric: at least one value, and every value that is not null is a CLR number.</summary>
    public static bool IsNumericColumn(object?[] values)
    {
        var any = false;
        foreach (var value in values)
        {
            if (value is null)
            {
                continue;
            }

            if (!IsNumber(value))
            {
                return false;
            }

            any = true;
        }

        return any;
    }

    /// <summary>The column's values that are numbers (not null, not NaN), sorted.</summary>
    public static double[] SortedNumbers(object?[] values)
    {
        var numbers = values.Select(ToNumber).Where(v => !double.IsNaN(v)).ToArray();
        Array.Sort(numbers);
        return numbers;
    }

    /// <summary>The <paramref name="q"/>-quantile of sorted numbers, interpolated linearly (NumPy's default).</summary>
    public static double Quantile(double[] sorted, double q)
    {
        if (sorted.Length == 0)
        {
            return double.NaN;
        }

        var position = q * (sorted.Length - 1);
        var low = (int)Math.Floor(position);
        var high = Math.Min(low + 1, sorted.Length - 1);
        return sorted[low] + (position - low) * (sorted[high] - sorted[low]);
    }

    /// <summary>A label for a value in messages and group names.</summary>
    public static string Label(object? value) => value switch
    {
        null => "(missing)",
        IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "(missing)",
    };
}
