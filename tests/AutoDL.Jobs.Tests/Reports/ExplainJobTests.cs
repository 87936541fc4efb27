using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using AutoDL.Data.Reports;
using AutoDL.Jobs.Hosting;
using AutoDL.Jobs.Models;
using AutoDL.Jobs.Reports;
using AutoDL.Jobs.Searches;
using AutoDL.Jobs.Tests.Searches;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace AutoDL.Jobs.Tests.Reports;

public sealed class ExplainJobTests
{
    /// <summary>A binary table: the label follows x1 (strongly) and x2 (weakly); group is a sensitive column the label ignores.</summary>
    private static string LoanCsv()
    {
        var random = new Random(4);
        var lines = new StringBuilder("x1,x2,group,approved\n");
        for (var i = 0; i < 240; i++)
        {
            var x1 = random.NextDouble() * 10;
            var x2 = random.NextDouble() * 10;
            var group = i % 3 == 0 ? "B" : "A";
            var approved = x1 + 0.3 * x2 + random.NextDouble() * 2 > 7 ? "yes" : "no";
            lines.Append(CultureInfo.InvariantCulture, $"{x1:0.###},{x2:0.###},{group},{approved}\n");
        }

        return lines.ToString();
    }

    private static async Task<ReportDetails> MakeAsync(SearchHarness harness, string modelId, ReportRequest request)
    {
        var requested = await harness.WithAsync<ReportService, ModelResult<string>>(r => r.RequestAsync(modelId, request, null, CancellationToken.None));
        Assert.Equal(ModelRequestStatus.Ok, requested.Status);
        var job = Assert.Single(harness.Jobs.Jobs, j => j.Job.Type == typeof(ExplainJob) && (string)j.Job.Args[0] == requested.Value);
        Assert.Equal(JobQueues.Cpu, job.Queue);
        await using (var scope = harness.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<ExplainJob>().RunAsync(requested.Value!, CancellationToken.None);
        }

        var report = await harness.WithAsync<ReportService, ReportDetails?>(r => r.GetAsync(requested.Value!, "auditor@example.com", CancellationToken.None));
        Assert.True(report!.State == "ready", report.Error);
        return report;
    }

    [Fact]
    public async Task AReportExplainsABinaryModelInItsColumnsWithEachMethodsQualityAndFairnessByGroup()
    {
        await using var harness = await SearchHarness.CreateAsync();
        var dataset = await harness.AddDatasetAsync("loans", LoanCsv());
        var model = await harness.WinnerAsync(SearchHarness.Quick(dataset.Id, "approved"));

        var report = await MakeAsync(harness, model.Id, new ReportRequest(Rows: [0, 1, 2], SensitiveColumns: ["group"]));

        var doc = report.Document!;
        Assert.Equal(["permutation", "shap", "lime", "fairness"], doc.Methods);
        Assert.Contains("'yes'", doc.ExplainedOutput);
        Assert.Equal(["x1", "x2", "group"], doc.Model.Columns.Select(c => c.Name));
        // Permutation importance: x1 drives the label, group does not.
        Assert.Equal("x1", doc.Importance!.Columns[0].Column);
        Assert.True(doc.Importance.Columns[0].Lower > 0, $"x1's interval starts at {doc.Importance.Columns[0].Lower}.");
        // SHAP: three columns, so every coalition; the values add up to each prediction.
        Assert.StartsWith("Exact Shapley values", doc.Shap!.Method);
        Assert.Equal([0, 1, 2], doc.Shap.Rows.Select(r => r.Row));
        Assert.All(doc.Shap.Rows, r => Assert.Equal(["x1", "x2", "group"], r.Attributions.Select(a => a.Column)));
        Assert.InRange(doc.Shap.MaxAdditivityError, 0, 1e-6);
        Assert.All(doc.Shap.Rows, r => Assert.Equal(r.Prediction - r.BaseValue, r.Attributions.Sum(a => a.Attribution), 6));
        Assert.Equal("x1", doc.Shap.Global[0].Column);
        // LIME: its local fit and stability, per row.
        Assert.Equal(3, doc.Lime!.Rows.Count);
        Assert.All(doc.Lime.Rows, r => Assert.InRange(r.Stability, 0, 1));
        // Fairness by group, with the groups as the file spells them.
        var fairness = Assert.Single(doc.Fairness);
        Assert.Equal("yes", fairness.PositiveClass);
        Assert.Equal(["A", "B"], fairness.Groups.Select(g => g.Group).Order());
        Assert.Equal(doc.Audit.TestRows, fairness.Groups.Sum(g => g.Count));
        Assert.NotNull(fairness.DemographicParityRatio);
        // The audit trail: the dataset's hash and the search.
        Assert.Equal(dataset.Sha256, doc.Audit.Dataset.Sha256);
        Assert.Equal(model.SearchId, doc.Audit.Search.Id);
        Assert.Equal(2, doc.Audit.Search.Complete + doc.Audit.Search.Pruned + doc.Audit.Search.Failed);
    }

