using AutoDL.Web.Components.Shared;
using AutoDL.Web.Status;
using Bunit;

namespace AutoDL.Web.Tests.Components;

public sealed class JobServersTableTests
{
    [Fact]
    public async Task WithNoServerItSaysSearchesWillWait()
    {
        await using var context = MudBunitContext.Create();

        var table = context.Render<JobServersTable>(p => p.Add(t => t.Servers, []));

        Assert.Contains("No background job server is running", table.Markup);
    }

    [Fact]
    public async Task EachServerIsARowWithItsQueuesAndWorkers()
    {
        await using var context = MudBunitContext.Create();
        HangfireServerInfo[] servers =
        [
            new("web:1", ["default", "cpu"], 2, new DateTime(2026, 11, 25, 10, 0, 0)),
            new("gpu-node:7", ["gpu"], 1, null),
        ];

        var rows = context.Render<JobServersTable>(p => p.Add(t => t.Servers, servers)).FindAll("tbody tr");

        Assert.Equal(2, rows.Count);
        Assert.Equal(["web:1", "default, cpu", "2", "2026-11-25 10:00:00"], rows[0].QuerySelectorAll("td").Select(td => td.TextContent));
        Assert.Equal(["gpu-node:7", "gpu", "1", "never"], rows[1].QuerySelectorAll("td").Select(td => td.TextContent));
    }
}
