using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using AutoDL.Core.Datasets;
using AutoDL.Jobs.Searches;
using AutoDL.Learners;
using AutoDL.Learners.Tabular;

using static AutoDL.Bench.BenchText;

namespace AutoDL.Bench;

/// <summary>
/// The tabular suite: real tables (shared/datasets/tabular, listed in its manifest.json), each cut by the benchmark into
/// repeated stratified 75/25 train/holdout CSVs. On each split the product searches the training CSV alone (loaded,
/// searched, ensembled and refitted as in <see cref="ProductSearch"/>) and predicts the holdout rows through its model's
/// predictor, as the predict API receives them; scikit-learn 1.2's defaults fit the same training CSV. Then a table per
/// dataset and a summary: ours against the best default, mean ranks, wins / ties / losses.
/// </summary>
public static class SuiteBenchmark
{
    private const double HoldoutFraction = 0.25;

    /// <summary>Ours and the best default tie when their mean metrics are at most this far apart.</summary>
    private const double TieTolerance = 0.002;

    /// <summary>The table size at which a search gets the base budget (<c>--seconds</c>).</summary>
    private const double BudgetRows = 2000;

    private const string Ours = "ours";

    /// <summary>The systems in the order of the tables; scikit-learn's classifier and regressor of a family share a name.</summary>
    private static readonly string[] Systems = [Ours, "LogReg / Ridge", "RandomForest(500)", "HistGradientBoosting", "SVC / SVR", "MLP"];

    private sealed record SuiteDataset(string Name, string File, string Target, TabularTask Task, int Rows, string Notes);

    /// <summary>One system's figures on one split.</summary>
    private sealed record Score(double Metric, double? BalancedAccuracy, double Seconds);

    /// <summary>What ours came to on one split, besides its score: the learners, the best trial's CV and the product's own test on its inner 20%.</summary>
    private sealed record OurSplit(string Learners, double Cv, double InnerTest, int Complete, int Pruned, int Failed, string Failures);

    private sealed record SplitOutcome(int Split, Dictionary<string, Score> Scores, OurSplit? Ours, List<string> Errors);

    private sealed record DatasetOutcome(
        SuiteDataset Dataset, double Budget, int Rows, int RowsWithoutTarget, int TrainRows, int HoldoutRows, List<SplitOutcome> Splits, string? Error)
    {
        /// <summary>A system's metrics over the splits, or null when it did not run on every split (the dataset failed for it).</summary>
        public IReadOnlyList<double>? Metrics(string system) =>
            Error is null && Splits.Count > 0 && Splits.All(s => s.Scores.ContainsKey(system)) ? [.. Splits.Select(s => s.Scores[system].Metric)] : null;

        public double? Mean(string system) => Metrics(system)?.Average();

        public (string System, double Mean)? BestDefault => Systems.Skip(1)
            .Where(s => Mean(s) is not null).Select(s => (System: s, Mean: Mean(s)!.Value)).OrderByDescending(x => x.Mean).FirstOrDefault() is { System: not null } best
            ? best
            : null;

        /// <summary>+1 a win, 0 a tie, −1 a loss (a failure of ours, or no default to compare with, is a loss).</summary>
        public int Verdict => Mean(Ours) is { } ours && BestDefault is { } best
            ? Math.Abs(ours - best.Mean) <= TieTolerance ? 0 : ours > best.Mean ? 1 : -1
            : -1;
    }

