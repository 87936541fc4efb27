namespace AutoDL.Core.Search;

/// <summary>
/// A cancellation that fires once a delay has passed, from a thread of its own rather than from the thread pool's
/// timers. A fit that keeps every pool thread busy (ML.NET's FastTree does, on a 2-core machine, for a minute and
/// more) holds the pool timers' callbacks back; a budget or a time limit must not wait for it. The token's callbacks
/// (linked sources, an ML.NET context's cancellation) run on that thread. With any clock but the system's (tests'
/// fake time) the clock's own timer is used, so fake time still drives it.
/// </summary>
public sealed class Deadline : IDisposable
{
    /// <summary>The longest a wait may be given at once; longer delays are waited in parts.</summary>
    private static readonly TimeSpan LongestWait = TimeSpan.FromDays(1);

    /// <summary>Delays beyond this (a century) count as never: no clock would reach them.</summary>
    private static readonly TimeSpan Never = TimeSpan.FromDays(36_500);

    private readonly CancellationTokenSource _source;
    private readonly ManualResetEventSlim? _stop;

    /// <param name="delay">How long from now; null (or more than a century) for never. Zero or less fires at once.</param>
    public Deadline(TimeSpan? delay, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(clock);
        if (delay is not { } wait || wait > Never)
        {
            _source = new CancellationTokenSource();
        }
        else if (wait <= TimeSpan.Zero)
        {
            _source = new CancellationTokenSource();
            _source.Cancel();
        }
        else if (clock != TimeProvider.System)
        {
            _source = new CancellationTokenSource(wait, clock);
        }
        else
        {
            _source = new CancellationTokenSource();
            _stop = new ManualResetEventSlim();
            var due = DateTime.UtcNow + wait;
            new Thread(() => Watch(due)) { IsBackground = true, Name = "AutoDL deadline" }.Start();
        }
    }

    public CancellationToken Token => _source.Token;

    public bool HasPassed => _source.IsCancellationRequested;

    /// <summary>Stops the watch; the token stays as it is. (The source is not disposed: its thread may be cancelling it.)</summary>
    public void Dispose()
    {
        if (_stop is null)
        {
            _source.Dispose();
        }
        else
        {
            _stop.Set();
        }
    }

    private void Watch(DateTime due)
    {
        for (var left = due - DateTime.UtcNow; left > TimeSpan.Zero; left = due - DateTime.UtcNow)
        {
            if (_stop!.Wait(left < LongestWait ? left : LongestWait))
            {
                return;
            }
        }

        _source.Cancel();
    }
}
