using AutoDL.Core.Datasets;
using AutoDL.Data;
using AutoDL.Data.Datasets;
using AutoDL.Jobs.Events;
using AutoDL.Jobs.Hosting;
using Microsoft.EntityFrameworkCore;

namespace AutoDL.Jobs.Datasets;

/// <summary>A column as the API and the pages show it (<c>type</c> is the API's name: numeric, integer, ...).</summary>
public sealed record DatasetColumnInfo(string Name, string Type, long Missing, long Unique, bool UniqueIsLowerBound);

/// <summary>An image class and how many readable images it has.</summary>
public sealed record DatasetClassInfo(string Name, long Count);

/// <summary>A dataset version as <c>GET /api/v1/datasets/{id}</c> answers it and the pages show it.</summary>
public sealed record DatasetInfo(
    string Id,
    string Name,
    string Kind,
    string FileName,
    string Sha256,
    long Rows,
    long SizeBytes,
    DateTime CreatedAt,
    IReadOnlyList<DatasetColumnInfo> Columns,
    IReadOnlyList<DatasetClassInfo> Classes,
    IReadOnlyList<string> Warnings,
    string ProfileState,
    double ProfileProgress,
    string? ProfileError)
{
    public static DatasetInfo From(DatasetRow row)
    {
        var schema = row.Kind == DatasetKind.Tabular ? row.TabularSchema() : null;
        var images = row.Kind == DatasetKind.Images ? row.ImageSchema() : null;
        return new DatasetInfo(
            row.Id,
            row.Name,
            row.Kind.ToString().ToLowerInvariant(),
            row.FileName,
            row.Sha256,
            row.Rows,
            row.SizeBytes,
            DateTime.SpecifyKind(row.CreatedAt, DateTimeKind.Utc),
            schema?.Columns.Select(c => new DatasetColumnInfo(c.Name, c.Type.ApiName(), c.MissingCount, c.UniqueCount, c.UniqueCountIsLowerBound)).ToList() ?? [],
            images?.Classes.Select(c => new DatasetClassInfo(c.Name, c.Count)).ToList() ?? [],
            schema?.Warnings ?? images?.Warnings ?? [],
            row.ProfileState.ToString().ToLowerInvariant(),
            row.ProfileProgress,
            row.ProfileError);
    }
}

/// <summary>A dataset cannot be deleted while searches learn from it.</summary>
public sealed class DatasetInUseException(string datasetName, int searches)
    : Exception($"'{datasetName}' is used by {searches} search{(searches == 1 ? "" : "es")}; delete {(searches == 1 ? "it" : "them")} first, then the dataset.");

/// <summary>Lists, reads and deletes dataset versions; the API and the pages both go through it.</summary>
public sealed class DatasetCatalog(AppDbContext db, DataFolder dataFolder, IChangePublisher changes)
{
    /// <summary>Every dataset, newest first.</summary>
    public async Task<IReadOnlyList<DatasetInfo>> ListAsync(CancellationToken cancellationToken)
    {
        // SQLite cannot order by DateTime inside the query reliably across formats; the list is small, so order here.
        var rows = await db.Datasets.AsNoTracking().ToListAsync(cancellationToken);
        return rows.OrderByDescending(r => r.CreatedAt).Select(DatasetInfo.From).ToList();
    }

    public async Task<DatasetRow?> FindAsync(string id, CancellationToken cancellationToken) =>
        await db.Datasets.AsNoTracking().FirstOrDefaultAsync(d => d.Id == id, cancellationToken);

    /// <summary>Deletes the dataset's row and its stored file.</summary>
    /// <returns>False when no dataset has that id.</returns>
    /// <exception cref="DatasetInUseException">A search uses it (nothing is deleted).</exception>
    public async Task<bool> DeleteAsync(string id, CancellationToken cancellationToken)
    {
        var row = await db.Datasets.FirstOrDefaultAsync(d => d.Id == id, cancellationToken);
        if (row is null)
        {
            return false;
        }

        var searches = await db.SearchRows.CountAsync(s => s.DatasetId == id, cancellationToken);
        if (searches > 0)
        {
            throw new DatasetInUseException(row.Name, searches);
        }

        db.Datasets.Remove(row);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // A search was created in between: the foreign key refused the delete.
            db.Entry(row).State = EntityState.Unchanged;
            throw new DatasetInUseException(row.Name, await db.SearchRows.CountAsync(s => s.DatasetId == id, CancellationToken.None));
        }

        File.Delete(row.FullPath(dataFolder.Path));
        File.Delete(DatasetSchemaJson.Utf8CopyPath(row.Sha256, dataFolder.Path));
        var thumbnails = Path.Combine(dataFolder.Path, DatasetSchemaJson.ThumbnailFolder(row.Sha256));
        if (Directory.Exists(thumbnails))
        {
            Directory.Delete(thumbnails, recursive: true);
        }

        changes.Publish(new Change(ChangeKind.Dataset, id));
        return true;
    }
}
