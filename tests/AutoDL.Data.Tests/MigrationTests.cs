using Microsoft.EntityFrameworkCore;

namespace AutoDL.Data.Tests;

public sealed class MigrationTests
{
    [Fact]
    public async Task MigrationsCreateTheIdentityAndTokenTables()
    {
        await using var database = await SqliteDatabase.CreateAsync();
        await using var db = database.NewContext();

        Assert.Empty(await db.Database.GetPendingMigrationsAsync());
        Assert.Equal(0, await db.Users.CountAsync());
        Assert.Equal(0, await db.ApiTokens.CountAsync());
    }

    [Fact]
    public async Task MigrationsCreateTheSearchAndTrialTables()
    {
        await using var database = await SqliteDatabase.CreateAsync();
        await using var db = database.NewContext();

        Assert.Equal(0, await db.SearchRows.CountAsync());
        Assert.Equal(0, await db.TrialRows.CountAsync());
    }

    [Fact]
    public async Task TheModelHasNoChangesMissingFromTheMigrations()
    {
        await using var database = await SqliteDatabase.CreateAsync();
        await using var db = database.NewContext();

        Assert.False(db.Database.HasPendingModelChanges(),
            "The model differs from the last migration: run scripts/add-migration.sh <Name>.");
    }
}
