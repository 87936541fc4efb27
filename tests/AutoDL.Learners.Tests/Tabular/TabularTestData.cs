using System.Globalization;
using System.Text;
using AutoDL.Learners.Tabular;

namespace AutoDL.Learners.Tests.Tabular;

/// <summary>The tables the tabular tests learn from: Fisher's iris (shipped with the tests) and a generated regression table.</summary>
internal static class TabularTestData
{
    public static TabularData Iris { get; } = new(
        Path.Combine(AppContext.BaseDirectory, "Data", "iris.csv"),
        ',',
        HasHeader: true,
        [
            new TabularColumn("sepal_length", TabularColumnKind.Numeric),
            new TabularColumn("sepal_width", TabularColumnKind.Numeric),
            new TabularColumn("petal_length", TabularColumnKind.Numeric),
            new TabularColumn("petal_width", TabularColumnKind.Numeric),
            new TabularColumn("species", TabularColumnKind.Categorical),
        ]);

    /// <summary>
    /// Writes a regression table: y = 50 + 8·x1 − 5·x2 + 3·x3 + colour effect + 3 on weekends + 2 for "good" notes
    /// + 1 on holidays + noise, with an identifier, a date, a free-text note, a yes/no flag, a 60-valued shop code
    /// (too many values to one-hot encode by default: it is hashed) and a few missing x3 values.
    /// </summary>
    public static TabularData WriteRegression(string path, int rows = 300, int seed = 11)
    {
        var random = new Random(seed);
        var csv = new StringBuilder("id,x1,x2,x3,colour,day,note,holiday,shop,y\n");
        string[] colours = ["red", "green", "blue"];
        double[] colourEffect = [4, 0, -4];
        var start = new DateTime(2021, 1, 1, 0, 0, 0, DateTimeKind.Unspecified);
        for (var i = 0; i < rows; i++)
        {
            var x1 = random.NextDouble() * 2 - 1;
            var x2 = random.NextDouble() * 2 - 1;
            var x3 = random.NextDouble() * 2 - 1;
            var colour = random.Next(colours.Length);
            var day = start.AddDays(random.Next(365)).AddHours(random.Next(24));
            var good = random.Next(2) == 0;
            var weekend = day.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday;
            var holiday = random.Next(10) == 0;
            var shop = random.Next(60);
            var noise = (random.NextDouble() - 0.5) * 2;
            var y = 50 + 8 * x1 - 5 * x2 + 3 * x3 + colourEffect[colour] + (weekend ? 3 : 0) + (good ? 2 : 0) + (holiday ? 1 : 0) + noise;
            var x3Text = i % 25 == 7 ? "" : F(x3);
            var note = good ? "a good day, \"fine\"" : "a bad day";
            csv.Append(CultureInfo.InvariantCulture,
                $"r{i},{F(x1)},{F(x2)},{x3Text},{colours[colour]},{day:yyyy-MM-ddTHH:mm:ss},\"{note.Replace("\"", "\"\"")}\",{(holiday ? "yes" : "no")},s{shop},{F(y)}\n");
        }

        File.WriteAllText(path, csv.ToString());
        return new TabularData(path, ',', HasHeader: true,
        [
            new TabularColumn("id", TabularColumnKind.Identifier),
            new TabularColumn("x1", TabularColumnKind.Numeric),
            new TabularColumn("x2", TabularColumnKind.Numeric),
            new TabularColumn("x3", TabularColumnKind.Numeric),
            new TabularColumn("colour", TabularColumnKind.Categorical),
            new TabularColumn("day", TabularColumnKind.DateTime),
            new TabularColumn("note", TabularColumnKind.Text),
            new TabularColumn("holiday", TabularColumnKind.Boolean),
            new TabularColumn("shop", TabularColumnKind.Categorical),
            new TabularColumn("y", TabularColumnKind.Numeric),
        ]);
    }

    /// <summary>
    /// A binary experiment over a table made in memory (no file): <paramref name="features"/> uniform numbers and a
    /// yes/no label from a noisy non-linear rule of the first five; split with one 20% hold-out instead of folds.
    /// </summary>
    /// <param name="learners">The search's learners; null: the default ones.</param>
    public static TabularExperiment LargeBinary(int rows, int features, int seed, IReadOnlyCollection<string>? learners = null)
    {
        var random = new Random(seed);
        var columns = Enumerable.Range(0, features).Select(_ => new float[rows]).ToArray();
        var labels = new ReadOnlyMemory<char>[rows];
        for (var row = 0; row < rows; row++)
        {
            for (var i = 0; i < features; i++)
            {
                columns[i][row] = (float)(random.NextDouble() * 2 - 1);
            }

            var logit = columns[0][row] - 0.8 * columns[1][row] + columns[2][row] * columns[3][row] + Math.Sin(3 * columns[4][row])
                + (random.NextDouble() - 0.5) * 2;
            labels[row] = (logit > 0 ? "yes" : "no").AsMemory();
        }

        var description = new TabularData("generated-in-memory.csv", ',', HasHeader: true,
            [.. Enumerable.Range(0, features).Select(i => new TabularColumn($"x{i}", TabularColumnKind.Numeric)), new TabularColumn("label", TabularColumnKind.Categorical)]);
        var table = new TabularTable(
            [.. columns.Select((values, i) => (TableColumn)new SingleTableColumn($"x{i}", values)), new TextTableColumn("label", labels)], rows);
        var loaded = new LoadedTable(table, description.Columns.Take(features).ToList(), description.Columns[^1], RowsWithoutTarget: 0);
        return TabularExperiment.FromTable(description, new TabularExperimentOptions("label") { Seed = seed, HoldoutAboveRows = 1000, Learners = learners }, loaded);
    }

    /// <summary>Writes iris without its setosa rows: versicolor against virginica, a binary task.</summary>
    public static TabularData WriteBinaryIris(string path)
    {
        File.WriteAllLines(path, File.ReadLines(Iris.CsvPath).Where(line => !line.EndsWith(",setosa", StringComparison.Ordinal)));
        return Iris with { CsvPath = path };
    }

    /// <summary>The rows of a headed CSV (one line per row), as the name → value dictionaries a predictor takes.</summary>
    public static List<IReadOnlyDictionary<string, object?>> Rows(string path)
    {
        var lines = File.ReadAllLines(path).Where(l => l.Length > 0).ToList();
        var header = TabularLoader.SplitHeader(lines[0], ',');
        return lines.Skip(1)
            .Select(line => (IReadOnlyDictionary<string, object?>)header.Zip(TabularLoader.SplitHeader(line, ','))
                .ToDictionary(x => x.First, x => (object?)x.Second, StringComparer.Ordinal))
            .ToList();
    }

    private static string F(double value) => value.ToString("0.######", CultureInfo.InvariantCulture);
}

/// <summary>A temporary folder for one test class's files, deleted afterwards.</summary>
public sealed class TemporaryFolder : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("autodl-tabular-").FullName;

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
