namespace AutoDL.Data.Tests.PostgreSql;

/// <summary>The test classes that run on the one throwaway PostgreSQL server of this assembly, each on its own database.</summary>
[CollectionDefinition(Name)]
public sealed class PostgreSqlCollection : ICollectionFixture<PostgreSqlServer>
{
    public const string Name = "PostgreSQL";
}
