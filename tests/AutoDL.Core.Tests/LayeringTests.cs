namespace AutoDL.Core.Tests;

public sealed class LayeringTests
{
    [Fact]
    public void CoreReferencesNoIoFramework()
    {
        var core = typeof(CoreAssembly).Assembly;

        var frameworks = core.GetReferencedAssemblies()
            .Select(a => a.Name!)
            .Where(name => !name.StartsWith("System", StringComparison.Ordinal) && name is not "netstandard" and not "mscorlib")
            .ToList();

        Assert.Empty(frameworks);
    }
}
