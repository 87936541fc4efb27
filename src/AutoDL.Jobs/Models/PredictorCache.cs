using System.Collections.Concurrent;
using AutoDL.Learners.Ensembles;
using AutoDL.Learners.Tabular;

namespace AutoDL.Jobs.Models;

/// <summary>Settings of model serving. Bound from <c>AutoDL:Models</c>.</summary>
public sealed record ModelOptions
{
    public const string Section = "AutoDL:Models";

    /// <summary>Loaded models kept in memory for predictions; the least recently loaded is dropped past this.</summary>
    public int CachedPredictors { get; init; } = 16;

    /// <summary>Most rows one predict request may send.</summary>
    public int MaxPredictRows { get; init; } = 10_000;
}

/// <summary>
/// Loaded predictors (one model, or an ensemble of them) by model id, so a predict request does not read the zip again. A Ready model never changes, so
/// an entry never goes stale; a load that fails is forgotten, and the next request tries again.
/// </summary>
public sealed class PredictorCache(ModelOptions options)
{
    private readonly ConcurrentDictionary<string, Lazy<Task<ITabularPredictor>>> _loaded = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _order = new();

    public async Task<ITabularPredictor> GetAsync(string modelId, string path, CancellationToken cancellationToken)
    {
        var entry = _loaded.GetOrAdd(modelId, id =>
        {
            _order.Enqueue(id);
            return new Lazy<Task<ITabularPredictor>>(() => EnsemblePredictor.LoadAnyAsync(path, CancellationToken.None));
        });
        try
        {
            var predictor = await entry.Value.WaitAsync(cancellationToken);
            Trim();
            return predictor;
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            _loaded.TryRemove(new KeyValuePair<string, Lazy<Task<ITabularPredictor>>>(modelId, entry));
            throw;
        }
    }

    public void Forget(string modelId) => _loaded.TryRemove(modelId, out _);

    private void Trim()
    {
        while (_loaded.Count > Math.Max(1, options.CachedPredictors) && _order.TryDequeue(out var oldest))
        {
            _loaded.TryRemove(oldest, out _);
        }
    }
}