    public static async Task<int> RunAsync(string[] args)
    {
        var seconds = Option(args, "--seconds", 60.0);
        var splits = (int)Option(args, "--splits", 3.0);
        var svmMaxRows = (int)Option(args, "--svm-max-rows", 20_000.0);
        var folder = args.SkipWhile(a => a != "--data").Skip(1).FirstOrDefault()
            ?? Path.GetFullPath(Path.Combine(RepositoryRoot(), "..", "shared", "datasets", "tabular"));
        var all = ReadManifest(Path.Combine(folder, "manifest.json"));
        var names = args.SkipWhile(a => a != "--datasets").Skip(1).FirstOrDefault()
            ?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var unknown = names?.Where(n => all.All(d => !d.Name.Equals(n, StringComparison.OrdinalIgnoreCase))).ToList() ?? [];
        if (unknown.Count > 0 || splits < 1)
        {
            Console.Error.WriteLine(splits < 1
                ? "--splits must be at least 1."
                : $"Unknown dataset(s) {string.Join(", ", unknown)}; choose among {string.Join(", ", all.Select(d => d.Name))}.");
            return 2;
        }

        var datasets = names is null ? all : [.. names.Select(n => all.First(d => d.Name.Equals(n, StringComparison.OrdinalIgnoreCase)))];
        Console.WriteLine($"Tabular suite: {datasets.Count} real tables from {folder}; {splits} split(s) each, {HoldoutFraction:P0} held out, stratified "
            + $"(by class; regression by decile of the target), split k seeded k; rows without a target dropped before splitting.");
        Console.WriteLine($"Ours: the product's search on the training CSV alone (CsvScanner schema, the manifest's task, TPE, median pruner, default learners, "
            + "searching CV accuracy or RMSE with 5 folds over the 80% its own test split leaves), the best trial refitted, the finishing ensemble step; "
            + "the answer (ensemble where kept, else the best trial) predicts the holdout rows as text through its predictor. 'fit s' = search + refit + ensemble step.");
        Console.WriteLine($"Budget rule: budget = clamp({seconds:0.#} s × √(rows / {BudgetRows:0}), {seconds / 2:0.#} s, {seconds * 2:0.#} s), rows = the table's rows with a target.");
        Console.WriteLine("Defaults: scikit-learn 1.2 via " + SklearnPeer.Python + ": median imputation, most-frequent imputation and one-hot (handle_unknown='ignore') for "
            + $"categoricals, StandardScaler for LogReg/Ridge, SVC/SVR and MLP; RandomForest 500 trees; SVC/SVR on at most {svmMaxRows:N0} rows. "
            + "Metric: holdout accuracy (classification, classes compared as the file spells them) or R² (regression); balanced accuracy beside it.");
        Console.WriteLine($"Machine: {Environment.ProcessorCount} cores, .NET {Environment.Version}.");

        var temp = Directory.CreateTempSubdirectory("autodl-suite-").FullName;
        var outcomes = new List<DatasetOutcome>();
        var watch = Stopwatch.StartNew();
        try
        {
            foreach (var dataset in datasets)
            {
                var outcome = await RunDatasetAsync(dataset, Path.Combine(folder, dataset.File), seconds, splits, svmMaxRows, temp);
                Print(outcome);
                outcomes.Add(outcome);
                Console.Error.WriteLine($"[suite] {outcomes.Count}/{datasets.Count} datasets done, {watch.Elapsed.TotalMinutes:0.0} min");
            }

            PrintSummary(outcomes, seconds, splits);
            return 0;
        }
        finally
        {
            Directory.Delete(temp, recursive: true);
        }
    }

