using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Npgsql;

namespace AutoDL.Data.Tests.PostgreSql;

/// <summary>
/// A throwaway PostgreSQL cluster for tests: created in a temporary folder on first use, listening only on a unix socket
/// in that folder (no TCP port, so test runs never clash), stopped and deleted when the tests are done, failed or not.
/// Every test class asks for its own database. Used as a collection fixture; the source file is linked into every test
/// project that needs it (AutoDL.Data.Tests, AutoDL.Web.Tests).
/// </summary>
/// <remarks>
/// The server binaries come from Debian's <c>postgresql</c> package (<c>/usr/lib/postgresql/&lt;version&gt;/bin</c>, the
/// highest version). PostgreSQL refuses to run as root, so as root the cluster belongs to, and runs as, the package's
/// <c>postgres</c> user (<c>runuser</c>); otherwise as the current user. Missing binaries fail the tests with what to do:
/// PostgreSQL tests never skip silently.
/// </remarks>
public sealed partial class PostgreSqlServer : IAsyncLifetime
{
    private const string Superuser = "postgres";
    private const string PackageRoot = "/usr/lib/postgresql";

    private readonly ConcurrentDictionary<string, Lazy<Task<string>>> _named = new(StringComparer.Ordinal);
    private readonly Lock _stopLock = new();
    private readonly Lazy<Task> _start;
    private string? _folder;
    private string? _bin;
    private bool _asPostgresUser;
    private int _databases;
    private bool _stopped;

    public PostgreSqlServer() => _start = new Lazy<Task>(StartAsync);

    public Task InitializeAsync() => Task.CompletedTask;

    /// <summary>A new, empty database; returns its connection string. Starts the server on first use.</summary>
    public async Task<string> CreateDatabaseAsync(string prefix)
    {
        // Every caller awaits the one start: a server that could not start fails every test with the same message.
        await _start.Value;
        var name = $"{Sanitize(prefix)}_{Interlocked.Increment(ref _databases)}";
        await using (var connection = new NpgsqlConnection(ConnectionString(Superuser)))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await create.ExecuteNonQueryAsync();
        }

