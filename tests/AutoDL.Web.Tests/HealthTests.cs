using System.Net;
using System.Text.Json;

namespace AutoDL.Web.Tests;

[Collection(WebAppCollection.Name)]
public sealed class HealthTests(AutoDLWebFactory app)
{
    [Fact]
    public async Task HealthzAnswers200WithTheDatabaseAndHangfireChecked()
    {
        // The in-process Hangfire server registers within moments of start-up; give it a few seconds.
        HttpResponseMessage response;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        do
        {
            response = await app.CreateAnonymousClient().GetAsync("/healthz");
        }
        while (response.StatusCode != HttpStatusCode.OK && DateTime.UtcNow < deadline && await Delay());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var checks = body.RootElement.GetProperty("checks").EnumerateArray()
            .ToDictionary(c => c.GetProperty("name").GetString()!, c => c.GetProperty("status").GetString());
        Assert.Equal("Healthy", checks["database"]);
        Assert.Equal("Healthy", checks["hangfire"]);
    }

    private static async Task<bool> Delay()
    {
        await Task.Delay(250);
        return true;
    }
}
