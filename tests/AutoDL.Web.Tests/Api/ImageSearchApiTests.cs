using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace AutoDL.Web.Tests.Api;

[Collection(WebAppCollection.Name)]
public sealed class ImageSearchApiTests(AutoDLWebFactory app)
{
    private HttpClient Admin => app.CreateClientWithToken(AutoDLWebFactory.AdminToken);

    /// <summary>A grey 8×8 PNG: dark (class "night") or light ("day"), with a little noise.</summary>
    private static byte[] Png(bool light, Random random)
    {
        using var image = new Image<L8>(8, 8);
        for (var y = 0; y < 8; y++)
        {
            for (var x = 0; x < 8; x++)
            {
                image[x, y] = new L8((byte)((light ? 180 : 20) + random.Next(60)));
            }
        }

        using var stream = new MemoryStream();
        image.SaveAsPng(stream);
        return stream.ToArray();
    }

    private async Task<string> UploadImagesAsync()
    {
        var random = new Random(4);
        using var bytes = new MemoryStream();
        using (var zip = new ZipArchive(bytes, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, light) in new[] { ("night", false), ("day", true) })
            {
                for (var i = 0; i < 25; i++)
                {
                    await using var entry = zip.CreateEntry($"{name}/{i}.png").Open();
                    entry.Write(Png(light, random));
                }
            }
        }

        using var form = new MultipartFormDataContent { { new ByteArrayContent(bytes.ToArray()), "file", "day-night.zip" } };
        var response = await Admin.PostAsync("/api/v1/datasets", form);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    [Fact]
    public async Task AnImageSearchRunsToAModelThatPredictsBase64AndUploadedImagesAndDownloadsAsOnnx()
    {
        var dataset = await UploadImagesAsync();
        var response = await Admin.PostAsJsonAsync("/api/v1/searches", new { datasetId = dataset, task = "image", budget = new { trials = 1 }, seed = 2 });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        var search = await AutoDLWebFactory.WaitForSearchEndAsync(Admin, id);
        Assert.Equal("image", search.GetProperty("task").GetString());

        var modelId = search.GetProperty("bestModelId").GetString()!;
        var model = await Admin.GetFromJsonAsync<JsonElement>($"/api/v1/models/{modelId}");
        Assert.Equal("cnn", model.GetProperty("learner").GetString());
        Assert.True(model.GetProperty("onnx").GetProperty("available").GetBoolean(), model.GetProperty("onnx").ToString());
        var network = model.GetProperty("network");
        Assert.True(network.GetProperty("parameters").GetInt64() > 1000);
        Assert.True(network.GetProperty("layers").GetArrayLength() > 5);
        Assert.True(network.GetProperty("epochs").GetArrayLength() >= 1);

        var random = new Random(8);
        var json = await Admin.PostAsJsonAsync($"/api/v1/models/{modelId}/predict", new
        {
            rows = new object[] { new { image = Convert.ToBase64String(Png(true, random)) }, new { image = Convert.ToBase64String(Png(false, random)) } },
        });
        Assert.Equal(HttpStatusCode.OK, json.StatusCode);
        var labels = (await json.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("predictions").EnumerateArray().Select(p => p.GetProperty("label").GetString());
        Assert.Equal(["day", "night"], labels);

        using var files = new MultipartFormDataContent();
        files.Add(new ByteArrayContent(Png(false, random)) { Headers = { ContentType = new MediaTypeHeaderValue("image/png") } }, "file", "dark.png");
        files.Add(new ByteArrayContent([1, 2, 3]), "file", "broken.png");
        var refused = await Admin.PostAsync($"/api/v1/models/{modelId}/predict", files);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
        var error = problem.GetProperty("errors").GetProperty("rows[1].image")[0].GetString()!;
        Assert.Contains("broken.png", error);

        using var one = new MultipartFormDataContent { { new ByteArrayContent(Png(true, random)), "file", "light.png" } };
        var uploaded = await Admin.PostAsync($"/api/v1/models/{modelId}/predict", one);
        Assert.Equal(HttpStatusCode.OK, uploaded.StatusCode);
        Assert.Equal("day", (await uploaded.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("predictions")[0].GetProperty("label").GetString());

        var onnx = await Admin.GetAsync($"/api/v1/models/{modelId}/download?format=onnx");
        Assert.Equal(HttpStatusCode.OK, onnx.StatusCode);
        Assert.True((await onnx.Content.ReadAsByteArrayAsync()).Length > 1000);

        var front = await Admin.GetFromJsonAsync<JsonElement>($"/api/v1/searches/{id}/pareto");
        Assert.Equal("accuracy", front.GetProperty("objectives")[0].GetString());
        Assert.Equal(modelId, front.GetProperty("trials")[0].GetProperty("modelId").GetString());
    }

    [Fact]
    public async Task AskingForCudaWithoutAGpuWorkerIsA400AtCreation()
    {
        var dataset = await UploadImagesAsync();
        var response = await Admin.PostAsJsonAsync("/api/v1/searches", new { datasetId = dataset, device = "cuda" });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("gpu", problem.GetProperty("errors").GetProperty("device")[0].GetString());
    }
}
