using System.Text.Json;
using System.Text.Json.Serialization;

namespace AutoDL.Core.Datasets;

/// <summary>
/// What one read of a CSV file found beyond its schema: per column counts, distributions and top values, how columns
/// relate, duplicate rows and the first rows. Values only (no cycles), serialisable with System.Text.Json; no NaN or
/// infinity anywhere (an undefined value is null).
/// </summary>
/// <param name="Schema">The inferred schema, from the same read.</param>
/// <param name="Rows">Data rows (the column names row is not counted).</param>
/// <param name="DuplicateRows">Rows that repeat an earlier row exactly (every value as written), told apart by a 64-bit hash of the values.</param>
/// <param name="DuplicateRowsIsLowerBound">More distinct rows came than <see cref="DatasetProfileOptions.DuplicateRowHashCap"/>: repeats of the later ones were not counted.</param>
/// <param name="Correlations">Pearson correlation between numeric, integer and boolean columns, from the sample.</param>
/// <param name="Associations">Association between every two columns that could be a target, from the sample.</param>
/// <param name="AssociationRows">
/// Rows in the uniform random sample that <paramref name="Correlations"/>, <paramref name="Associations"/> and
/// approximate quantiles come from: every row when it equals <paramref name="Rows"/>.
/// </param>
/// <param name="Preview">The first rows, each value as written (quotes removed), in the columns' order.</param>
public sealed record DatasetProfile(
    DatasetSchema Schema,
    long Rows,
    long DuplicateRows,
    bool DuplicateRowsIsLowerBound,
    IReadOnlyList<ColumnProfile> Columns,
    CorrelationMatrix Correlations,
    AssociationMatrix Associations,
    long AssociationRows,
    IReadOnlyList<IReadOnlyList<string>> Preview);

/// <summary>
/// One column's profile. Which of <paramref name="Numeric"/>, <paramref name="TopValues"/> and <paramref name="Datetime"/>
/// is set follows <paramref name="Type"/>: numeric and integer columns get numbers; categorical, boolean, text,
/// identifier and constant columns their top values (a categorical or boolean target's class balance); datetime
/// columns their range.
/// </summary>
/// <param name="MissingPercent">Missing values as a percentage of the rows, 0 to 100.</param>
/// <param name="DistinctCount">Distinct present values, counted as the schema counts them (a lower bound when <paramref name="DistinctCountIsLowerBound"/>).</param>
public sealed record ColumnProfile(
    string Name,
    ColumnType Type,
    long MissingCount,
    double MissingPercent,
    long DistinctCount,
    bool DistinctCountIsLowerBound,
    NumericProfile? Numeric,
    TopValues? TopValues,
    DatetimeRange? Datetime);

/// <summary>
/// A numeric or integer column's distribution over every present finite value (<paramref name="Count"/> of them).
/// </summary>
/// <param name="Std">Sample standard deviation (divides by n - 1); null with fewer than two values.</param>
/// <param name="QuantilesExact">
/// The quantiles are exact (every value was counted, or all the rows are in the sample); otherwise they come from the
/// sample and are narrowed to the exact histogram bin that holds each one.
/// </param>
/// <param name="Histogram">
/// About <see cref="DatasetProfileOptions.HistogramBins"/> bins of equal width counting every value (their counts add up
/// to <paramref name="Count"/>). The first bin starts at or just below <paramref name="Min"/>, the last ends just above
/// <paramref name="Max"/>: widths are round (a power of two times a whole number; whole numbers for integer columns).
/// </param>
public sealed record NumericProfile(
    long Count,
    double Min,
    double Max,
    double Mean,
    double? Std,
    Quantiles Quantiles,
    bool QuantilesExact,
    IReadOnlyList<HistogramBin> Histogram);

/// <summary>Percentiles, interpolated linearly between neighbouring values (as numpy and pandas do by default).</summary>
public sealed record Quantiles(double P1, double P5, double P25, double P50, double P75, double P95, double P99);

/// <summary>Values from <paramref name="Lower"/> (included) to <paramref name="Upper"/> (excluded; included for a one-bin histogram of one value).</summary>
public sealed record HistogramBin(double Lower, double Upper, long Count);

/// <summary>
/// The most frequent present values, most frequent first (ties by value), and how many present values are none of them.
/// </summary>
/// <param name="Exact">
/// Every present value was counted. False when the column had more distinct values than
/// <see cref="DatasetScanOptions.DistinctValueCap"/>: values first seen after that were not counted on their own (they
/// are in <paramref name="OtherCount"/>), so a frequent late value could be missing from the list.
/// </param>
public sealed record TopValues(IReadOnlyList<ValueCount> Values, long OtherCount, bool Exact);

public sealed record ValueCount(string Value, long Count);

/// <summary>Earliest and latest value as written, in ISO order (time zone offsets are not applied).</summary>
public sealed record DatetimeRange(string Min, string Max);

/// <summary>Pearson correlation between the named columns; <c>Values[i][j]</c> is null where it is undefined (a constant column, too few rows).</summary>
public sealed record CorrelationMatrix(IReadOnlyList<string> Columns, IReadOnlyList<IReadOnlyList<double?>> Values);

/// <summary>
/// Association, 0 to 1, between every two columns that could be a target: numeric, integer, boolean, and categorical
/// with at most <see cref="DatasetProfileOptions.AssociationMaxCategories"/> values. <c>Values[i][j]</c> (symmetric) is
/// |Pearson| between two numbers, the correlation ratio η between a number and a category, Cramér's V between two
/// categories; <see cref="Kinds"/> says which each column is. Row <c>i</c> is "association with target <c>i</c>".
/// </summary>
public sealed record AssociationMatrix(IReadOnlyList<string> Columns, IReadOnlyList<AssociationKind> Kinds, IReadOnlyList<IReadOnlyList<double?>> Values);

/// <summary>How a column takes part in associations: as a number, or as a category (booleans are categories).</summary>
[JsonConverter(typeof(CamelCaseEnumConverter<AssociationKind>))]
public enum AssociationKind
{
    Number,
    Category,
}

/// <summary>Writes an enum as its camelCase name (<c>numeric</c>, <c>utf16LittleEndian</c>) and reads it back.</summary>
public sealed class CamelCaseEnumConverter<TEnum>() : JsonStringEnumConverter<TEnum>(JsonNamingPolicy.CamelCase, allowIntegerValues: false)
    where TEnum : struct, Enum;
