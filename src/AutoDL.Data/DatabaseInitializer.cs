using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace AutoDL.Data;

public static class DatabaseInitializer
{
    /// <summary>Creates the database when missing and applies every pending migration from <c>migrations/</c>.</summary>
    public static async Task InitializeAutoDLDatabaseAsync(this IServiceProvider services, CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        await db.Database.MigrateAsync(cancellationToken);
    }
}
