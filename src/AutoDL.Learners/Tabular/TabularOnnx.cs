using System.Globalization;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace AutoDL.Learners.Tabular;

/// <summary>
/// Exports a fitted tabular model to ONNX (ML.NET's converter) and checks the export before keeping it: ONNX Runtime
/// scores the experiment's test rows (its first training rows when it holds none out) and every output ML.NET reads
/// (regression: Score; binary: Score, Probability, PredictedLabel; multiclass: Score per class, PredictedLabel) must
/// match ML.NET's own within <see cref="Tolerance"/>, labels exactly. A pipeline the converter refuses, or whose ONNX
/// form does not match, is simply not exported: never a wrong file.
/// </summary>
/// <remarks>
/// The ONNX model's inputs are the model's input columns by name, each shaped [rows, 1]: numeric columns as float
/// (missing is NaN), the others as strings (trimmed; missing is empty; booleans as <c>true</c>/<c>false</c>). Its outputs
/// are <c>Score</c>, and for classification <c>PredictedLabel</c> (binary: a bool; multiclass: the 1-based class index
/// into the model's classes, in order) and, binary only, <c>Probability</c> (of the positive class); ONNX names them
/// with a <c>.output</c> suffix (multiclass models also carry an unused <c>mlnet.Score.unusedOutput</c>). Measured on
/// the samples (20 trees): differences of 1e-7 to 2e-6 on probabilities, 3e-5 to 6e-5 on diabetes' regression values
/// (about 150); L-BFGS Poisson regression there differs by 1.2e-4 (float rounding of exp on large values) and is refused.
/// </remarks>
public static class TabularOnnx
{
    /// <summary>The largest difference allowed between an ONNX Runtime output and ML.NET's.</summary>
    public const double Tolerance = 1e-4;

    /// <summary>Most rows scored to check an export.</summary>
    public const int MaxCheckRows = 5000;

    internal const string Score = "Score";
    internal const string PredictedLabel = "PredictedLabel";
    internal const string Probability = "Probability";

    /// <summary>
    /// Converts <paramref name="model"/>, checks the conversion on <paramref name="experiment"/>'s test rows and writes it
    /// to <paramref name="path"/> when it passes; when it does not, deletes any file at <paramref name="path"/>.
    /// </summary>
    public static Task<OnnxCheck> ExportAsync(TabularModel model, TabularExperiment experiment, string path, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(experiment);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return Task.Run(
            () =>
            {
                var rows = experiment.Split.TestRows.Count > 0 ? experiment.Split.TestRows : experiment.Split.TrainingRows;
                var input = Inputs(experiment, rows.Take(MaxCheckRows).ToList());
                var (bytes, check) = Convert(model.Predictor, input, cancellationToken);
                cancellationToken.ThrowIfCancellationRequested();
                if (bytes is null || !check.Available)
                {
                    File.Delete(path);
                    return check;
                }

                var temporary = path + ".tmp";
                File.WriteAllBytes(temporary, bytes);
                File.Move(temporary, path, overwrite: true);
                return check;
            },
            cancellationToken);
    }

    /// <summary>The experiment's rows <paramref name="rows"/>, with only the model's input columns.</summary>
    internal static IDataView Inputs(TabularExperiment experiment, IReadOnlyList<int> rows) =>
        new TabularTable([.. experiment.InputColumns.Select(c => experiment.Table[c.Name])], experiment.Table.RowCount).View(rows);

