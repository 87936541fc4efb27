using AutoDL.Core.Datasets;
using AutoDL.Core.Datasets.Images;
using AutoDL.Learners.Neural;
using AutoDL.Data.Datasets;
using AutoDL.Learners.Tabular;

namespace AutoDL.Jobs.Searches;

/// <summary>A search's data could not be loaded; the message is for the user (no stack trace, no internals).</summary>
public sealed class SearchDataException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>Loads the experiment a search's settings describe, once per worker, from the dataset's stored file.</summary>
public static class SearchExperiments
{
    /// <summary>The table or the images the settings describe (<see cref="SearchSettings.Kind"/>).</summary>
    /// <exception cref="SearchDataException">The file is missing or unreadable, or the settings do not fit it.</exception>
    /// <param name="threads">Image searches: threads a trial's tensor operations use (0: every core).</param>
    public static async Task<SearchWorkload> LoadWorkloadAsync(
        SearchSettings settings, DatasetRow? dataset, string dataRoot, CancellationToken cancellationToken, int threads = 0) =>
        settings.Kind == SearchKind.Images
            ? new ImageWorkload(await LoadImagesAsync(settings, dataset, dataRoot, cancellationToken, threads))
            : new TabularWorkload(await LoadAsync(settings, dataset, dataRoot, cancellationToken));

    /// <summary>
    /// The image experiment of the settings: the dataset's images decoded once into <c>{DataRoot}/cache/images/{sha256}-{side}.bin</c>
    /// (later workers and refits read that file), split as the settings say.
    /// </summary>
    /// <exception cref="SearchDataException">The zip is missing or refused, or the settings do not fit it.</exception>
    public static Task<ImageExperiment> LoadImagesAsync(
        SearchSettings settings, DatasetRow? dataset, string dataRoot, CancellationToken cancellationToken, int threads = 0) =>
        LoadAsync(settings, dataset, async found =>
        {
            var size = settings.ImageSize ?? ImageDecoder.DefaultSize(found.ImageSchema().Sizes);
            var cache = Path.Combine(dataRoot, "cache", "images", $"{found.Sha256}-{size}.bin");
            var pixels = await ImageCache.LoadOrBuildAsync(found.FullPath(dataRoot), found.FileName, size, cache, cancellationToken);
            return ImageExperiment.Create(pixels, settings.ImageOptions(threads));
        });

    /// <exception cref="SearchDataException">The file is missing or unreadable, or the settings do not fit it.</exception>
    public static Task<TabularExperiment> LoadAsync(
        SearchSettings settings, DatasetRow? dataset, string dataRoot, CancellationToken cancellationToken) =>
        LoadAsync(settings, dataset, found => TabularExperiment.LoadAsync(TabularDatasets.Data(found, dataRoot), settings.ExperimentOptions(), cancellationToken));

    /// <summary>Runs <paramref name="load"/> on the dataset, turning what can go wrong with its file into a sentence for the user.</summary>
    private static async Task<T> LoadAsync<T>(SearchSettings settings, DatasetRow? dataset, Func<DatasetRow, Task<T>> load)
    {
        if (dataset is null)
        {
            throw new SearchDataException($"The dataset '{settings.DatasetId}' no longer exists.");
        }

        try
        {
            return await load(dataset);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new SearchDataException($"The file of dataset '{dataset.Name}' is missing from the data folder ({dataset.StoredPath}).", e);
        }
        catch (DatasetFormatException e)
        {
            throw new SearchDataException(e.Message, e);
        }
        catch (ArgumentException e)
        {
            throw new SearchDataException($"Dataset '{dataset.Name}': {SearchLauncher.WithoutParameterName(e)}", e);
        }
        catch (Exception e) when (e is InvalidOperationException or InvalidDataException)
        {
            throw new SearchDataException($"Dataset '{dataset.Name}': {e.Message}", e);
        }
    }
}
