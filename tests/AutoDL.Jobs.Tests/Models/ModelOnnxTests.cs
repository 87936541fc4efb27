using System.Globalization;
using System.Text;
using AutoDL.Learners;
using AutoDL.Jobs.Models;
using AutoDL.Jobs.Searches;
using AutoDL.Jobs.Tests.Searches;
using AutoDL.Learners.Tabular;

namespace AutoDL.Jobs.Tests.Models;

public sealed class ModelOnnxTests
{
    [Fact]
    public async Task ARefittedModelIsStoredAsCheckedOnnxBesideItsZipAndDownloadsAsOnnx()
    {
        await using var harness = await SearchHarness.CreateAsync();
        var iris = await harness.AddIrisAsync();

        var model = await harness.WinnerAsync(SearchHarness.Quick(iris.Id, "species"));

        Assert.NotNull(model.Onnx);
        Assert.True(model.Onnx.Available, model.Onnx.Reason);
        Assert.InRange(model.Onnx.MaxAbsDifference!.Value, 0, TabularOnnx.Tolerance);
        Assert.Null(model.Onnx.Reason);
        var check = await OnnxCheck.ReadAsync(Path.Combine(harness.DataRoot, "models", $"{model.Id}.onnx.json"), CancellationToken.None);
        Assert.Equal(30, check!.Rows);
        var file = await harness.WithAsync<ModelService, ModelResult<ModelFile>>(m => m.GetOnnxFileAsync(model.Id, CancellationToken.None));
        Assert.Equal(ModelRequestStatus.Ok, file.Status);
        Assert.Equal("iris-sdca.onnx", file.Value!.FileName);
        Assert.Equal(Path.Combine(harness.DataRoot, "models", $"{model.Id}.onnx"), file.Value.Path);
        Assert.True(new FileInfo(file.Value.Path).Length > 100);
        var list = await harness.WithAsync<ModelService, IReadOnlyList<ModelDetails>>(m => m.ListAsync(model.SearchId, CancellationToken.None));
        Assert.Null(Assert.Single(list).Onnx);
    }

    [Fact]
    public async Task AModelWhosePipelineDoesNotConvertIsReadyWithoutOnnxAndSaysWhy()
    {
        await using var harness = await SearchHarness.CreateAsync();
        var csv = new StringBuilder("x,day,y\n");
        var random = new Random(2);
        for (var i = 0; i < 80; i++)
        {
            var x = random.NextDouble();
            csv.Append(CultureInfo.InvariantCulture, $"{x:0.####},{new DateTime(2022, 1, 1).AddDays(random.Next(300)):yyyy-MM-dd},{10 * x + random.NextDouble():0.####}\n");
        }

        var dataset = await harness.AddDatasetAsync("dated", csv.ToString());

        var model = await harness.WinnerAsync(SearchHarness.Quick(dataset.Id, "y"));

        Assert.False(model.Onnx!.Available);
        Assert.Contains("the date parts of 'day' have no ONNX form", model.Onnx.Reason);
        Assert.False(File.Exists(Path.Combine(harness.DataRoot, "models", $"{model.Id}.onnx")));
        var file = await harness.WithAsync<ModelService, ModelResult<ModelFile>>(m => m.GetOnnxFileAsync(model.Id, CancellationToken.None));
        Assert.Equal(ModelRequestStatus.Conflict, file.Status);
        Assert.StartsWith($"Model '{model.Id}' has no ONNX form: The pipeline does not convert to ONNX", file.Message);
        var zip = await harness.WithAsync<ModelService, ModelResult<ModelFile>>(m => m.GetFileAsync(model.Id, CancellationToken.None));
        Assert.Equal(ModelRequestStatus.Ok, zip.Status);
    }
}
