using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.ML.OnnxRuntime;

namespace AutoDL.Web.Tests.Api;

[Collection(WebAppCollection.Name)]
public sealed class ModelsApiOnnxTests(AutoDLWebFactory app)
{
    private HttpClient Admin => app.CreateClientWithToken(AutoDLWebFactory.AdminToken);

    [Fact]
    public async Task AModelThatConvertsDownloadsAsOnnxAndSaysHowCloseOnnxRuntimeCame()
    {
        var iris = await app.IrisAsync();
        var modelId = await WinnerAsync(iris, "species");

        var model = await Admin.GetFromJsonAsync<JsonElement>($"/api/v1/models/{modelId}");
        // The test metrics carry a ROC and a precision–recall curve per class (one against the rest).
        var curves = model.GetProperty("metrics").GetProperty("test").GetProperty("classification").GetProperty("curves");
        Assert.Equal(["setosa", "versicolor", "virginica"], curves.EnumerateArray().Select(c => c.GetProperty("class").GetString()));
        Assert.All(curves.EnumerateArray(), c => Assert.True(c.GetProperty("roc")[0].TryGetProperty("falsePositiveRate", out _)));
        var onnx = model.GetProperty("onnx");
        Assert.True(onnx.GetProperty("available").GetBoolean(), onnx.ToString());
        Assert.InRange(onnx.GetProperty("maxAbsDifference").GetDouble(), 0, 1e-4);
        Assert.Equal(JsonValueKind.Null, onnx.GetProperty("reason").ValueKind);

        var download = await Admin.GetAsync($"/api/v1/models/{modelId}/download?format=onnx");
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal("application/octet-stream", download.Content.Headers.ContentType?.MediaType);
        Assert.Equal("Iris-flowers-sample-sdca.onnx", download.Content.Headers.ContentDisposition?.FileNameStar ?? download.Content.Headers.ContentDisposition?.FileName);
        using var session = new InferenceSession(await download.Content.ReadAsByteArrayAsync());
        Assert.Equal(["petal_length", "petal_width", "sepal_length", "sepal_width"], session.InputMetadata.Keys.Order());

        var zip = await Admin.GetAsync($"/api/v1/models/{modelId}/download?format=mlnet");
        Assert.Equal("application/zip", zip.Content.Headers.ContentType?.MediaType);
        var unknown = await Admin.GetAsync($"/api/v1/models/{modelId}/download?format=pmml");
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Contains("'onnx'", await unknown.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task AModelThatDoesNotConvertAnswers409WithTheReasonForOnnx()
    {
        var csv = new StringBuilder("x,day,y\n");
        var random = new Random(4);
        for (var i = 0; i < 80; i++)
        {
            var x = random.NextDouble();
            csv.Append(CultureInfo.InvariantCulture, $"{x:0.####},{new DateTime(2022, 1, 1).AddDays(random.Next(300)):yyyy-MM-dd},{10 * x + random.NextDouble():0.####}\n");
        }

        var modelId = await WinnerAsync(await app.UploadCsvAsync("dated.csv", csv.ToString()), "y");

        var model = await Admin.GetFromJsonAsync<JsonElement>($"/api/v1/models/{modelId}");
        Assert.False(model.GetProperty("onnx").GetProperty("available").GetBoolean());
        Assert.Contains("date parts of 'day'", model.GetProperty("onnx").GetProperty("reason").GetString());
        var download = await Admin.GetAsync($"/api/v1/models/{modelId}/download?format=onnx");
        Assert.Equal(HttpStatusCode.Conflict, download.StatusCode);
        Assert.Equal("application/problem+json", download.Content.Headers.ContentType?.MediaType);
        var problem = await download.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("has no ONNX form", problem.GetProperty("detail").GetString());
        Assert.Contains("date parts of 'day'", problem.GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.OK, (await Admin.GetAsync($"/api/v1/models/{modelId}/download")).StatusCode);
    }

    private async Task<string> WinnerAsync(string datasetId, string target)
    {
        var response = await Admin.PostAsJsonAsync("/api/v1/searches", new
        {
            datasetId, target, learners = new[] { "sdca" }, budget = new { trials = 2 }, folds = 2, seed = 3,
        });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        while (true)
        {
            var search = await Admin.GetFromJsonAsync<JsonElement>($"/api/v1/searches/{id}", timeout.Token);
            if (search.GetProperty("status").GetString() is "completed" or "failed" or "cancelled")
            {
                Assert.True(search.GetProperty("status").GetString() == "completed", search.GetProperty("error").ToString());
                return search.GetProperty("bestModelId").GetString()!;
            }

            await Task.Delay(200, timeout.Token);
        }
    }
}
