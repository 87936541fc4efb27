namespace AutoDL.Core.Tests;

public sealed class LayeringTests
{
    /// <summary>Pure computing libraries Core may use: ImageSharp decodes image datasets (DESIGN.md: Core has the image readers).</summary>
    private static readonly string[] Allowed = ["SixLabors.ImageSharp"];

    [Fact]
    public void CoreReferencesNoIoFramework()
    {
        var core = typeof(CoreAssembly).Assembly;

        var frameworks = core.GetReferencedAssemblies()
            .Select(a => a.Name!)
            .Where(name => !name.StartsWith("System", StringComparison.Ordinal) && name is not "netstandard" and not "mscorlib")
            .Except(Allowed)
            .ToList();

        Assert.Empty(frameworks);
    }
}
