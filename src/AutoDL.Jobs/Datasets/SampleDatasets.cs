using AutoDL.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AutoDL.Jobs.Datasets;

/// <summary>
/// The small real datasets shipped in <c>samples/</c> (from scikit-learn's bundled data), added on the first start
/// so a new user can press Start at once. Added once: a marker file in the data folder remembers it, so samples a user
/// deletes stay deleted.
/// </summary>
public static class SampleDatasets
{
    private const string Marker = "samples-imported";

    /// <summary>The samples and the names they are shown under; added in this order, so the list (newest first) starts with iris.</summary>
    public static readonly IReadOnlyList<(string File, string Name)> Files =
    [
        ("digits-images.zip", "Handwritten digit images 8×8 (sample)"),
        ("digits.csv", "Handwritten digits 8×8 (sample)"),
        ("breast_cancer.csv", "Breast cancer diagnosis (sample)"),
        ("diabetes.csv", "Diabetes progression (sample)"),
        ("iris.csv", "Iris flowers (sample)"),
    ];

    public static async Task ImportAsync(IServiceProvider services, string contentRoot, CancellationToken cancellationToken)
    {
        var options = services.GetRequiredService<DatasetOptions>();
        var dataRoot = services.GetRequiredService<Hosting.DataFolder>().Path;
        var marker = Path.Combine(dataRoot, Marker);
        if (!options.ImportSamples || File.Exists(marker))
        {
            return;
        }

        await using var scope = services.CreateAsyncScope();
        var logger = scope.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(SampleDatasets));
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        if (!await db.Datasets.AnyAsync(cancellationToken))
        {
            var ingest = scope.ServiceProvider.GetRequiredService<DatasetIngest>();
            foreach (var (file, name) in Files)
            {
                var path = Path.Combine(contentRoot, "samples", file);
                if (!File.Exists(path))
                {
                    logger.LogWarning("The sample dataset {Path} is missing; it is not added.", path);
                    continue;
                }

                await using var stream = File.OpenRead(path);
                await ingest.IngestAsync(stream, file, name, userId: null, cancellationToken);
            }

            logger.LogInformation("Added the sample datasets from {Folder}.", Path.Combine(contentRoot, "samples"));
        }

        await File.WriteAllTextAsync(marker, "The sample datasets were added on the first start; delete this file to add them again.\n", cancellationToken);
    }
}
