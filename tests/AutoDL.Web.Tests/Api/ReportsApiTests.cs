using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using AutoDL.Data.Identity;

namespace AutoDL.Web.Tests.Api;

[Collection(WebAppCollection.Name)]
public sealed class ReportsApiTests(AutoDLWebFactory app)
{
    private HttpClient Admin => app.CreateClientWithToken(AutoDLWebFactory.AdminToken);

    [Fact]
    public async Task AnAuditorMakesReadsAndDownloadsAReportAndSeesWhoViewedIt()
    {
        var auditor = app.CreateClientWithToken(await app.CreateUserWithTokenAsync($"auditor-{Guid.NewGuid():N}@example.com", Roles.Auditor));
        var analyst = app.CreateClientWithToken(await app.CreateUserWithTokenAsync($"analyst-{Guid.NewGuid():N}@example.com", Roles.Analyst));
        var modelId = await WinnerAsync(await app.IrisAsync(), "species");

        var created = await auditor.PostAsJsonAsync($"/api/v1/models/{modelId}/reports", new { methods = new[] { "permutation", "shap" }, rows = new[] { 0, 1 } });
        Assert.Equal(HttpStatusCode.Accepted, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        Assert.Equal($"/api/v1/reports/{id}", created.Headers.Location?.OriginalString);

        var report = await WaitAsync(auditor, id);
        var document = report.GetProperty("document");
        Assert.Equal(2, document.GetProperty("shap").GetProperty("rows").GetArrayLength());
        Assert.InRange(document.GetProperty("shap").GetProperty("maxAdditivityError").GetDouble(), 0, 1e-6);
        Assert.Equal(4, document.GetProperty("importance").GetProperty("columns").GetArrayLength());
        var listed = await auditor.GetFromJsonAsync<JsonElement>($"/api/v1/reports?modelId={modelId}");
        Assert.Contains(listed.EnumerateArray(), r => r.GetProperty("id").GetString() == id);

        var html = await auditor.GetAsync($"/api/v1/reports/{id}/download");
        Assert.Equal("text/html", html.Content.Headers.ContentType?.MediaType);
        Assert.Contains("<svg", await html.Content.ReadAsStringAsync());
        var json = await analyst.GetAsync($"/api/v1/reports/{id}/download?format=json");
        Assert.Equal("application/json", json.Content.Headers.ContentType?.MediaType);
        Assert.Equal(report.GetProperty("sha256").GetString(), Convert.ToHexStringLower(SHA256.HashData(await json.Content.ReadAsByteArrayAsync())));
        Assert.Equal(HttpStatusCode.BadRequest, (await auditor.GetAsync($"/api/v1/reports/{id}/download?format=pdf")).StatusCode);

        var views = await auditor.GetFromJsonAsync<JsonElement>($"/api/v1/reports/{id}/views");
        var actions = views.EnumerateArray().Select(v => v.GetProperty("action").GetString()).ToList();
        Assert.Contains("downloaded-json", actions);
        Assert.Contains("downloaded-html", actions);
        Assert.Contains("viewed", actions);
        Assert.Equal(HttpStatusCode.Forbidden, (await analyst.GetAsync($"/api/v1/reports/{id}/views")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Admin.GetAsync($"/api/v1/reports/{id}/views")).StatusCode);
    }

    [Fact]
    public async Task ABadReportRequestIs400NamingTheFieldAndAnUnknownModelOrReport404()
    {
        var modelId = await WinnerAsync(await app.IrisAsync(), "species");

        var bad = await Admin.PostAsJsonAsync($"/api/v1/models/{modelId}/reports", new { methods = new[] { "anchors" }, sensitiveColumns = new[] { "colour" } });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var errors = (await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.Contains("'anchors'", errors.GetProperty("methods")[0].GetString());
        Assert.Contains("'colour'", errors.GetProperty("sensitiveColumns")[0].GetString());
        var malformed = await Admin.PostAsync($"/api/v1/models/{modelId}/reports", new StringContent("{\"rows\": \"all\"}", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.Contains("rows", await malformed.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.NotFound, (await Admin.PostAsJsonAsync("/api/v1/models/nope/reports", new { })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Admin.GetAsync("/api/v1/reports/nope")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Admin.GetAsync("/api/v1/reports/nope/download")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.CreateAnonymousClient().GetAsync("/api/v1/reports")).StatusCode);
    }

    private static async Task<JsonElement> WaitAsync(HttpClient client, string id)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        while (true)
        {
            var report = await client.GetFromJsonAsync<JsonElement>($"/api/v1/reports/{id}", timeout.Token);
            var state = report.GetProperty("state").GetString();
            if (state is "ready" or "failed")
            {
                Assert.True(state == "ready", report.GetProperty("error").ToString());
                return report;
            }

            await Task.Delay(200, timeout.Token);
        }
    }

    private async Task<string> WinnerAsync(string datasetId, string target)
    {
        var response = await Admin.PostAsJsonAsync("/api/v1/searches", new
        {
            datasetId, target, learners = new[] { "sdca" }, budget = new { trials = 2 }, folds = 2, seed = 3,
        });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        var search = await AutoDLWebFactory.WaitForSearchEndAsync(Admin, id);
        Assert.True(search.GetProperty("status").GetString() == "completed", search.GetProperty("error").ToString());
        return search.GetProperty("bestModelId").GetString()!;
    }
}