    [Fact]
    public async Task AFinishedReportsHashVerifiesFromItsJsonFileAndItsHtmlIsSelfContained()
    {
        await using var harness = await SearchHarness.CreateAsync();
        var dataset = await harness.AddDatasetAsync("loans", LoanCsv());
        var model = await harness.WinnerAsync(SearchHarness.Quick(dataset.Id, "approved"));
        var report = await MakeAsync(harness, model.Id, new ReportRequest(Methods: ["shap", "permutation"], Rows: [3]));

        var json = await harness.WithAsync<ReportService, ModelResult<ReportFile>>(r => r.GetFileAsync(report.Id, json: true, "auditor@example.com", CancellationToken.None));
        var html = await harness.WithAsync<ReportService, ModelResult<ReportFile>>(r => r.GetFileAsync(report.Id, json: false, "viewer@example.com", CancellationToken.None));

        var bytes = await File.ReadAllBytesAsync(json.Value!.Path);
        Assert.Equal(report.Sha256, Convert.ToHexStringLower(SHA256.HashData(bytes)));
        Assert.Equal(report.Id, ReportJson.Read(bytes).Id);
        var page = await File.ReadAllTextAsync(html.Value!.Path);
        Assert.Contains(report.Sha256!, page);
        Assert.Contains("<svg", page);
        Assert.Contains("Permutation feature importance", page);
        Assert.Contains("Audit trail", page);
        Assert.DoesNotContain("src=", page);
        Assert.DoesNotContain("href=\"http", page);
        // The HTML carries the very JSON its hash is over.
        var start = page.IndexOf("<script type=\"application/json\" id=\"report-json\">", StringComparison.Ordinal);
        Assert.True(start > 0);
        var embedded = page[(page.IndexOf('>', start) + 1)..page.IndexOf("</script>", start, StringComparison.Ordinal)].Replace("<\\/", "</", StringComparison.Ordinal);
        Assert.Equal(report.Sha256, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(embedded))));

        var views = await harness.WithAsync<ReportService, IReadOnlyList<ReportView>?>(r => r.ViewsAsync(report.Id, CancellationToken.None));
        Assert.Equal(
            [("viewer@example.com", ReportService.DownloadedHtml), ("auditor@example.com", ReportService.DownloadedJson), ("auditor@example.com", ReportService.Viewed)],
            views!.Select(v => (v.User, v.Action)));
    }

    [Fact]
    public async Task AMulticlassModelIsExplainedInTheProbabilityOfEachRowsPredictedClass()
    {
        await using var harness = await SearchHarness.CreateAsync();
        var iris = await harness.AddIrisAsync();
        var model = await harness.WinnerAsync(SearchHarness.Quick(iris.Id, "species"));

        var report = await MakeAsync(harness, model.Id, new ReportRequest(Methods: ["shap", "fairness"], Rows: [0, 1, 2, 3, 4, 5]));

        var doc = report.Document!;
        Assert.Contains("class the model predicts", doc.ExplainedOutput);
        Assert.Equal(6, doc.Shap!.Rows.Count);
        Assert.All(doc.Shap.Rows, r => Assert.InRange(r.Prediction, 0, 1));
        Assert.InRange(doc.Shap.MaxAdditivityError, 0, 1e-6);
        Assert.Empty(doc.Fairness);
        Assert.Contains(doc.Notes, n => n.Contains("sensitive column", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ATreeModelIsExplainedByTreeShapInItsRawScoreAndTheValuesAddUp()
    {
        await using var harness = await SearchHarness.CreateAsync();
        var dataset = await harness.AddDatasetAsync("loans", LoanCsv());
        var model = await harness.WinnerAsync(SearchHarness.Quick(dataset.Id, "approved") with { Learners = ["lightgbm"] });

        var report = await MakeAsync(harness, model.Id, new ReportRequest(Methods: ["shap"], Rows: [0, 1, 2, 3]));

        var shap = report.Document!.Shap!;
        Assert.StartsWith("TreeSHAP", shap.Method);
        Assert.Contains("raw score for 'yes'", shap.Output);
        Assert.Equal(4, shap.Rows.Count);
        Assert.InRange(shap.MaxAdditivityError, 0, 1e-6);
        Assert.All(shap.Rows, r => Assert.Equal(r.Prediction - r.BaseValue, r.Attributions.Sum(a => a.Attribution), 6));
        Assert.Equal("x1", shap.Global[0].Column);
    }

    [Fact]
    public async Task AnImageModelIsExplainedByIntegratedGradientsWithItsCompletenessGapAndSaliencyPngs()
    {
        await using var harness = await SearchHarness.CreateAsync();
        var images = await harness.AddImagesAsync("bars", BarImages.Zip(40));
        var model = await harness.WinnerAsync(new SearchRequest { DatasetId = images.Id, Task = "image", Budget = new SearchBudgetRequest(Trials: 1), Seed = 3 });

        var report = await MakeAsync(harness, model.Id, new ReportRequest(Methods: ["ig", "shap"], Rows: [0, 1, 2]));

        var doc = report.Document!;
        Assert.Equal(["ig"], doc.Methods);
        Assert.Contains(doc.Notes, n => n.Contains("shap", StringComparison.Ordinal));
        var saliency = doc.Saliency!;
        Assert.Equal([0, 1, 2], saliency.Rows.Select(r => r.Row));
        Assert.All(saliency.Rows, r =>
        {
            Assert.True(r.Converged ? r.RelativeGap <= 0.01 : r.Steps >= 1024, $"gap {r.RelativeGap} after {r.Steps} steps");
            var png = Convert.FromBase64String(r.Png);
            Assert.Equal([0x89, 0x50, 0x4E, 0x47], png[..4]);
            Assert.Contains(r.Class, doc.Model.Classes);
        });
        Assert.Null(doc.Shap);
        var html = await harness.WithAsync<ReportService, ModelResult<ReportFile>>(r => r.GetFileAsync(report.Id, json: false, "auditor@example.com", CancellationToken.None));
        var page = await File.ReadAllTextAsync(html.Value!.Path);
        Assert.Contains("Integrated Gradients", page);
        Assert.Contains("data:image/png;base64,", page);
    }

    [Fact]
    public async Task ABadReportRequestIsRefusedNamingTheFieldAndNothingIsQueued()
    {
        await using var harness = await SearchHarness.CreateAsync();
        var dataset = await harness.AddDatasetAsync("loans", LoanCsv());
        var model = await harness.WinnerAsync(SearchHarness.Quick(dataset.Id, "approved"));

        var result = await harness.WithAsync<ReportService, ModelResult<string>>(r => r.RequestAsync(
            model.Id, new ReportRequest(Methods: ["shap", "anchors"], Rows: [0, 100_000], SensitiveColumns: ["gender"]), null, CancellationToken.None));
        var missing = await harness.WithAsync<ReportService, ModelResult<string>>(r => r.RequestAsync("nope", new ReportRequest(), null, CancellationToken.None));

        Assert.Equal(ModelRequestStatus.Invalid, result.Status);
        Assert.Contains("'anchors'", result.Errors!["methods"][0]);
        Assert.Contains("Row 100000", result.Errors["rows"][0]);
        Assert.Contains("'gender'", result.Errors["sensitiveColumns"][0]);
        Assert.Equal(ModelRequestStatus.NotFound, missing.Status);
        Assert.DoesNotContain(harness.Jobs.Jobs, j => j.Job.Type == typeof(ExplainJob));
        Assert.Equal(0, await harness.WithDbAsync(db => db.Reports.CountAsync()));
    }

    [Fact]
    public async Task AReportWhoseModelCannotBeReadFailsSayingWhyAndWritesNoFile()
    {
        await using var harness = await SearchHarness.CreateAsync();
        var dataset = await harness.AddDatasetAsync("loans", LoanCsv());
        var model = await harness.WinnerAsync(SearchHarness.Quick(dataset.Id, "approved"));
        var requested = await harness.WithAsync<ReportService, ModelResult<string>>(r => r.RequestAsync(model.Id, new ReportRequest(), null, CancellationToken.None));
        File.Delete(Path.Combine(harness.DataRoot, "models", $"{model.Id}.zip"));

        await using (var scope = harness.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<ExplainJob>().RunAsync(requested.Value!, CancellationToken.None);
        }

        var report = await harness.WithAsync<ReportService, ReportDetails?>(r => r.GetAsync(requested.Value!, null, CancellationToken.None));
        Assert.Equal("failed", report!.State);
        Assert.False(string.IsNullOrWhiteSpace(report.Error));
        Assert.False(File.Exists(Path.Combine(harness.DataRoot, "reports", $"{report.Id}.json")));
    }
}
