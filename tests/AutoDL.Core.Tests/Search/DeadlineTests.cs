using System.Diagnostics;
using AutoDL.Core.Search;

namespace AutoDL.Core.Tests.Search;

public sealed class DeadlineTests
{
    [Fact]
    public async Task ADeadlineFiresOnItsOwnThreadNotOnAThreadPoolThread()
    {
        using var deadline = new Deadline(TimeSpan.FromMilliseconds(50), TimeProvider.System);
        var fired = new TaskCompletionSource<(bool Pool, string? Name)>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var registration = deadline.Token.Register(() => fired.TrySetResult((Thread.CurrentThread.IsThreadPoolThread, Thread.CurrentThread.Name)));

        var (pool, name) = await fired.Task.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.False(pool);
        Assert.Equal("AutoDL deadline", name);
        Assert.True(deadline.HasPassed);
    }

    [Fact]
    public async Task ADeadlineFiresWhenItsDelayHasPassedAndNotBefore()
    {
        var watch = Stopwatch.StartNew();
        using var deadline = new Deadline(TimeSpan.FromMilliseconds(300), TimeProvider.System);

        await Task.Delay(Timeout.Infinite, deadline.Token).ContinueWith(_ => { }, TaskScheduler.Default);

        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(290), $"fired after {watch.Elapsed.TotalMilliseconds:0} ms");
    }

    [Fact]
    public async Task ADisposedDeadlineNeverFires()
    {
        var deadline = new Deadline(TimeSpan.FromMilliseconds(100), TimeProvider.System);
        deadline.Dispose();

        await Task.Delay(400);

        Assert.False(deadline.HasPassed);
    }

    [Fact]
    public void NoDelayIsNeverAndANonPositiveOneHasPassedAlready()
    {
        using var never = new Deadline(null, TimeProvider.System);
        using var beyond = new Deadline(TimeSpan.MaxValue, TimeProvider.System);
        using var zero = new Deadline(TimeSpan.Zero, TimeProvider.System);
        using var negative = new Deadline(TimeSpan.FromSeconds(-3), TimeProvider.System);

        Assert.False(never.HasPassed);
        Assert.False(beyond.HasPassed);
        Assert.True(zero.HasPassed);
        Assert.True(negative.HasPassed);
    }
}
