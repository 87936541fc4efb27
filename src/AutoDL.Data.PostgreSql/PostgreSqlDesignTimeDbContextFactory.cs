using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace AutoDL.Data.PostgreSql;

/// <summary>
/// Lets <c>dotnet ef migrations add</c> build the PostgreSQL model without a server (adding a migration never connects):
/// <c>scripts/add-migration.sh</c> runs it with this project as the startup project.
/// </summary>
public sealed class PostgreSqlDesignTimeDbContextFactory : IDesignTimeDbContextFactory<AppDbContext>
{
    public AppDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<AppDbContext>().UseAutoDLPostgreSql("Host=localhost;Database=autodl_design_time").Options);
}
