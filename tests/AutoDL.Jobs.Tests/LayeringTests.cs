using System.Reflection;

namespace AutoDL.Jobs.Tests;

/// <summary>
/// Dependencies point downwards: Web/Worker → Jobs → Data, Learners → Core. AutoDL.Data.PostgreSql (the PostgreSQL
/// migrations) sits on Data; Data loads it by name, never by reference.
/// </summary>
public sealed class LayeringTests
{
    [Theory]
    [InlineData("AutoDL.Core", new[] { "AutoDL.Learners", "AutoDL.Data", "AutoDL.Data.PostgreSql", "AutoDL.Jobs", "AutoDL.Web", "AutoDL.Worker" })]
    [InlineData("AutoDL.Learners", new[] { "AutoDL.Data", "AutoDL.Data.PostgreSql", "AutoDL.Jobs", "AutoDL.Web", "AutoDL.Worker" })]
    [InlineData("AutoDL.Data", new[] { "AutoDL.Learners", "AutoDL.Data.PostgreSql", "AutoDL.Jobs", "AutoDL.Web", "AutoDL.Worker" })]
    [InlineData("AutoDL.Data.PostgreSql", new[] { "AutoDL.Learners", "AutoDL.Jobs", "AutoDL.Web", "AutoDL.Worker" })]
    [InlineData("AutoDL.Jobs", new[] { "AutoDL.Web", "AutoDL.Worker" })]
    public void ALayerReferencesNothingAboveIt(string layer, string[] above)
    {
        var references = Assembly.Load(layer).GetReferencedAssemblies().Select(a => a.Name).ToList();

        Assert.Empty(references.Intersect(above));
    }
}
