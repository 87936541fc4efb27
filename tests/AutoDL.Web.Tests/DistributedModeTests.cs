extern alias worker;

using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AutoDL.Data;
using AutoDL.Data.Tests.PostgreSql;
using worker::AutoDL.Worker;
using Hangfire;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace AutoDL.Web.Tests;

/// <summary>
/// Distributed mode: the application database and Hangfire's storage on PostgreSQL, the data folder shared, jobs run by
/// worker processes. Runs after every other test of the assembly, alone: Hangfire keeps its storage in a static, so no
/// other app may start beside these.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class DistributedModeCollection : ICollectionFixture<PostgreSqlServer>
{
    public const string Name = "distributed mode";
}

[Collection(DistributedModeCollection.Name)]
public sealed class DistributedModeTests(PostgreSqlServer server)
{
    [Fact]
    public async Task AWebAppWithoutAJobServerAndAWorkerOnOnePostgreSqlDatabaseRunASearch()
    {
        var connection = await server.CreateDatabaseAsync("distributed");
        using var web = new AutoDLWebFactory
        {
            Settings = new Dictionary<string, string>
            {
                ["AutoDL:Database:Provider"] = "postgresql",
                ["AutoDL:Database:ConnectionString"] = connection,
                // Jobs are left to the workers; Hangfire's storage follows the database onto PostgreSQL.
                ["AutoDL:Hangfire:Server"] = "false",
            },
        };

        // The app started on an empty database: migrated it, created the Admin, who signs in through the login form.
        var signedIn = await web.SignInAsync(AutoDLWebFactory.AdminEmail, AutoDLWebFactory.AdminPassword);
        var me = await signedIn.GetFromJsonAsync<JsonElement>("/api/v1/me");
        Assert.Equal(AutoDLWebFactory.AdminEmail, me.GetProperty("email").GetString());
        Assert.Equal(0L, await CountAsync(connection, "SELECT count(*) FROM hangfire.server"));

        // A worker on another machine: the same database and the same data folder (a shared volume).
        using var worker = WorkerHost.CreateBuilder(
        [
            $"--AutoDL:DataRoot={web.DataRoot}",
            "--AutoDL:Database:Provider=PostgreSql",
            $"--AutoDL:Database:ConnectionString={connection}",
            "--AutoDL:Hangfire:WorkerCount=2",
        ]).Build();
        await worker.Services.InitializeAutoDLDatabaseAsync(CancellationToken.None);
        await worker.StartAsync();
        try
        {
            var admin = web.CreateClientWithToken(AutoDLWebFactory.AdminToken);
            var started = await admin.PostAsJsonAsync("/api/v1/searches", new
            {
                datasetId = await web.IrisAsync(), target = "species", learners = new[] { "sdca" }, budget = new { trials = 2 }, folds = 2, seed = 3,
            });
            Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
            var id = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;

            var search = await AutoDLWebFactory.WaitForSearchEndAsync(admin, id);
            Assert.Equal("completed", search.GetProperty("status").GetString());
            var trials = await admin.GetFromJsonAsync<JsonElement>($"/api/v1/searches/{id}/trials");
            Assert.Equal(2, trials.GetArrayLength());
            Assert.All(trials.EnumerateArray(), t => Assert.Equal(2, t.GetProperty("intermediate").GetArrayLength()));
            var model = await admin.GetFromJsonAsync<JsonElement>($"/api/v1/models/{search.GetProperty("bestModelId").GetString()}");
            Assert.Equal("ready", model.GetProperty("state").GetString());

            // The worker, the only Hangfire server, ran the jobs; the web app sees it through the shared storage.
            var servers = worker.Services.GetRequiredService<JobStorage>().GetMonitoringApi().Servers();
            Assert.Contains(Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture), Assert.Single(servers).Name);
            Assert.True(worker.Services.GetRequiredService<JobStorage>().GetMonitoringApi().GetStatistics().Succeeded >= 1);
            var health = await web.CreateAnonymousClient().GetAsync("/healthz");
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        }
        finally
        {
            await worker.StopAsync();
        }
    }

    private static async Task<long> CountAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
