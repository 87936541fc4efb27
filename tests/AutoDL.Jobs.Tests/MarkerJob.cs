namespace AutoDL.Jobs.Tests;

/// <summary>A job with a visible effect: it writes a file, so a test can see that a Hangfire server ran it.</summary>
public static class MarkerJob
{
    public static void Write(string path) => File.WriteAllText(path, "ran");

    public static async Task WaitForAsync(string path, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        while (!File.Exists(path))
        {
            await Task.Delay(100, cancel.Token);
        }
    }
}