    private static List<SuiteDataset> ReadManifest(string path)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(path));
        return [.. json.RootElement.GetProperty("datasets").EnumerateArray().Select(d =>
        {
            var file = d.GetProperty("file").GetString()!;
            var task = d.GetProperty("task").GetString() switch
            {
                "binary" => TabularTask.Binary,
                "multiclass" => TabularTask.Multiclass,
                "regression" => TabularTask.Regression,
                var other => throw new InvalidOperationException($"{path}: {file} has task '{other}'."),
            };
            return new SuiteDataset(
                Path.GetFileNameWithoutExtension(file), file, d.GetProperty("target").GetString()!, task,
                d.GetProperty("rows").GetInt32(), d.TryGetProperty("notes", out var notes) ? notes.GetString() ?? "" : "");
        })];
    }

    /// <summary>A table's search budget: the base for <see cref="BudgetRows"/> rows, growing with the square root of the rows, within half to twice the base.</summary>
    public static double Budget(double seconds, int rows) => Math.Clamp(seconds * Math.Sqrt(rows / BudgetRows), seconds / 2, seconds * 2);

    private static async Task<DatasetOutcome> RunDatasetAsync(SuiteDataset dataset, string path, double seconds, int splitCount, int svmMaxRows, string temp)
    {
        Table table;
        try
        {
            table = await Table.ReadAsync(path, dataset.Target);
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"[suite] {dataset.Name}: cannot read {path}: {e.Message}");
            return new DatasetOutcome(dataset, 0, 0, 0, 0, 0, [], $"cannot read the file: {e.Message}");
        }

        var budget = Budget(seconds, table.Rows.Count);
        var outcome = new DatasetOutcome(dataset, budget, table.Rows.Count, table.RowsWithoutTarget, 0, 0, [], null);
        try
        {
            var strata = Strata(table, dataset.Task);
            int trainRows = 0, holdoutRows = 0;
            for (var split = 0; split < splitCount; split++)
            {
                var cut = TabularSplit.Create(strata, HoldoutFraction, folds: 2, seed: split);
                (trainRows, holdoutRows) = (cut.TrainingRows.Count, cut.TestRows.Count);
                var train = table.Write(Path.Combine(temp, $"{dataset.Name}.{split}.train.csv"), cut.TrainingRows);
                var holdout = table.Write(Path.Combine(temp, $"{dataset.Name}.{split}.holdout.csv"), cut.TestRows);
                Console.Error.WriteLine($"[suite] {dataset.Name} split {split + 1}/{splitCount}: {trainRows} train / {holdoutRows} holdout rows; ours searching {budget:0.0} s");
                outcome.Splits.Add(await RunSplitAsync(dataset, split, train, holdout, table.Holdout(cut.TestRows), budget, svmMaxRows));
                File.Delete(train);
                File.Delete(holdout);
            }

            return outcome with { TrainRows = trainRows, HoldoutRows = holdoutRows };
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"[suite] {dataset.Name} failed: {e}");
            return outcome with { Error = e.Message };
        }
    }

    /// <summary>Each row's stratum: its class (as spelled, trimmed), or its target's decile.</summary>
    private static int[] Strata(Table table, TabularTask task)
    {
        var targets = table.Rows.Select(r => r[table.TargetIndex].Trim()).ToList();
        if (task != TabularTask.Regression)
        {
            var classes = targets.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).Select((c, i) => (c, i)).ToDictionary(x => x.c, x => x.i, StringComparer.Ordinal);
            return [.. targets.Select(t => classes[t])];
        }

        var values = targets.Select((t, i) => float.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && float.IsFinite(v)
            ? v
            : throw new InvalidOperationException($"Row {i + 1} has target '{t}', not a number.")).ToArray();
        return TabularSplit.Bands(values);
    }

    private static async Task<SplitOutcome> RunSplitAsync(
        SuiteDataset dataset, int split, string train, string holdout, IReadOnlyList<string[]> holdoutRows, double budget, int svmMaxRows)
    {
        var outcome = new SplitOutcome(split, [], null, []);
        var prefix = $"[suite] {dataset.Name} split {split + 1}:";
        var schema = await ProductSearch.ScanAsync(train, CancellationToken.None);
        var header = schema.Columns.Select(c => c.Name).ToList();
        var targetIndex = header.IndexOf(dataset.Target);
        try
        {
            var watch = Stopwatch.StartNew();
            var (experiment, _) = await ProductSearch.LoadAsync(train, dataset.Target, dataset.Task, split, null, CancellationToken.None);
            var target = schema.Columns[targetIndex];
            var inferred = TaskInference.Infer(TabularDatasets.Kind(target.Type), (int)Math.Min(target.UniqueCount, int.MaxValue));
            if (inferred != dataset.Task)
            {
                Console.Error.WriteLine($"{prefix} the product would infer {inferred} from the target ({target.Type}, {target.UniqueCount} values); the manifest's {dataset.Task} is used");
            }

            // The model a user downloads and calls: refitted on every row of the uploaded training CSV after its test.
            var answer = await ProductSearch.SearchAsync(experiment, budget, CancellationToken.None, FittedOn.AllRows);
            var fitSeconds = watch.Elapsed.TotalSeconds;
            var predictor = answer.Predictor;
            var columns = predictor.InputColumns.Select(c => (c.Name, Index: header.IndexOf(c.Name))).ToList();
            var rows = holdoutRows.Select(r => (IReadOnlyDictionary<string, object?>)columns
                .ToDictionary(c => c.Name, c => (object?)r[c.Index], StringComparer.Ordinal)).ToList();
            var predictions = predictor.Predict(rows);
            var truth = holdoutRows.Select(r => r[targetIndex].Trim()).ToList();
            var score = dataset.Task == TabularTask.Regression
                ? new Score(RSquared(truth, predictions), null, fitSeconds)
                : ClassScore(truth, predictions, experiment.Classes, fitSeconds, prefix);
            outcome.Scores[Ours] = score;
            var inner = answer.Ensemble?.TestEvaluation ?? answer.Model.TestEvaluation;
            var summary = answer.Summary;
            outcome = outcome with
            {
                Ours = new OurSplit(
                    answer.Learners, answer.Best.Value ?? answer.Best.BestIntermediate(experiment.Direction)?.Value ?? double.NaN,
                    inner is null ? double.NaN : dataset.Task == TabularTask.Regression ? inner.Regression!.RSquared : inner.Classification!.Accuracy,
                    summary.Complete, summary.Pruned, summary.Failed, answer.Failures),
            };
            Console.Error.WriteLine($"{prefix} ours {F(score.Metric)} ({answer.Learners}; {summary.Complete} complete, {summary.Pruned} pruned, {summary.Failed} failed) in {fitSeconds:0.0} s; running scikit-learn");
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"{prefix} ours failed: {e}");
            outcome.Errors.Add($"ours: {e.Message}");
        }

        try
        {
            // The columns the product reads, numbers as numbers (TabularDatasets.IsFeature, TabularValues.IsNumeric).
            var kinds = schema.Columns.Where(c => c.Name != dataset.Target && TabularDatasets.IsFeature(c.Type))
                .Select(c => (c.Name, Numeric: c.Type is ColumnType.Numeric or ColumnType.Integer)).ToList();
            var baselines = await SklearnPeer.RunAsync(new
            {
                train,
                test = holdout,
                target = dataset.Target,
                task = dataset.Task.ToString().ToLowerInvariant(),
                numeric = kinds.Where(k => k.Numeric).Select(k => k.Name).ToList(),
                categorical = kinds.Where(k => !k.Numeric).Select(k => k.Name).ToList(),
                seed = split,
                svm_max_rows = svmMaxRows,
            }, $"{prefix}   ");
            foreach (var b in baselines)
            {
                outcome.Scores[SystemOf(b.Model)] = new Score(b.Metric, b.BalancedAccuracy, b.FitSeconds);
            }
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"{prefix} scikit-learn failed: {e.Message}");
            outcome.Errors.Add($"scikit-learn: {e.Message}");
        }

        return outcome;
    }

    private static string SystemOf(string model) => model switch
    {
        "LogisticRegression" or "Ridge" => Systems[1],
        "SVC" or "SVR" => Systems[4],
        _ => model,
    };

    private static double RSquared(IReadOnlyList<string> truth, IReadOnlyList<TabularPrediction> predictions)
    {
        var actual = truth.Select(t => double.Parse(t, CultureInfo.InvariantCulture)).ToList();
        var mean = actual.Average();
        var residual = actual.Select((a, i) => Math.Pow(a - (predictions[i].Value ?? double.NaN), 2)).Sum();
        var total = actual.Sum(a => (a - mean) * (a - mean));
        return 1 - residual / total;
    }

    /// <summary>Accuracy and balanced accuracy (mean recall over the holdout's classes), classes compared as strings.</summary>
    private static Score ClassScore(IReadOnlyList<string> truth, IReadOnlyList<TabularPrediction> predictions, IReadOnlyList<string> classes, double seconds, string prefix)
    {
        var predicted = predictions.Select(p => p.Class?.Trim()).ToList();
        var foreign = predicted.Where(p => p is null || !classes.Contains(p, StringComparer.Ordinal)).Distinct().ToList();
        var unseen = truth.Distinct(StringComparer.Ordinal).Where(t => !classes.Contains(t, StringComparer.Ordinal)).ToList();
        if (foreign.Count > 0 || unseen.Count > 0)
        {
            Console.Error.WriteLine($"{prefix} WARNING predicted classes not among the model's ({string.Join(", ", foreign.Select(f => f ?? "null"))}); "
                + $"holdout classes the model lacks ({string.Join(", ", unseen)}); model classes: {string.Join(", ", classes)}");
        }

        var accuracy = truth.Where((t, i) => t == predicted[i]).Count() / (double)truth.Count;
        var balanced = truth.Select((t, i) => (t, hit: t == predicted[i])).GroupBy(x => x.t, StringComparer.Ordinal)
            .Average(g => g.Count(x => x.hit) / (double)g.Count());
        return new Score(accuracy, balanced, seconds);
    }

    private static void Print(DatasetOutcome o)
    {
        var d = o.Dataset;
        var metric = d.Task == TabularTask.Regression ? "R²" : "accuracy";
        Console.WriteLine();
        Console.WriteLine($"{d.Name}: {o.Rows:N0} rows ({o.RowsWithoutTarget} without a target, dropped), {d.Task.ToString().ToLowerInvariant()}, target {d.Target}"
            + $"{(d.Notes.Length > 0 ? $" ({d.Notes})" : "")}; {o.Splits.Count} split(s) of {o.TrainRows:N0} train / {o.HoldoutRows:N0} holdout rows; ours' budget {o.Budget:0.0} s");
        if (o.Error is not null)
        {
            Console.WriteLine($"  FAILED: {o.Error}");
        }

        Console.WriteLine($"  {"system",-22}{"holdout " + metric,16}{"sd",8}{"min–max",17}{(d.Task == TabularTask.Regression ? "" : "bal. acc."),11}{"fit s",8}");
        foreach (var system in Systems)
        {
            var scores = o.Splits.Where(s => s.Scores.ContainsKey(system)).Select(s => s.Scores[system]).ToList();
            if (scores.Count == 0)
            {
                Console.WriteLine($"  {system,-22}{"failed",16}");
                continue;
            }

            var metrics = scores.Select(s => s.Metric).ToList();
            var balanced = scores.All(s => s.BalancedAccuracy is not null) ? F(scores.Average(s => s.BalancedAccuracy!.Value)) : "";
            var partial = scores.Count < o.Splits.Count ? $"  ({scores.Count} of {o.Splits.Count} splits)" : "";
            Console.WriteLine($"  {system,-22}{F(metrics.Average()),16}{Stats.StandardDeviation(metrics),8:0.0000}{$"{F(metrics.Min())}–{F(metrics.Max())}",17}"
                + $"{balanced,11}{scores.Average(s => s.Seconds),8:0.0}{partial}");
        }

        foreach (var s in o.Splits)
        {
            if (s.Ours is { } ours)
            {
                Console.WriteLine($"  ours, split {s.Split + 1}: {ours.Learners}; best CV {(d.Task == TabularTask.Regression ? "RMSE" : "accuracy")} {F(ours.Cv)}, "
                    + $"inner test {metric} {F(ours.InnerTest)}, holdout {F(s.Scores[Ours].Metric)}; trials {ours.Complete} complete, {ours.Pruned} pruned, {ours.Failed} failed"
                    + (ours.Failures.Length > 0 ? $"; failures: {ours.Failures}" : ""));
            }

            foreach (var error in s.Errors)
            {
                Console.WriteLine($"  split {s.Split + 1} FAILED: {error}");
            }
        }

        var verdict = o.Verdict switch { 1 => "win", 0 => "tie", _ => "loss" };
        Console.WriteLine(o.Mean(Ours) is { } mean && o.BestDefault is { } best
            ? $"  ours − best default ({best.System} {F(best.Mean)}): {mean - best.Mean:+0.0000;-0.0000;0.0000} → {verdict}"
            : $"  ours or every default failed → loss");
    }

    private static void PrintSummary(List<DatasetOutcome> outcomes, double seconds, int splits)
    {
        Console.WriteLine();
        Console.WriteLine($"Summary: base budget {seconds:0.#} s scaled by √(rows / {BudgetRows:0}) within [{seconds / 2:0.#}, {seconds * 2:0.#}] s; {splits} split(s); "
            + $"mean holdout accuracy (R² for regression); tie = |ours − best default| ≤ {TieTolerance}; a failure of ours is a loss.");
        Console.WriteLine($"  {"dataset",-16}{"task",-11}{"budget s",9}{"ours",9}{"best default",36}{"diff",9}  {"verdict",-8}our learners (per split)");
        foreach (var o in outcomes)
        {
            var ours = o.Mean(Ours);
            var best = o.BestDefault;
            var learners = string.Join(" | ", o.Splits.Select(s => s.Ours?.Learners ?? "failed"));
            Console.WriteLine($"  {o.Dataset.Name,-16}{o.Dataset.Task.ToString().ToLowerInvariant(),-11}{o.Budget,9:0.0}{(ours is null ? "failed" : F(ours.Value)),9}"
                + $"{(best is { } b ? $"{F(b.Mean)} ({b.System})" : "failed"),36}"
                + $"{(ours is not null && best is not null ? (ours.Value - best.Value.Mean).ToString("+0.0000;-0.0000;0.0000", CultureInfo.InvariantCulture) : ""),9}"
                + $"  {o.Verdict switch { 1 => "win", 0 => "tie", _ => "loss" },-8}{learners}");
        }

        // Ranks per dataset on the mean metric (1 = best, ties share the average rank, a system that failed ranks last).
        var ranks = Systems.ToDictionary(s => s, _ => new List<double>());
        foreach (var o in outcomes)
        {
            var means = Systems.Select(s => (System: s, Mean: o.Mean(s) ?? double.NegativeInfinity)).ToList();
            foreach (var (system, mean) in means)
            {
                var above = means.Count(m => m.Mean > mean);
                var level = means.Count(m => m.Mean == mean);
                ranks[system].Add(above + (level + 1) / 2.0);
            }
        }

        var sb = new StringBuilder("  mean rank over ").Append(outcomes.Count).Append(" dataset(s) (1 = best of ").Append(Systems.Length).Append("; ties share the average rank; a failed system ranks last): ");
        sb.AppendJoin(", ", Systems.Select(s => (s, rank: ranks[s].DefaultIfEmpty(double.NaN).Average())).OrderBy(x => x.rank)
            .Select(x => $"{x.s} {x.rank.ToString("0.00", CultureInfo.InvariantCulture)}"));
        Console.WriteLine(sb.ToString());
        var wins = outcomes.Count(o => o.Verdict == 1);
        var ties = outcomes.Count(o => o.Verdict == 0);
        var losses = outcomes.Count(o => o.Verdict == -1);
        var failures = outcomes.Count(o => o.Mean(Ours) is null);
        Console.WriteLine($"  ours against the best default: {wins} win(s), {ties} tie(s), {losses} loss(es){(failures > 0 ? $" ({failures} of them failures)" : "")}; "
            + $"mean diff {outcomes.Where(o => o.Mean(Ours) is not null && o.BestDefault is not null).Select(o => o.Mean(Ours)!.Value - o.BestDefault!.Value.Mean).DefaultIfEmpty(double.NaN).Average():+0.0000;-0.0000}");
    }

    /// <summary>A CSV read into memory as text: its header, its rows with a target (as the file spells every value), and how many lacked one.</summary>
    private sealed record Table(IReadOnlyList<string> Header, int TargetIndex, List<string[]> Rows, int RowsWithoutTarget)
    {
        public static async Task<Table> ReadAsync(string path, string target)
        {
            await using var stream = File.OpenRead(path);
            using var reader = await CsvReader.OpenAsync(stream, Path.GetFileName(path), CancellationToken.None);
            var header = reader.ColumnNames.ToList();
            var index = header.IndexOf(target);
            if (index < 0)
            {
                throw new InvalidOperationException($"no column '{target}' among {string.Join(", ", header)}");
            }

            var rows = new List<string[]>();
            var without = 0;
            while (await reader.ReadAsync(CancellationToken.None))
            {
                var row = ReadRow(reader.Current);
                if (IsMissing(row[index]))
                {
                    without++;
                }
                else
                {
                    rows.Add(row);
                }
            }

            return new Table(header, index, rows, without);
        }

        /// <summary>Empty, or one of the product's missing markers (TabularValues.MissingMarkers, internal to the learners).</summary>
        private static bool IsMissing(string text) =>
            string.IsNullOrWhiteSpace(text) || MissingMarkers.Contains(text.Trim());

        private static readonly HashSet<string> MissingMarkers = new(StringComparer.OrdinalIgnoreCase) { "NA", "N/A", "NaN", "null", "None", "?", "#N/A" };

        private static string[] ReadRow(CsvRow row)
        {
            var values = new string[row.Count];
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = row[i].ToString();
            }

            return values;
        }

        public IReadOnlyList<string[]> Holdout(IReadOnlyList<int> rows) => [.. rows.Select(r => Rows[r])];

        /// <summary>Writes the header and <paramref name="rows"/> as a comma-separated UTF-8 CSV, quoting fields that need it.</summary>
        public string Write(string path, IReadOnlyList<int> rows)
        {
            using var writer = new StreamWriter(path, false, new UTF8Encoding(false));
            writer.WriteLine(string.Join(',', Header.Select(Quote)));
            foreach (var r in rows)
            {
                writer.WriteLine(string.Join(',', Rows[r].Select(Quote)));
            }

            return path;
        }

        private static string Quote(string value) =>
            value.AsSpan().IndexOfAny(",\"\r\n") >= 0 || value != value.Trim() ? "\"" + value.Replace("\"", "\"\"") + "\"" : value;
    }
}