    /// <summary>The ONNX bytes of the predictor's chain (null when it does not convert) and the check of them on <paramref name="input"/>.</summary>
    internal static (byte[]? Bytes, OnnxCheck Check) Convert(TabularPredictor predictor, IDataView input, CancellationToken cancellationToken)
    {
        if (predictor.Network is not null)
        {
            return (null, OnnxCheck.Unavailable(
                "The MLP's ONNX export is not available yet: its network runs in TorchSharp after the ML.NET featurizer, and the two graphs are not joined into one ONNX model."));
        }

        var outputs = predictor.Task switch
        {
            TabularTask.Regression => new[] { Score },
            TabularTask.Binary => [Score, Probability, PredictedLabel],
            _ => [Score, PredictedLabel],
        };
        var rowCount = (int)(input.GetRowCount() ?? 0);
        var ml = new MLContext(0);
        byte[] bytes;
        try
        {
            using var stream = new MemoryStream();
            ml.Model.ConvertToOnnx(predictor.Transformer, input, stream, outputs);
            bytes = stream.ToArray();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return (null, OnnxCheck.Unavailable($"The pipeline does not convert to ONNX{Culprits(predictor.InputColumns)}: {e.Message}"));
        }

        cancellationToken.ThrowIfCancellationRequested();
        if (rowCount == 0)
        {
            return (null, OnnxCheck.Unavailable("There are no rows to check the ONNX model on."));
        }

        try
        {
            var expected = Read(predictor.Transformer.Transform(input), predictor.Task);
            var actual = Run(bytes, input, predictor.Task);
            return (bytes, Compare(expected, actual, predictor.Task, rowCount));
        }
        catch (Exception e) when (e is OnnxRuntimeException or InvalidDataException or InvalidOperationException or ArgumentException)
        {
            return (null, OnnxCheck.Unavailable($"ONNX Runtime cannot run the converted model: {e.Message}", rows: rowCount));
        }
    }

    /// <summary>The featurisers known to have no ONNX form (date parts are a custom mapping; ML.NET's text featuriser does not convert), as a clause naming their columns.</summary>
    private static string Culprits(IReadOnlyList<TabularColumn> columns)
    {
        var parts = new List<string>();
        var dates = columns.Where(c => c.Kind == TabularColumnKind.DateTime).Select(c => $"'{c.Name}'").ToList();
        var texts = columns.Where(c => c.Kind == TabularColumnKind.Text).Select(c => $"'{c.Name}'").ToList();
        if (dates.Count > 0)
        {
            parts.Add($"the date parts of {string.Join(", ", dates)}");
        }

        if (texts.Count > 0)
        {
            parts.Add($"the text features of {string.Join(", ", texts)}");
        }

        return parts.Count == 0 ? "" : $" ({string.Join(" and ", parts)} have no ONNX form)";
    }

    /// <summary>A model's outputs for some rows: per row, the scores (one per class, or one) and the label (class index from 0; 0 for regression).</summary>
    internal sealed record Outputs(float[][] Scores, float[]? Probabilities, long[]? Labels);

    private static Outputs Read(IDataView scored, TabularTask task) => task switch
    {
        TabularTask.Regression => new([.. scored.GetColumn<float>(Score).Select(v => new[] { v })], null, null),
        TabularTask.Binary => new(
            [.. scored.GetColumn<float>(Score).Select(v => new[] { v })],
            [.. scored.GetColumn<float>(Probability)],
            [.. scored.GetColumn<bool>(PredictedLabel).Select(b => b ? 1L : 0L)]),
        _ => new(
            [.. scored.GetColumn<VBuffer<float>>(Score).Select(v => v.DenseValues().ToArray())],
            null,
            [.. scored.GetColumn<uint>(PredictedLabel).Select(k => (long)k - 1)]),
    };

