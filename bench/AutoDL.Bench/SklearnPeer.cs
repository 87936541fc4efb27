using System.Diagnostics;
using System.Text.Json;

namespace AutoDL.Bench;

/// <summary>One scikit-learn default model's figures on a test set: accuracy or R², balanced accuracy (classification), fit time.</summary>
internal sealed record Baseline(string Model, double Metric, double? BalancedAccuracy, double FitSeconds, string Note);

/// <summary>scikit-learn's side of the tabular benchmarks: bench/sklearn_peer.py run with Debian's interpreter, one JSON request in, one line per model out.</summary>
internal static class SklearnPeer
{
    /// <summary>Debian's python3-sklearn (scikit-learn 1.2) is installed for the system interpreter.</summary>
    public const string Python = "/usr/bin/python3";

    /// <param name="request">The JSON request sklearn_peer.py's docstring describes.</param>
    /// <exception cref="InvalidOperationException">The script failed or printed no model.</exception>
    public static async Task<List<Baseline>> RunAsync(object request, string progressPrefix = "[bench]   ")
    {
        var script = Path.Combine(AppContext.BaseDirectory, "sklearn_peer.py");
        var start = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(script);
        start.ArgumentList.Add(JsonSerializer.Serialize(request));
        // OpenMP's threads (HistGradientBoosting's) otherwise spin while they wait: on a loaded machine a 0.3 s fit took
        // 12 s. Passive waiting changes the time, not the model.
        if (Environment.GetEnvironmentVariable("OMP_WAIT_POLICY") is null)
        {
            start.Environment["OMP_WAIT_POLICY"] = "passive";
        }

        using var python = Process.Start(start) ?? throw new InvalidOperationException($"Cannot start {Python}.");
        var stderr = python.StandardError.ReadToEndAsync();
        var baselines = new List<Baseline>();
        while (await python.StandardOutput.ReadLineAsync() is { } line)
        {
            using var json = JsonDocument.Parse(line);
            var root = json.RootElement;
            var baseline = new Baseline(
                root.GetProperty("model").GetString()!, root.GetProperty("metric").GetDouble(),
                root.TryGetProperty("balanced_accuracy", out var balanced) && balanced.ValueKind == JsonValueKind.Number ? balanced.GetDouble() : null,
                root.GetProperty("fit_s").GetDouble(), root.GetProperty("note").GetString() ?? "");
            Console.Error.WriteLine($"{progressPrefix}{baseline.Model}: {baseline.Metric:0.0000} in {baseline.FitSeconds:0.0} s");
            baselines.Add(baseline);
        }

        await python.WaitForExitAsync();
        if (python.ExitCode != 0 || baselines.Count == 0)
        {
            throw new InvalidOperationException($"scikit-learn's side failed (exit {python.ExitCode}): {(await stderr).Trim()}");
        }

        return baselines;
    }
}
