using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using Microsoft.Playwright;

namespace AutoDL.EndToEnd.Tests;

/// <summary>
/// The real web app, started once for the collection as its own process (<c>dotnet AutoDL.Web.dll</c>) on a free loopback
/// port with a fresh data folder, and a headless Chromium to drive it.
/// </summary>
public sealed class AppFixture : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";
    public const string AdminEmail = "admin@e2e.test";
    public const string AdminPassword = "E2e-Passw0rd!";
    public const string AdminApiToken = "e2e-bootstrap-token-0123456789";

    private static readonly TimeSpan StartupTimeout = TimeSpan.FromSeconds(60);
    private const int LogLines = 300;

    private readonly Queue<string> _log = new();
    private readonly string _dataRoot = Path.Combine(Path.GetTempPath(), "autodl-e2e-" + Guid.NewGuid().ToString("N"));
    private Process? _app;
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public Uri BaseUrl { get; private set; } = default!;

    public IBrowser Browser => _browser ?? throw new InvalidOperationException("The browser is not started.");

    /// <summary>Where tests save screenshots: <c>screenshots/</c> under the test output folder.</summary>
    public static string ScreenshotDirectory { get; } = Path.Combine(AppContext.BaseDirectory, "screenshots");

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException(
                $"The end-to-end tests drive Debian's Chromium at {ChromiumPath}, which is not installed. Run ./test.sh, which installs it.");
        }

        // Playwright's first expectations meet a cold app (JIT, first circuit) on a small machine: allow more than the 5 s default.
        Assertions.SetDefaultExpectTimeout(15_000);
        // Only this run's screenshots: a stale failed-*.png from an earlier run would mislead.
        if (Directory.Exists(ScreenshotDirectory))
        {
            Directory.Delete(ScreenshotDirectory, recursive: true);
        }

        Directory.CreateDirectory(ScreenshotDirectory);
        Directory.CreateDirectory(_dataRoot);

        try
        {
            StartApp();
            await WaitUntilHealthyAsync();

            _playwright = await Playwright.CreateAsync();
            _browser = await _playwright.Chromium.LaunchAsync(new()
            {
                ExecutablePath = ChromiumPath,
                Headless = true,
                Args =
                [
                    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--no-first-run", "--disable-quic", "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
                ],
            });
        }
        catch
        {
            // Leave no app process behind, whatever the runner does with a fixture that failed to start.
            await DisposeAsync();
            throw;
        }
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
            _browser = null;
        }

        _playwright?.Dispose();
        _playwright = null;

        if (_app is not null)
        {
            if (!_app.HasExited)
            {
                _app.Kill(entireProcessTree: true);
                using var exited = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await _app.WaitForExitAsync(exited.Token);
            }

            _app.Dispose();
            _app = null;
        }

        if (Directory.Exists(_dataRoot))
        {
            Directory.Delete(_dataRoot, recursive: true);
        }
    }

    /// <summary>The last lines the app wrote to stdout and stderr, for failure messages.</summary>
    public string LogTail()
    {
        lock (_log)
        {
            return _log.Count == 0 ? "(the app wrote nothing)" : string.Join(Environment.NewLine, _log);
        }
    }

    /// <summary>A fresh browser context (its own cookies) with a page on the app; dispose it at the end of the test.</summary>
    public Task<BrowserSession> OpenSessionAsync() => BrowserSession.OpenAsync(Browser, BaseUrl);

    private void StartApp()
    {
        var dll = typeof(AppFixture).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .SingleOrDefault(a => a.Key == "AutoDLWebDll")?.Value
            ?? throw new InvalidOperationException("The test assembly has no [AssemblyMetadata(\"AutoDLWebDll\")]: see the csproj.");
        if (!File.Exists(dll))
        {
            throw new InvalidOperationException($"The web app is not built at {dll}: build tests/AutoDL.EndToEnd.Tests (it builds AutoDL.Web first).");
        }

        var port = FreeLoopbackPort();
        BaseUrl = new Uri($"http://127.0.0.1:{port}");

        // The dotnet CLI tells the processes it starts where it is; outside it, dotnet is on the PATH.
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
        {
            ArgumentList = { dll, "--urls", BaseUrl.ToString().TrimEnd('/') },
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var env = start.Environment;
        env.Remove("ASPNETCORE_URLS");
        env.Remove("DOTNET_ENVIRONMENT");
        env["ASPNETCORE_ENVIRONMENT"] = "Production";
        env["AutoDL__DataRoot"] = _dataRoot;
        env["AutoDL__Bootstrap__AdminEmail"] = AdminEmail;
        env["AutoDL__Bootstrap__AdminPassword"] = AdminPassword;
        env["AutoDL__Bootstrap__AdminApiToken"] = AdminApiToken;
        env["Logging__Console__FormatterName"] = "simple";
        env["Logging__Console__FormatterOptions__SingleLine"] = "true";

        _app = new Process { StartInfo = start, EnableRaisingEvents = true };
        _app.OutputDataReceived += (_, e) => Append(e.Data);
        _app.ErrorDataReceived += (_, e) => Append(e.Data);
        if (!_app.Start())
        {
            throw new InvalidOperationException($"Could not start {start.FileName} {dll}.");
        }

        _app.BeginOutputReadLine();
        _app.BeginErrorReadLine();
    }

    private async Task WaitUntilHealthyAsync()
    {
        using var http = new HttpClient { BaseAddress = BaseUrl, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.StartNew();
        var last = "no answer yet";
        while (deadline.Elapsed < StartupTimeout)
        {
            if (_app!.HasExited)
            {
                throw new InvalidOperationException(
                    $"The app exited with code {_app.ExitCode} before /healthz answered 200. Its log:{Environment.NewLine}{LogTail()}");
            }

            try
            {
                using var response = await http.GetAsync("/healthz");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }

                last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                last = e.Message;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250));
        }

        throw new TimeoutException(
            $"/healthz did not answer 200 within {StartupTimeout.TotalSeconds:0} s (last: {last}). The app's log:{Environment.NewLine}{LogTail()}");
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            _log.Enqueue(line);
            while (_log.Count > LogLines)
            {
                _log.Dequeue();
            }
        }
    }

    private static int FreeLoopbackPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
        finally
        {
            listener.Stop();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class AppCollection : ICollectionFixture<AppFixture>
{
    public const string Name = "AutoDL app";
}
