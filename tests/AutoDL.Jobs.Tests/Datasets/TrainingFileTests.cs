using System.Text;
using AutoDL.Core.Datasets;
using AutoDL.Data.Datasets;
using AutoDL.Jobs.Searches;
using AutoDL.Learners.Tabular;

namespace AutoDL.Jobs.Tests.Datasets;

/// <summary>What the learners read of a stored table: UTF-8, every column by position under the reader's names.</summary>
public sealed class TrainingFileTests
{
    private static string Table(int rows, Func<int, string> line, string header)
    {
        var csv = new StringBuilder(header).Append('\n');
        for (var i = 0; i < rows; i++)
        {
            csv.Append(line(i)).Append('\n');
        }

        return csv.ToString();
    }

    [Fact]
    public async Task ALatin1TableKeepsItsBytesAndTrainsFromAUtf8CopyWithItsAccentsIntact()
    {
        await using var harness = await DatasetHarness.CreateAsync();
        var text = Table(40, i => $"{i % 7},{(i % 2 == 0 ? "Bogotá" : "Málaga")},{(i % 2 == 0 ? "oui" : "non")}", "n,ville,achète");
        var latin1 = Encoding.Latin1.GetBytes(text);

        var dataset = (await harness.UploadAsync("villes.csv", latin1)).Dataset;

        Assert.Equal(CsvEncoding.Latin1, dataset.TabularSchema().Format.Encoding);
        Assert.Equal(latin1, await File.ReadAllBytesAsync(dataset.FullPath(harness.DataFolder.Path)));
        var training = dataset.TrainingPath(harness.DataFolder.Path);
        Assert.EndsWith(".utf8.csv", training);
        Assert.Equal(text, await File.ReadAllTextAsync(training, Encoding.UTF8));

        var experiment = await TabularExperiment.LoadAsync(
            TabularDatasets.Data(dataset, harness.DataFolder.Path), new TabularExperimentOptions("achète") { Seed = 1 }, CancellationToken.None);
        Assert.Equal(["non", "oui"], experiment.Classes);

        await using var db = harness.NewContext();
        await harness.Catalog(db).DeleteAsync(dataset.Id, CancellationToken.None);
        Assert.False(File.Exists(training));
    }

    [Fact]
    public async Task ATableWithRepeatedColumnNamesTrainsUnderTheNamesTheReaderGaveThem()
    {
        await using var harness = await DatasetHarness.CreateAsync();
        var dataset = (await harness.UploadAsync("repeated.csv", Table(40, i => $"{i % 5},{i * 2 % 11},{(i % 3 == 0 ? "a" : "b")}", "x,x,label"))).Dataset;
        var names = dataset.TabularSchema().Columns.Select(c => c.Name).ToList();
        Assert.Equal(3, names.Distinct().Count());

        var experiment = await TabularExperiment.LoadAsync(
            TabularDatasets.Data(dataset, harness.DataFolder.Path), new TabularExperimentOptions("label") { Seed = 1 }, CancellationToken.None);

        Assert.Equal(names.Take(2), experiment.InputColumns.Select(c => c.Name));
        Assert.Equal(40, experiment.RowCount);
    }
}
