using AutoDL.Core.Datasets;
using AutoDL.Data.Datasets;
using AutoDL.Learners.Tabular;

namespace AutoDL.Jobs.Searches;

/// <summary>A search's data could not be loaded; the message is for the user (no stack trace, no internals).</summary>
public sealed class SearchDataException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>Loads the tabular experiment a search's settings describe, once per worker, from the dataset's stored file.</summary>
public static class SearchExperiments
{
    /// <exception cref="SearchDataException">The file is missing or unreadable, or the settings do not fit it.</exception>
    public static async Task<TabularExperiment> LoadAsync(
        SearchSettings settings, DatasetRow? dataset, string dataRoot, CancellationToken cancellationToken)
    {
        if (dataset is null)
        {
            throw new SearchDataException($"The dataset '{settings.DatasetId}' no longer exists.");
        }

        try
        {
            var data = TabularDatasets.Data(dataset, dataRoot);
            return await TabularExperiment.LoadAsync(data, settings.ExperimentOptions(), cancellationToken);
        }
        catch (FileNotFoundException e)
        {
            throw new SearchDataException($"The file of dataset '{dataset.Name}' is missing from the data folder ({dataset.StoredPath}).", e);
        }
        catch (DirectoryNotFoundException e)
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
        catch (InvalidOperationException e)
        {
            throw new SearchDataException($"Dataset '{dataset.Name}': {e.Message}", e);
        }
        catch (InvalidDataException e)
        {
            throw new SearchDataException($"Dataset '{dataset.Name}': {e.Message}", e);
        }
    }
}