        return ConnectionString(name);
    }

    /// <summary>The database named <paramref name="name"/> (one per test class), created the first time it is asked for.</summary>
    public Task<string> DatabaseAsync(string name) =>
        _named.GetOrAdd(name, n => new Lazy<Task<string>>(() => CreateDatabaseAsync(n))).Value;

    public Task DisposeAsync()
    {
        Stop();
        return Task.CompletedTask;
    }

    private string ConnectionString(string database) => new NpgsqlConnectionStringBuilder
    {
        Host = _folder,
        Username = Superuser,
        Database = database,
        IncludeErrorDetail = true,
    }.ToString();

    private async Task StartAsync()
    {
        _bin = FindBinaries();
        try
        {
            _asPostgresUser = Environment.IsPrivilegedProcess;
            var folder = Directory.CreateTempSubdirectory("autodl-pg-").FullName;
            _folder = folder;
            AppDomain.CurrentDomain.ProcessExit += (_, _) => Stop();
            if (_asPostgresUser)
            {
                await RunAsync("chown", [$"{Superuser}:{Superuser}", folder], asPostgres: false);
            }

            var data = Path.Combine(folder, "data");
            await RunAsync(Path.Combine(_bin, "initdb"),
                ["-D", data, "-U", Superuser, "-A", "trust", "-E", "UTF8", "--no-locale", "--no-sync"], _asPostgresUser);
            // Only the socket in our own folder; durability is not wanted from a throwaway test cluster.
            await File.AppendAllTextAsync(Path.Combine(data, "postgresql.conf"), $"""

                listen_addresses = ''
                unix_socket_directories = '{folder}'
                fsync = off
                synchronous_commit = off
                full_page_writes = off
                max_connections = 200
                """);
            await RunAsync(Path.Combine(_bin, "pg_ctl"),
                ["-D", data, "-l", Path.Combine(folder, "server.log"), "-w", "-t", "60", "start"], _asPostgresUser);
            await WaitUntilItAcceptsConnectionsAsync();
        }
        catch (Exception e)
        {
            var log = _folder is null ? null : Path.Combine(_folder, "server.log");
            var tail = log is not null && File.Exists(log) ? $" Server log:\n{await File.ReadAllTextAsync(log)}" : "";
            Stop();
            throw new InvalidOperationException($"Could not start a PostgreSQL test server: {e.Message}{tail}", e);
        }
    }

    private async Task WaitUntilItAcceptsConnectionsAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                await using var connection = new NpgsqlConnection(ConnectionString(Superuser));
                await connection.OpenAsync();
                return;
            }
            catch (Exception e) when (e is NpgsqlException && DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }
    }

    /// <summary>Stops the server at once (its data is thrown away) and deletes its folder; safe to call more than once.</summary>
    private void Stop()
    {
        lock (_stopLock)
        {
            if (_stopped || _folder is not { } folder)
            {
                return;
            }

            _stopped = true;
            StopAndDelete(folder);
        }
    }

    private void StopAndDelete(string folder)
    {
        NpgsqlConnection.ClearAllPools();
        var data = Path.Combine(folder, "data");
        if (_bin is not null && File.Exists(Path.Combine(data, "postmaster.pid")))
        {
            try
            {
                RunAsync(Path.Combine(_bin, "pg_ctl"), ["-D", data, "-m", "immediate", "-w", "-t", "30", "stop"], _asPostgresUser)
                    .GetAwaiter().GetResult();
            }
            catch (Exception)
            {
                KillPostmaster(data);
            }
        }

        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open; the OS cleans temporary folders.
        }
    }

    /// <summary>The last resort when pg_ctl could not stop the server: its process id is the first line of postmaster.pid.</summary>
    private static void KillPostmaster(string data)
    {
        try
        {
            var pid = int.Parse(File.ReadLines(Path.Combine(data, "postmaster.pid")).First(), CultureInfo.InvariantCulture);
            using var postmaster = Process.GetProcessById(pid);
            postmaster.Kill(entireProcessTree: true);
        }
        catch (Exception)
        {
            // Already gone.
        }
    }

    /// <summary>The highest installed version's bin folder of Debian's PostgreSQL packages.</summary>
    private static string FindBinaries()
    {
        var versions = Directory.Exists(PackageRoot)
            ? Directory.GetDirectories(PackageRoot)
                .Where(d => File.Exists(Path.Combine(d, "bin", "initdb")) && File.Exists(Path.Combine(d, "bin", "pg_ctl")))
                .Select(d => (Folder: d, Version: decimal.TryParse(Path.GetFileName(d), CultureInfo.InvariantCulture, out var v) ? v : -1))
                .OrderByDescending(v => v.Version)
                .ToList()
            : [];
        return versions.Count > 0
            ? Path.Combine(versions[0].Folder, "bin")
            : throw new PostgreSqlMissingException(
                $"PostgreSQL is not installed (no {PackageRoot}/<version>/bin/initdb), and these tests need a real server: " +
                "run ./test.sh as root (it installs Debian's postgresql when missing), or: sudo apt-get install -y postgresql");
    }

    private static async Task RunAsync(string program, IReadOnlyList<string> arguments, bool asPostgres)
    {
        var start = new ProcessStartInfo
        {
            FileName = asPostgres ? RunUser : program,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            // The postgres user may not be allowed into the current folder.
            WorkingDirectory = Path.GetTempPath(),
        };
        if (asPostgres)
        {
            foreach (var argument in new[] { "-u", Superuser, "--", program })
            {
                start.ArgumentList.Add(argument);
            }
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not run {program}.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{Path.GetFileName(program)} did not finish within 90 s.");
        }

        if (process.ExitCode != 0)
        {
            var said = new StringBuilder().Append(await output).Append(await error).ToString().Trim();
            throw new InvalidOperationException($"{string.Join(' ', start.ArgumentList)} exited with {process.ExitCode}: {said}");
        }
    }

    /// <summary>util-linux's runuser, also where /usr/sbin is not on the PATH.</summary>
    private static string RunUser =>
        new[] { "/usr/sbin/runuser", "/sbin/runuser" }.FirstOrDefault(File.Exists) ?? "runuser";

    /// <summary>A database name PostgreSQL takes unquoted-looking and short: lower-case letters, digits and underscores.</summary>
    private static string Sanitize(string prefix)
    {
        var name = NotNameCharacters().Replace(prefix.ToLowerInvariant(), "_");
        return name.Length > 50 ? name[..50] : name;
    }

    [GeneratedRegex("[^a-z0-9_]")]
    private static partial Regex NotNameCharacters();
}

/// <summary>PostgreSQL's binaries are not installed; the message says how to install them.</summary>
public sealed class PostgreSqlMissingException(string message) : Exception(message);
