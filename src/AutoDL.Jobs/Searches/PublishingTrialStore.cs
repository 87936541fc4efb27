using AutoDL.Core.Search;
using AutoDL.Jobs.Events;
using Microsoft.Extensions.DependencyInjection;

namespace AutoDL.Jobs.Searches;

/// <summary>
/// The application's trial store as one search worker uses it: every call in its own scope (so its own database
/// context: the search loop's heartbeat runs beside the trial's reports), and a <see cref="Change"/> of the search
/// announced after every write that pages show (a trial started, reported, finished).
/// </summary>
public sealed class PublishingTrialStore(IServiceScopeFactory scopes, IChangePublisher changes) : ITrialStore
{
    public Task<string> CreateSearchAsync(SearchSpec spec, CancellationToken cancellationToken) =>
        InScopeAsync(store => store.CreateSearchAsync(spec, cancellationToken));

    public Task<StoredSearch> GetSearchAsync(string searchId, CancellationToken cancellationToken) =>
        InScopeAsync(store => store.GetSearchAsync(searchId, cancellationToken));

    public Task<IReadOnlyList<Trial>> GetTrialsAsync(string searchId, CancellationToken cancellationToken) =>
        InScopeAsync(store => store.GetTrialsAsync(searchId, cancellationToken));

    public async Task<Trial?> AskAsync(string searchId, string worker, TrialSampler sample, CancellationToken cancellationToken)
    {
        var trial = await InScopeAsync(store => store.AskAsync(searchId, worker, sample, cancellationToken));
        if (trial is not null)
        {
            changes.Publish(new Change(ChangeKind.Search, searchId));
        }

        return trial;
    }

    public async Task ReportAsync(string searchId, int number, int step, double value, CancellationToken cancellationToken)
    {
        await InScopeAsync(async store =>
        {
            await store.ReportAsync(searchId, number, step, value, cancellationToken);
            return 0;
        });
        changes.Publish(new Change(ChangeKind.Search, searchId));
    }

    public Task HeartbeatAsync(string searchId, int number, CancellationToken cancellationToken) =>
        InScopeAsync(async store =>
        {
            await store.HeartbeatAsync(searchId, number, cancellationToken);
            return 0;
        });

    public async Task TellAsync(string searchId, int number, TrialOutcome outcome, CancellationToken cancellationToken)
    {
        await InScopeAsync(async store =>
        {
            await store.TellAsync(searchId, number, outcome, cancellationToken);
            return 0;
        });
        changes.Publish(new Change(ChangeKind.Search, searchId));
    }

    public async Task<int> FailStaleTrialsAsync(string searchId, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var failed = await InScopeAsync(store => store.FailStaleTrialsAsync(searchId, timeout, cancellationToken));
        if (failed > 0)
        {
            changes.Publish(new Change(ChangeKind.Search, searchId));
        }

        return failed;
    }

    private async Task<T> InScopeAsync<T>(Func<ITrialStore, Task<T>> call)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await call(scope.ServiceProvider.GetRequiredService<ITrialStore>());
    }
}
