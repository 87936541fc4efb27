using AutoDL.Core.Datasets;
using AutoDL.Core.Tests.Datasets.Images;
using AutoDL.Data.Datasets;
using AutoDL.Data.Search;
using AutoDL.Jobs.Datasets;
using AutoDL.Jobs.Events;
using Microsoft.EntityFrameworkCore;

namespace AutoDL.Jobs.Tests.Datasets;

public sealed class DatasetIngestTests
{
    private const string Table = "age,city,bought\n31,Paris,yes\n45,Lyon,no\n27,Paris,yes\n52,Nice,no\n";

    [Fact]
    public async Task ANewCsvIsStoredUnderItsHashWithItsSchemaAndItsProfile()
    {
        await using var harness = await DatasetHarness.CreateAsync();
        var progress = new List<double>();

        IngestResult result;
        await using (var db = harness.NewContext())
        {
            using var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(Table));
            result = await harness.Ingest(db).IngestAsync(stream, "customers.csv", null, "user-1", CancellationToken.None, stream.Length, new SyncProgress(progress.Add));
        }

        Assert.True(result.Created);
        var dataset = result.Dataset;
        Assert.Equal("customers", dataset.Name);
        Assert.Equal(DatasetKind.Tabular, dataset.Kind);
        Assert.Equal(4, dataset.Rows);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(Table))), dataset.Sha256);
        Assert.Equal([$"datasets/{dataset.Sha256}.csv"], harness.Files().Where(f => !f.StartsWith("uploads/", StringComparison.Ordinal)));
        Assert.Equal(Table, await File.ReadAllTextAsync(dataset.FullPath(harness.DataFolder.Path)));
        Assert.Equal(["age", "city", "bought"], dataset.TabularSchema().Columns.Select(c => c.Name));
        Assert.Equal(ColumnType.Integer, dataset.TabularSchema().Columns[0].Type);
        Assert.Equal(1.0, progress[^1]);
        Assert.Contains(new Change(ChangeKind.Dataset, dataset.Id), harness.Announced);

        await using var check = harness.NewContext();
        var stored = await check.Datasets.SingleAsync();
        Assert.Equal(ProfileState.Ready, stored.ProfileState);
        var profile = stored.Profile()!;
        Assert.Equal(4, profile.Rows);
        Assert.Equal(38.75, profile.Columns[0].Numeric!.Mean);
        Assert.Equal([("Paris", 2L), ("Lyon", 1L), ("Nice", 1L)], profile.Columns[1].TopValues!.Values.Select(v => (v.Value, v.Count)));
        Assert.Contains("\"type\":\"integer\"", stored.ProfileJson);
    }

    [Fact]
    public async Task TheSameBytesUploadedTwiceGiveTheSameVersion()
    {
        await using var harness = await DatasetHarness.CreateAsync();

        var first = await harness.UploadAsync("a.csv", Table, name: "first");
        var second = await harness.UploadAsync("renamed.csv", Table, name: "second");

        Assert.False(second.Created);
        Assert.Equal(first.Dataset.Id, second.Dataset.Id);
        Assert.Equal("first", second.Dataset.Name);
        await using var db = harness.NewContext();
        Assert.Equal(1, await db.Datasets.CountAsync());
        Assert.Single(harness.Files(), f => f.StartsWith("datasets/", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("a,b,c\n", "no rows")]
    [InlineData("a,b\n1,2\n3\n4,5\n", "row 2")]
    [InlineData("a,b\n1,\"open\n2,3\n", "quote")]
    public async Task AFileThatIsNotADatasetLeavesNoFileAndNoRow(string content, string named)
    {
        await using var harness = await DatasetHarness.CreateAsync();

        var refused = await Assert.ThrowsAsync<DatasetFormatException>(() => harness.UploadAsync("bad.csv", content));

        Assert.Contains(named, refused.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("'bad.csv'", refused.Message);
        Assert.Empty(harness.Files());
        await using var db = harness.NewContext();
        Assert.False(await db.Datasets.AnyAsync());
    }

    [Theory]
    [InlineData("report.xlsx", "Save the sheet as CSV")]
    [InlineData("model.bin", ".csv, .tsv or .txt")]
    public async Task AFileOfAnotherKindIsRefusedSayingWhatAutoDLReads(string fileName, string message)
    {
        await using var harness = await DatasetHarness.CreateAsync();

        var refused = await Assert.ThrowsAsync<DatasetFormatException>(() => harness.UploadAsync(fileName, Table));

        Assert.Contains(message, refused.Message);
        Assert.Contains($"'{fileName}'", refused.Message);
        Assert.Empty(harness.Files());
    }

    [Fact]
    public async Task AnUploadOverTheSizeLimitIsRefusedAndLeavesNothing()
    {
        await using var harness = await DatasetHarness.CreateAsync(new DatasetOptions { MaxUploadBytes = 40 });

        var refused = await Assert.ThrowsAsync<DatasetTooLargeException>(() => harness.UploadAsync("big.csv", Table));

        Assert.Contains("larger than the upload limit of 40 bytes", refused.Message);
        Assert.Empty(harness.Files());
        await using var db = harness.NewContext();
        Assert.False(await db.Datasets.AnyAsync());
    }

    [Fact]
    public async Task AZipOfImageFoldersBecomesAnImageDatasetWithClassesAndThumbnails()
    {
        await using var harness = await DatasetHarness.CreateAsync();
        var zip = new ImageZip().Images("cats", 3).Images("dogs", 2, "jpeg").ToBytes();

        var result = await harness.UploadAsync("pets.zip", zip);

        var dataset = result.Dataset;
        Assert.Equal(DatasetKind.Images, dataset.Kind);
        Assert.Equal(5, dataset.Rows);
        Assert.Equal(ProfileState.Ready, dataset.ProfileState);
        Assert.Equal([("cats", 3), ("dogs", 2)], dataset.ImageSchema().Classes.Select(c => (c.Name, c.Count)));
        Assert.Contains($"datasets/{dataset.Sha256}.zip", harness.Files());
        Assert.Equal(5, harness.Files().Count(f => f.StartsWith($"datasets/{dataset.Sha256}.thumbs/", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task AZipWithAPathTraversalEntryLeavesNoFileAndNoRow()
    {
        await using var harness = await DatasetHarness.CreateAsync();
        var zip = new ImageZip().Images("cats", 2).Images("dogs", 2).File("../evil.png", ImageZip.Encode("png")).ToBytes();

        var refused = await Assert.ThrowsAsync<DatasetFormatException>(() => harness.UploadAsync("pets.zip", zip));

        Assert.Contains("../evil.png", refused.Message);
        Assert.Empty(harness.Files());
        await using var db = harness.NewContext();
        Assert.False(await db.Datasets.AnyAsync());
    }

    [Fact]
    public async Task DeletingADatasetRemovesItsRowAndFile()
    {
        await using var harness = await DatasetHarness.CreateAsync();
        var dataset = (await harness.UploadAsync("a.csv", Table)).Dataset;

        await using var db = harness.NewContext();
        Assert.True(await harness.Catalog(db).DeleteAsync(dataset.Id, CancellationToken.None));

        Assert.False(await db.Datasets.AnyAsync());
        Assert.DoesNotContain(harness.Files(), f => f.StartsWith("datasets/", StringComparison.Ordinal));
        Assert.False(await harness.Catalog(db).DeleteAsync(dataset.Id, CancellationToken.None));
    }

    [Fact]
    public async Task ADatasetASearchUsesCannotBeDeleted()
    {
        await using var harness = await DatasetHarness.CreateAsync();
        var dataset = (await harness.UploadAsync("a.csv", Table)).Dataset;
        await using (var setup = harness.NewContext())
        {
            setup.SearchRows.Add(new SearchRow { Id = "s1", SpaceJson = "{}", DirectionsJson = "[]", DatasetId = dataset.Id, CreatedAt = DateTime.UtcNow });
            await setup.SaveChangesAsync();
        }

        await using var db = harness.NewContext();
        var refused = await Assert.ThrowsAsync<DatasetInUseException>(() => harness.Catalog(db).DeleteAsync(dataset.Id, CancellationToken.None));

        Assert.Contains("used by 1 search", refused.Message);
        Assert.True(await db.Datasets.AnyAsync());
        Assert.True(File.Exists(dataset.FullPath(harness.DataFolder.Path)));
    }
}

/// <summary>Reports on the caller's thread (<see cref="Progress{T}"/> would post to the thread pool).</summary>
internal sealed class SyncProgress(Action<double> report) : IProgress<double>
{
    public void Report(double value) => report(value);
}
