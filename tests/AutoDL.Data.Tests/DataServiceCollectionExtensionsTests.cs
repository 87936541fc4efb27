namespace AutoDL.Data.Tests;

public sealed class DataServiceCollectionExtensionsTests
{
    [Fact]
    public void AnEmptyConnectionStringPutsTheDatabaseInTheDataFolder()
    {
        var connection = DataServiceCollectionExtensions.ResolveConnectionString(new DatabaseOptions(), "/srv/autodl");

        Assert.Equal("Data Source=/srv/autodl/autodl.db", connection);
    }

    [Fact]
    public void AnUnsupportedProviderIsNamedInTheError()
    {
        var error = Assert.Throws<InvalidOperationException>(() =>
            DataServiceCollectionExtensions.ResolveConnectionString(new DatabaseOptions { Provider = "Oracle" }, "/srv/autodl"));

        Assert.Contains("AutoDL:Database:Provider is 'Oracle'", error.Message);
    }
}
