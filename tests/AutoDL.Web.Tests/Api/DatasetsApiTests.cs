using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using AutoDL.Jobs.Datasets;

namespace AutoDL.Web.Tests.Api;

[Collection(WebAppCollection.Name)]
public sealed class DatasetsApiTests(AutoDLWebFactory app)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    [Fact]
    public async Task AnUploadedCsvAnswers201WithItsColumnsAndTheSameBytesFindIt()
    {
        var client = app.CreateClientWithToken(AutoDLWebFactory.AdminToken);
        var csv = $"height,weight,label\n1.5,50,a\n1.7,70,b\n1.8,80,b\n1.6,55,a\n# {Guid.NewGuid()}\n".Replace("# ", "1.9,90,");

        var created = await client.PostAsync("/api/v1/datasets", Upload("people.csv", csv, name: "People"));

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var dataset = (await created.Content.ReadFromJsonAsync<DatasetInfo>(Json))!;
        Assert.Equal($"/api/v1/datasets/{dataset.Id}", created.Headers.Location?.OriginalString);
        Assert.Equal("People", dataset.Name);
        Assert.Equal("tabular", dataset.Kind);
        Assert.Equal(5, dataset.Rows);
        Assert.Equal([("height", "numeric"), ("weight", "integer"), ("label", "categorical")], dataset.Columns.Select(c => (c.Name, c.Type)));

        var again = await client.PostAsync("/api/v1/datasets", Upload("copy.csv", csv));
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(dataset.Id, (await again.Content.ReadFromJsonAsync<DatasetInfo>(Json))!.Id);

        var read = await client.GetFromJsonAsync<DatasetInfo>($"/api/v1/datasets/{dataset.Id}", Json);
        Assert.Equal(dataset.Sha256, read!.Sha256);
        var listed = await client.GetFromJsonAsync<List<DatasetInfo>>("/api/v1/datasets", Json);
        Assert.Contains(listed!, d => d.Id == dataset.Id);
    }

    [Fact]
    public async Task TheProfileComesWithTheUploadWithStatisticsPerColumnAndAPreview()
    {
        var client = app.CreateClientWithToken(AutoDLWebFactory.AdminToken);
        var created = await client.PostAsync("/api/v1/datasets", Upload("scores.csv", $"score,team\n1,red\n2,red\n3,blue\n4,blue\n{DateTime.UtcNow.Ticks % 1000 + 5},red\n"));
        var dataset = (await created.Content.ReadFromJsonAsync<DatasetInfo>(Json))!;
        Assert.Equal("ready", dataset.ProfileState);

        using var profile = JsonDocument.Parse(await client.GetStringAsync($"/api/v1/datasets/{dataset.Id}/profile"));

        var root = profile.RootElement;
        Assert.Equal(5, root.GetProperty("rows").GetInt64());
        var score = root.GetProperty("columns")[0];
        Assert.Equal("integer", score.GetProperty("type").GetString());
        Assert.Equal(5, score.GetProperty("numeric").GetProperty("histogram").EnumerateArray().Sum(b => b.GetProperty("count").GetInt64()));
        var team = root.GetProperty("columns")[1].GetProperty("topValues").GetProperty("values");
        Assert.Equal(("red", 3), (team[0].GetProperty("value").GetString(), team[0].GetProperty("count").GetInt32()));
        Assert.Equal(5, root.GetProperty("preview").GetArrayLength());
        Assert.Equal(["score", "team"], root.GetProperty("associations").GetProperty("columns").EnumerateArray().Select(c => c.GetString()));
    }

    [Fact]
    public async Task AFileWithARaggedRowIsRefusedWithProblemDetailsNamingTheRow()
    {
        var response = await app.CreateClientWithToken(AutoDLWebFactory.AdminToken)
            .PostAsync("/api/v1/datasets", Upload("ragged.csv", "a,b,c\n1,2,3\n4,5\n"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Contains("'ragged.csv'", problem.RootElement.GetProperty("detail").GetString());
        var error = Assert.Single(problem.RootElement.GetProperty("errors").GetProperty("file").EnumerateArray());
        Assert.Contains("Row 2", error.GetString());
    }

    [Fact]
    public async Task AnUploadOverTheLimitAnswers413()
    {
        var big = new StringBuilder("a,b\n");
        while (big.Length <= AutoDLWebFactory.MaxUploadBytes)
        {
            big.Append("123456789,987654321\n");
        }

        var response = await app.CreateClientWithToken(AutoDLWebFactory.AdminToken).PostAsync("/api/v1/datasets", Upload("big.csv", big.ToString()));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("larger than", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task ARequestWithoutAFileFieldIsRefusedNamingTheField()
    {
        var form = new MultipartFormDataContent { { new StringContent("x"), "name" } };

        var response = await app.CreateClientWithToken(AutoDLWebFactory.AdminToken).PostAsync("/api/v1/datasets", form);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Contains("'file'", problem.RootElement.GetProperty("errors").GetProperty("file")[0].GetString());
    }

    [Fact]
    public async Task TheSampleDatasetsAreThereOnTheFirstStart()
    {
        var listed = await app.CreateClientWithToken(AutoDLWebFactory.AdminToken).GetFromJsonAsync<List<DatasetInfo>>("/api/v1/datasets", Json);

        Assert.Superset(
            new HashSet<string>(["iris.csv", "diabetes.csv", "breast_cancer.csv", "digits.csv"]),
            listed!.Select(d => d.FileName).ToHashSet());
        Assert.Equal(150, listed!.Single(d => d.Name == "Iris flowers (sample)").Rows);
    }

    [Fact]
    public async Task AnUnknownDatasetIs404AndADeletedOneIsGone()
    {
        var client = app.CreateClientWithToken(AutoDLWebFactory.AdminToken);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/api/v1/datasets/nope")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.DeleteAsync("/api/v1/datasets/nope")).StatusCode);

        var created = await client.PostAsync("/api/v1/datasets", Upload("gone.csv", $"x,y\n1,2\n3,4\n{DateTime.UtcNow.Ticks},5\n"));
        var dataset = (await created.Content.ReadFromJsonAsync<DatasetInfo>(Json))!;

        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/api/v1/datasets/{dataset.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/api/v1/datasets/{dataset.Id}")).StatusCode);
    }

    [Fact]
    public async Task AnAuditorReadsDatasetsButCannotUploadOrDeleteThem()
    {
        var auditor = app.CreateClientWithToken(await app.CreateUserWithTokenAsync($"auditor-{Guid.NewGuid():N}@example.com", AutoDL.Data.Identity.Roles.Auditor));
        var iris = (await auditor.GetFromJsonAsync<List<DatasetInfo>>("/api/v1/datasets", Json))!.First(d => d.Name == "Iris flowers (sample)");

        Assert.Equal(HttpStatusCode.Forbidden, (await auditor.PostAsync("/api/v1/datasets", Upload("a.csv", "a,b\n1,2\n3,4\n"))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await auditor.DeleteAsync($"/api/v1/datasets/{iris.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await auditor.GetAsync($"/api/v1/datasets/{iris.Id}/profile")).StatusCode);
    }

    [Fact]
    public async Task WithoutCredentialsUploadsAre401()
    {
        var response = await app.CreateAnonymousClient().PostAsync("/api/v1/datasets", Upload("a.csv", "a,b\n1,2\n"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    private static MultipartFormDataContent Upload(string fileName, string content, string? name = null)
    {
        var form = new MultipartFormDataContent();
        if (name is not null)
        {
            form.Add(new StringContent(name), "name");
        }

        var file = new ByteArrayContent(Encoding.UTF8.GetBytes(content));
        file.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        form.Add(file, "file", fileName);
        return form;
    }
}
