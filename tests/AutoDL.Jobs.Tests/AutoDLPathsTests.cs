using AutoDL.Jobs.Hosting;

namespace AutoDL.Jobs.Tests;

public sealed class AutoDLPathsTests
{
    [Fact]
    public void FromAClonesBuildOutputTheContentRootIsTheRepositoryTopLevel()
    {
        var root = AutoDLPaths.LocateContentRoot(AppContext.BaseDirectory);

        Assert.True(File.Exists(Path.Combine(root, "AutoDL.sln")));
        Assert.True(File.Exists(Path.Combine(root, "appsettings.json")));
        Assert.True(Directory.Exists(Path.Combine(root, "wwwroot")));
    }

    [Fact]
    public void APublishedAppIsItsOwnContentRoot()
    {
        using var published = new TempFolder();
        File.WriteAllText(Path.Combine(published.Path, "appsettings.json"), "{}");

        Assert.Equal(Path.GetFullPath(published.Path), AutoDLPaths.LocateContentRoot(published.Path));
    }

    [Fact]
    public void WithoutAppSettingsTheErrorSaysWhereItLooked()
    {
        using var empty = new TempFolder();

        var error = Assert.Throws<InvalidOperationException>(() => AutoDLPaths.LocateContentRoot(empty.Path));
        Assert.Contains(empty.Path, error.Message);
        Assert.Contains("appsettings.json", error.Message);
    }
}
