using System.Globalization;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;

namespace AutoDL.Learners.Tabular;

/// <summary>The input row of the date featuriser: one date cell, under a fixed column name (see <see cref="DateTimePartsMapping"/>).</summary>
public sealed class DateTimeCell
{
    [ColumnName(DateTimePartsMapping.InputColumn)]
    public string Text { get; set; } = string.Empty;
}

/// <summary>The output row of the date featuriser: the calendar parts of one date, NaN when it is missing or unreadable.</summary>
public sealed class DateTimeCellParts
{
    [ColumnName(DateTimePartsMapping.OutputColumn)]
    [VectorType(DateTimePartsMapping.PartCount)]
    public float[] Parts { get; set; } = new float[DateTimePartsMapping.PartCount];
}

/// <summary>
/// Turns a date column into numbers ML.NET can learn from: year, month, day, day of week (Sunday 0), day of year,
/// hour, minute, and days since 1970-01-01 (a trend). ML.NET has no such transform, so this is a custom mapping; as
/// ML.NET saves a custom mapping by contract name alone (not its column names), it reads and writes fixed columns,
/// and the pipeline copies each date column in and its parts out. A saved model that uses it loads only after
/// <c>ComponentCatalog.RegisterAssembly</c> of this assembly, which <see cref="TabularPredictor"/> does.
/// Dates are read with the invariant culture; a written UTC offset is kept as written (the wall-clock parts are the
/// ones written), and dates without one are taken as they are.
/// </summary>
[CustomMappingFactoryAttribute(ContractName)]
public sealed class DateTimePartsMapping : CustomMappingFactory<DateTimeCell, DateTimeCellParts>
{
    public const string ContractName = "AutoDL.Tabular.DateTimeParts";
    public const string InputColumn = "__autodl.datetime";
    public const string OutputColumn = "__autodl.datetime_parts";
    public const int PartCount = 8;

    private static readonly DateTime Epoch = new(1970, 1, 1, 0, 0, 0, DateTimeKind.Unspecified);

    public override Action<DateTimeCell, DateTimeCellParts> GetMapping() => Map;

    public static void Map(DateTimeCell cell, DateTimeCellParts parts)
    {
        if (parts.Parts is not { Length: PartCount })
        {
            parts.Parts = new float[PartCount];
        }

        if (!TryParse(cell.Text, out var date))
        {
            Array.Fill(parts.Parts, float.NaN);
            return;
        }

        parts.Parts[0] = date.Year;
        parts.Parts[1] = date.Month;
        parts.Parts[2] = date.Day;
        parts.Parts[3] = (int)date.DayOfWeek;
        parts.Parts[4] = date.DayOfYear;
        parts.Parts[5] = date.Hour;
        parts.Parts[6] = date.Minute;
        parts.Parts[7] = (float)(date - Epoch).TotalDays;
    }

    public static bool TryParse(string? text, out DateTime date)
    {
        date = default;
        if (TabularValues.IsMissing(text))
        {
            return false;
        }

        if (DateTimeOffset.TryParse(text!.Trim(), CultureInfo.InvariantCulture, DateTimeStyles.AllowWhiteSpaces | DateTimeStyles.AssumeUniversal, out var parsed))
        {
            date = parsed.DateTime;
            return true;
        }

        return false;
    }
}
