namespace AutoDL.Jobs.Hosting;

/// <summary>Finds the folder that holds AutoDL's one <c>appsettings.json</c> (and, for the web app, <c>wwwroot/</c>).</summary>
public static class AutoDLPaths
{
    /// <summary>
    /// The content root. Run from a clone (<c>dotnet run</c>, tests), it is the repository's top level, the folder above
    /// the app that holds <c>AutoDL.sln</c> and <c>appsettings.json</c>, so the web app and the worker share one
    /// configuration and one data folder. Published (or in a container), it is the app's own folder.
    /// </summary>
    public static string LocateContentRoot(string? appDirectory = null)
    {
        appDirectory ??= AppContext.BaseDirectory;
        for (var dir = new DirectoryInfo(appDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "AutoDL.sln")) && File.Exists(Path.Combine(dir.FullName, "appsettings.json")))
            {
                return dir.FullName;
            }
        }

        if (File.Exists(Path.Combine(appDirectory, "appsettings.json")))
        {
            return Path.GetFullPath(appDirectory);
        }

        throw new InvalidOperationException(
            $"Cannot find AutoDL's appsettings.json: not in {appDirectory}, nor in a clone of the repository above it.");
    }

    /// <summary>The data folder as an absolute path, created when missing. A relative path is relative to the content root.</summary>
    public static string ResolveDataRoot(string contentRoot, string? configured)
    {
        var path = Path.GetFullPath(string.IsNullOrWhiteSpace(configured) ? "data" : configured, contentRoot);
        Directory.CreateDirectory(path);
        return path;
    }
}
