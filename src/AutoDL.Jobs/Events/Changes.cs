namespace AutoDL.Jobs.Events;

/// <summary>What changed: a dataset (upload, profile progress), a search (status, a trial) or a model (refit).</summary>
public enum ChangeKind
{
    Dataset,
    Search,
    Model,
    Report,
}

/// <summary>Something stored changed; listeners re-read it. Written to the database before it is announced.</summary>
/// <param name="Progress">0..1 for work under way (a profile), when known.</param>
public sealed record Change(ChangeKind Kind, string Id, double? Progress = null);

/// <summary>
/// Announces changes to whoever shows them. In the web process: the pages subscribed through <see cref="InProcessChanges"/>
/// (later also the SignalR hub); a worker process will forward to the web app's hub instead.
/// </summary>
public interface IChangePublisher
{
    void Publish(Change change);
}

/// <summary>Changes within this process: Blazor components subscribe (and marshal with InvokeAsync), nobody polls.</summary>
public sealed class InProcessChanges : IChangePublisher
{
    private readonly Lock _gate = new();
    private volatile Action<Change>[] _listeners = [];

    public void Publish(Change change)
    {
        foreach (var listener in _listeners)
        {
            try
            {
                listener(change);
            }
            catch (Exception)
            {
                // A listener's failure (a closed circuit) must not stop the job that announced the change.
            }
        }
    }

    /// <summary>Calls <paramref name="listener"/> for every change until the returned handle is disposed.</summary>
    public IDisposable Subscribe(Action<Change> listener)
    {
        lock (_gate)
        {
            _listeners = [.. _listeners, listener];
        }

        return new Subscription(this, listener);
    }

    private void Unsubscribe(Action<Change> listener)
    {
        lock (_gate)
        {
            _listeners = _listeners.Where(l => l != listener).ToArray();
        }
    }

    private sealed class Subscription(InProcessChanges owner, Action<Change> listener) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                owner.Unsubscribe(listener);
            }
        }
    }
}
