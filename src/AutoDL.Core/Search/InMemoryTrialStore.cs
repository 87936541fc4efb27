namespace AutoDL.Core.Search;

/// <summary>The trial store in memory, for tests and single-process runs. Thread-safe; one lock per store.</summary>
public sealed class InMemoryTrialStore(TimeProvider clock) : ITrialStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, (StoredSearch Search, List<Trial> Trials)> _searches = new(StringComparer.Ordinal);

    public InMemoryTrialStore() : this(TimeProvider.System) { }

    public Task<string> CreateSearchAsync(SearchSpec spec, CancellationToken cancellationToken)
    {
        TrialStoreRules.ValidateSpec(spec);
        var id = Guid.NewGuid().ToString("N");
        lock (_lock)
        {
            _searches[id] = (new StoredSearch(id, spec, clock.GetUtcNow(), null), []);
        }

        return Task.FromResult(id);
    }

    public Task<StoredSearch> GetSearchAsync(string searchId, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return Task.FromResult(Find(searchId).Search);
        }
    }

    public Task<IReadOnlyList<Trial>> GetTrialsAsync(string searchId, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return Task.FromResult<IReadOnlyList<Trial>>(Find(searchId).Trials.ToList());
        }
    }

    public Task<Trial?> AskAsync(string searchId, string worker, TrialSampler sample, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var (search, trials) = Find(searchId);
            var now = clock.GetUtcNow();
            var trial = TrialStoreRules.StartTrial(search.Spec, trials.ToList(), trials.Count, worker, sample, now);
            if (trial is null)
            {
                return Task.FromResult<Trial?>(null);
            }

            trials.Add(trial);
            if (search.StartedAt is null)
            {
                _searches[searchId] = (search with { StartedAt = now }, trials);
            }

            return Task.FromResult<Trial?>(trial);
        }
    }

    public Task ReportAsync(string searchId, int number, int step, double value, CancellationToken cancellationToken) =>
        Update(searchId, number, t => t with
        {
            Intermediate = t.Intermediate.Where(i => i.Step != step).Append(new IntermediateValue(step, value)).OrderBy(i => i.Step).ToList(),
            HeartbeatAt = clock.GetUtcNow(),
        });

    public Task HeartbeatAsync(string searchId, int number, CancellationToken cancellationToken) =>
        Update(searchId, number, t => t with { HeartbeatAt = clock.GetUtcNow() });

    public Task TellAsync(string searchId, int number, TrialOutcome outcome, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            TrialStoreRules.ValidateOutcome(Find(searchId).Search.Spec, number, outcome);
        }

        var now = clock.GetUtcNow();
        return Update(searchId, number, t => t with
        {
            State = outcome.State,
            Values = outcome.State == TrialState.Complete ? outcome.Values!.ToList() : null,
            Error = outcome.Error,
            FinishedAt = now,
            HeartbeatAt = now,
        });
    }

    public Task<int> FailStaleTrialsAsync(string searchId, TimeSpan timeout, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var trials = Find(searchId).Trials;
            var now = clock.GetUtcNow();
            var failed = 0;
            for (var i = 0; i < trials.Count; i++)
            {
                if (trials[i].State == TrialState.Running && now - trials[i].HeartbeatAt > timeout)
                {
                    trials[i] = trials[i] with
                    {
                        State = TrialState.Failed,
                        Stale = true,
                        FinishedAt = now,
                        Error = $"No heartbeat from {trials[i].Worker} for {timeout.TotalSeconds:0} s: the worker stopped or lost contact.",
                    };
                    failed++;
                }
            }

            return Task.FromResult(failed);
        }
    }

    private Task Update(string searchId, int number, Func<Trial, Trial> change)
    {
        lock (_lock)
        {
            var trials = Find(searchId).Trials;
            if (number < 0 || number >= trials.Count)
            {
                throw new KeyNotFoundException($"Search {searchId} has no trial {number}.");
            }

            var trial = trials[number];
            if (trial.State != TrialState.Running)
            {
                throw TrialStoreRules.NotRunning(number, trial.State, trial.Stale);
            }

            trials[number] = change(trial);
        }

        return Task.CompletedTask;
    }

    private (StoredSearch Search, List<Trial> Trials) Find(string searchId) =>
        _searches.TryGetValue(searchId, out var entry) ? entry : throw new KeyNotFoundException($"No search has the id '{searchId}'.");
}