    /// <summary>Runs ONNX model <paramref name="onnx"/> with ONNX Runtime on the rows of <paramref name="input"/>.</summary>
    internal static Outputs Run(byte[] onnx, IDataView input, TabularTask task)
    {
        using var options = new SessionOptions { LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR, IntraOpNumThreads = 1 };
        using var session = new InferenceSession(onnx, options);
        var rowCount = (int)(input.GetRowCount() ?? 0);
        var columns = new Dictionary<string, object>(StringComparer.Ordinal);
        foreach (var column in input.Schema)
        {
            columns[column.Name] = column.Type is TextDataViewType
                ? input.GetColumn<ReadOnlyMemory<char>>(column.Name).Select(v => v.ToString()).ToArray()
                : input.GetColumn<float>(column.Name).ToArray();
        }

        var inputs = new Dictionary<string, OrtValue>(StringComparer.Ordinal);
        try
        {
            foreach (var (name, metadata) in session.InputMetadata)
            {
                if (!columns.TryGetValue(name, out var values))
                {
                    throw new InvalidDataException($"The ONNX model asks for an input '{name}' that is not a column of the model's input.");
                }

                CheckShape(name, metadata.Dimensions);
                long[] shape = [rowCount, 1];
                inputs[name] = (values, metadata.ElementDataType) switch
                {
                    (float[] numbers, TensorElementType.Float) => OrtValue.CreateTensorValueFromMemory(numbers, shape),
                    (string[] texts, TensorElementType.String) => Strings(texts, shape),
                    _ => throw new InvalidDataException($"The ONNX model reads input '{name}' as {metadata.ElementDataType}, which is not how the model's column holds it."),
                };
            }

            var names = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var wanted in new[] { Score, Probability, PredictedLabel })
            {
                if (session.OutputNames.FirstOrDefault(n => n == wanted || n.StartsWith(wanted + ".", StringComparison.Ordinal)) is { } found)
                {
                    names[wanted] = found;
                }
            }

            string[] needed = task switch
            {
                TabularTask.Regression => [Score],
                TabularTask.Binary => [Score, Probability, PredictedLabel],
                _ => [Score, PredictedLabel],
            };
            if (needed.FirstOrDefault(n => !names.ContainsKey(n)) is { } missing)
            {
                throw new InvalidDataException(
                    $"The ONNX model has no {missing} output (it has {string.Join(", ", session.OutputNames)}): a step of the pipeline has no ONNX form.");
            }

            using var runOptions = new RunOptions();
            var order = needed.Select(n => names[n]).ToArray();
            using var results = session.Run(runOptions, inputs, order);
            var byName = needed.Zip(results).ToDictionary(x => x.First, x => x.Second, StringComparer.Ordinal);
            var scores = Floats(byName[Score], rowCount);
            var probabilities = byName.TryGetValue(Probability, out var p) ? Floats(p, rowCount).Select(v => v[0]).ToArray() : null;
            var labels = byName.TryGetValue(PredictedLabel, out var l) ? Labels(l, rowCount, task) : null;
            return new Outputs(scores, probabilities, labels);
        }
        finally
        {
            foreach (var value in inputs.Values)
            {
                value.Dispose();
            }
        }
    }

    private static void CheckShape(string name, int[] dimensions)
    {
        // A column is [batch, 1]: the batch dimension free (-1) or, in older converters, 1.
        if (dimensions.Length != 2 || dimensions[1] != 1 || dimensions[0] is not (-1 or 0))
        {
            throw new InvalidDataException(
                $"The ONNX model reads input '{name}' in shape [{string.Join(", ", dimensions)}], not one value per row of a batch.");
        }
    }

    private static OrtValue Strings(string[] texts, long[] shape)
    {
        var value = OrtValue.CreateTensorWithEmptyStrings(OrtAllocator.DefaultInstance, shape);
        for (var i = 0; i < texts.Length; i++)
        {
            value.StringTensorSetElementAt(texts[i].AsSpan(), i);
        }

        return value;
    }

    private static float[][] Floats(OrtValue value, int rows)
    {
        var info = value.GetTensorTypeAndShape();
        if (info.ElementDataType != TensorElementType.Float)
        {
            throw new InvalidDataException($"An ONNX output holds {info.ElementDataType}, not float.");
        }

        var data = value.GetTensorDataAsSpan<float>();
        if (rows == 0 || data.Length % rows != 0)
        {
            throw new InvalidDataException($"An ONNX output has {data.Length} values for {rows} rows.");
        }

        var width = data.Length / rows;
        var result = new float[rows][];
        for (var i = 0; i < rows; i++)
        {
            result[i] = data.Slice(i * width, width).ToArray();
        }

        return result;
    }

    private static long[] Labels(OrtValue value, int rows, TabularTask task)
    {
        var info = value.GetTensorTypeAndShape();
        long[] labels = info.ElementDataType switch
        {
            TensorElementType.Bool => [.. value.GetTensorDataAsSpan<bool>().ToArray().Select(b => b ? 1L : 0L)],
            TensorElementType.UInt32 => [.. value.GetTensorDataAsSpan<uint>().ToArray().Select(k => (long)k)],
            TensorElementType.Int64 => value.GetTensorDataAsSpan<long>().ToArray(),
            TensorElementType.Int32 => [.. value.GetTensorDataAsSpan<int>().ToArray().Select(k => (long)k)],
            TensorElementType.UInt64 => [.. value.GetTensorDataAsSpan<ulong>().ToArray().Select(k => (long)k)],
            var other => throw new InvalidDataException($"The ONNX PredictedLabel holds {other}, not a class."),
        };
        if (labels.Length != rows)
        {
            throw new InvalidDataException($"The ONNX PredictedLabel has {labels.Length} values for {rows} rows.");
        }

        // Multiclass labels are ML.NET keys: 1-based class indices.
        return task == TabularTask.Multiclass ? [.. labels.Select(k => k - 1)] : labels;
    }

    internal static OnnxCheck Compare(Outputs expected, Outputs actual, TabularTask task, int rows)
    {
        var max = 0.0;
        var relative = 0.0;
        for (var i = 0; i < rows; i++)
        {
            if (expected.Scores[i].Length != actual.Scores[i].Length)
            {
                return OnnxCheck.Unavailable(
                    $"The ONNX model gives {actual.Scores[i].Length} scores per row where ML.NET gives {expected.Scores[i].Length}.", rows: rows);
            }

            for (var k = 0; k < expected.Scores[i].Length; k++)
            {
                var difference = Difference(expected.Scores[i][k], actual.Scores[i][k]);
                max = Math.Max(max, difference);
                relative = Math.Max(relative, difference / Math.Max(1, Math.Abs(expected.Scores[i][k])));
            }

            if (expected.Probabilities is not null)
            {
                var difference = Difference(expected.Probabilities[i], actual.Probabilities![i]);
                max = Math.Max(max, difference);
                relative = Math.Max(relative, difference);
            }
        }

        // Within 1e-4 of ML.NET's output, relative to the output's size where it is over 1: probabilities and scores
        // of classifiers are held to 1e-4 absolutely, while a regression value of 150 may differ by the 32-bit float
        // rounding both runtimes compute in (about 1e-5 relative), which no absolute 1e-4 could allow for large targets.
        if (relative > Tolerance)
        {
            return OnnxCheck.Unavailable(
                $"ONNX Runtime's outputs differ from ML.NET's by up to {max.ToString("G3", CultureInfo.InvariantCulture)} on the {rows} check rows "
                + $"({relative.ToString("G3", CultureInfo.InvariantCulture)} relative to the values), more than the "
                + $"{Tolerance.ToString(CultureInfo.InvariantCulture)} allowed.",
                max, rows);
        }

        if (expected.Labels is not null)
        {
            var differing = expected.Labels.Zip(actual.Labels!).Count(x => x.First != x.Second);
            if (differing > 0)
            {
                return OnnxCheck.Unavailable(
                    $"ONNX Runtime predicts a different {(task == TabularTask.Regression ? "value" : "class")} than ML.NET on {differing} of the {rows} check rows.",
                    max, rows);
            }
        }

        return new OnnxCheck(true, max, rows, null);
    }

    private static double Difference(float expected, float actual) =>
        float.IsNaN(expected) && float.IsNaN(actual) ? 0
        : float.IsNaN(expected) || float.IsNaN(actual) ? double.PositiveInfinity
        : Math.Abs((double)expected - actual);
}
