using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using AutoDL.Data.Identity;

namespace AutoDL.Web.Tests.Api;

[Collection(WebAppCollection.Name)]
public sealed class SearchesApiTests(AutoDLWebFactory app)
{
    private HttpClient Admin => app.CreateClientWithToken(AutoDLWebFactory.AdminToken);

    [Fact]
    public async Task AStartedSearchAnswers202AtOnceAndRunsInTheBackgroundToADownloadablePredictingModel()
    {
        var iris = await app.IrisAsync();

        var response = await Admin.PostAsJsonAsync("/api/v1/searches", new
        {
            datasetId = iris, target = "species", learners = new[] { "sdca" }, budget = new { trials = 2 }, folds = 2, seed = 3,
        });

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        Assert.Equal($"/api/v1/searches/{id}", response.Headers.Location?.OriginalString);
        var search = await AutoDLWebFactory.WaitForSearchEndAsync(Admin, id);
        Assert.Equal("completed", search.GetProperty("status").GetString());
        Assert.Equal("multiclass", search.GetProperty("task").GetString());
        Assert.Equal("accuracy", search.GetProperty("metric").GetString());
        Assert.Equal("sdca", search.GetProperty("settings").GetProperty("learners")[0].GetString());
        Assert.Equal("tpe", search.GetProperty("settings").GetProperty("strategy").GetString());
        Assert.True(search.GetProperty("settings").GetProperty("refitOnAllRows").GetBoolean());

        var trials = await Admin.GetFromJsonAsync<JsonElement>($"/api/v1/searches/{id}/trials");
        Assert.Equal(2, trials.GetArrayLength());
        Assert.Equal("sdca", trials[0].GetProperty("params").GetProperty("learner").GetString());
        Assert.Equal(2, trials[0].GetProperty("intermediate").GetArrayLength());

        var list = await Admin.GetFromJsonAsync<JsonElement>("/api/v1/searches");
        Assert.Contains(list.EnumerateArray(), s => s.GetProperty("id").GetString() == id && s.GetProperty("trialsDone").GetInt32() == 2);

        var modelId = search.GetProperty("bestModelId").GetString()!;
        var leaderboard = await Admin.GetFromJsonAsync<JsonElement>($"/api/v1/models?searchId={id}");
        // The winner, and possibly an ensemble of the two trials when it beat the winner out of fold.
        var row = Assert.Single(leaderboard.EnumerateArray(), m => m.GetProperty("isBest").GetBoolean());
        Assert.All(leaderboard.EnumerateArray().Where(m => !m.GetProperty("isBest").GetBoolean()),
            m => Assert.Equal("ensemble", m.GetProperty("learner").GetString()));
        Assert.Equal(modelId, row.GetProperty("id").GetString());
        Assert.Equal("sdca", row.GetProperty("learner").GetString());
        Assert.True(row.GetProperty("metrics").GetProperty("test").GetProperty("classification").GetProperty("accuracy").GetDouble() > 0.5);
        Assert.True(row.GetProperty("predictMicrosecondsPerRow").GetDouble() > 0);
        // The deployed model was refitted on all 150 iris rows after its one test on the held-out rows.
        var fit = (await Admin.GetFromJsonAsync<JsonElement>($"/api/v1/models/{modelId}")).GetProperty("fit");
        Assert.Equal("all-rows", fit.GetProperty("fittedOn").GetString());
        Assert.Equal(150, fit.GetProperty("rows").GetInt32());
        Assert.Equal(150, fit.GetProperty("trainingRows").GetInt32() + fit.GetProperty("testRows").GetInt32());
        Assert.Equal(row.GetProperty("metrics").GetProperty("test").GetProperty("rows").GetInt32(), fit.GetProperty("testRows").GetInt32());
        Assert.False(fit.TryGetProperty("validationRows", out _));
        Assert.Equal("all-rows", row.GetProperty("fit").GetProperty("fittedOn").GetString());

        var predicted = await Admin.PostAsJsonAsync($"/api/v1/models/{modelId}/predict", new
        {
            rows = new object[] { new { sepal_length = 5.1, sepal_width = 3.5, petal_length = 1.4, petal_width = 0.2 } },
        });
        Assert.Equal(HttpStatusCode.OK, predicted.StatusCode);
        var prediction = (await predicted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("predictions")[0];
        Assert.Equal("setosa", prediction.GetProperty("label").GetString());
        Assert.Equal(3, prediction.GetProperty("probabilities").EnumerateObject().Count());

        var bad = await Admin.PostAsJsonAsync($"/api/v1/models/{modelId}/predict", new
        {
            rows = new object[]
            {
                new { sepal_length = "long", sepal_width = 3.5, petal_length = 1.4, petal_width = 0.2 },
                new { sepal_length = 5.1, sepal_width = 3.5, petal_length = 1.4 },
            },
        });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("application/problem+json", bad.Content.Headers.ContentType?.MediaType);
        var errors = (await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.Contains("Row 0", errors.GetProperty("rows[0].sepal_length")[0].GetString());
        Assert.Contains("'petal_width'", errors.GetProperty("rows[1].petal_width")[0].GetString());

        var download = await Admin.GetAsync($"/api/v1/models/{modelId}/download");
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal("application/zip", download.Content.Headers.ContentType?.MediaType);
        Assert.Equal("Iris-flowers-sample-sdca.zip", download.Content.Headers.ContentDisposition?.FileNameStar ?? download.Content.Headers.ContentDisposition?.FileName);
        var bytes = await download.Content.ReadAsByteArrayAsync();
        Assert.Equal("PK"u8.ToArray(), bytes[..2]);

        var again = await Admin.PostAsync($"/api/v1/searches/{id}/cancel", null);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
    }

    [Theory]
    [InlineData("{\"datasetId\":\"no-such-dataset\",\"target\":\"species\"}", "datasetId", "no-such-dataset")]
    [InlineData("{\"datasetId\":\"$iris\",\"target\":\"colour\"}", "target", "colour")]
    [InlineData("{\"datasetId\":\"$iris\",\"target\":\"species\",\"metric\":\"rmse\"}", "metric", "multiclass")]
    [InlineData("{\"datasetId\":\"$iris\",\"target\":\"species\",\"budget\":{\"trials\":\"lots\"}}", "budget.trials", "budget.trials")]
    [InlineData("{\"datasetId\":\"$iris\",\"target\":\"species\",\"parallelism\":100}", "parallelism", "100")]
    [InlineData("{\"datasetId\":\"$iris\",\"target\":\"species\",\"refitOnAllRows\":\"yes\"}", "refitOnAllRows", "refitOnAllRows")]
    public async Task ABadSearchRequestIsAProblemNamingTheField(string body, string field, string mentioned)
    {
        var iris = await app.IrisAsync();

        var response = await Admin.PostAsync("/api/v1/searches", new StringContent(body.Replace("$iris", iris), Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        var messages = problem.GetProperty("errors").GetProperty(field);
        Assert.Contains(mentioned, messages[0].GetString());
        Assert.DoesNotContain("   at ", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("GET", "/api/v1/searches/nope")]
    [InlineData("GET", "/api/v1/searches/nope/trials")]
    [InlineData("POST", "/api/v1/searches/nope/cancel")]
    [InlineData("POST", "/api/v1/searches/nope/trials/0/model")]
    [InlineData("GET", "/api/v1/models/nope")]
    [InlineData("POST", "/api/v1/models/nope/predict")]
    [InlineData("GET", "/api/v1/models/nope/download")]
    public async Task UnknownIdsAnswer404ProblemDetails(string method, string path)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method == "POST")
        {
            request.Content = new StringContent("{\"rows\":[{}]}", Encoding.UTF8, "application/json");
        }

        var response = await Admin.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("nope", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task AnAuditorMayReadButNotStartASearch()
    {
        var auditor = app.CreateClientWithToken(await app.CreateUserWithTokenAsync("search-auditor@example.com", Roles.Auditor));

        var started = await auditor.PostAsJsonAsync("/api/v1/searches", new { datasetId = await app.IrisAsync(), target = "species" });

        Assert.Equal(HttpStatusCode.Forbidden, started.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await auditor.GetAsync("/api/v1/searches")).StatusCode);
    }
}
