using System.Security.Cryptography;
using System.Text;
using AutoDL.Core.Datasets;
using AutoDL.Core.Datasets.Images;
using AutoDL.Data;
using AutoDL.Data.Datasets;
using AutoDL.Jobs.Events;
using AutoDL.Jobs.Hosting;
using Microsoft.EntityFrameworkCore;

namespace AutoDL.Jobs.Datasets;

/// <summary>What an upload gave: the dataset version, and whether it is new (false: the same bytes were uploaded before).</summary>
public sealed record IngestResult(DatasetRow Dataset, bool Created);

/// <summary>
/// Turns an upload into an immutable dataset version. A table is read once, as it arrives: each byte is written to a
/// temporary file under the data folder (never the whole file in memory), hashed with SHA-256, counted against the size
/// limit and fed to <see cref="DatasetProfiler"/>, which validates every row (bad input is refused before anything is
/// kept) and computes the schema and the full profile. An image zip is stored and hashed first (a zip is read from its
/// end), then checked and decoded whole (classes, sizes, thumbnails). Only then the file moves to
/// <c>datasets/{sha256}.{ext}</c> and the row is stored, profile included. The same bytes give the same version. A
/// failed upload leaves no file and no row.
/// </summary>
/// <remarks>
/// The profile is computed during the upload rather than by a later background pass: accepting a file already means
/// reading every row (a bad row 900,000 must be refused, not stored), and the profiler gives the schema and the profile
/// from that one read, where separate passes for copying, checking and profiling would read the file three times.
/// Its progress goes to the caller's <see cref="IProgress{T}"/> (the upload page shows it).
/// </remarks>
public sealed class DatasetIngest(
    AppDbContext db, DataFolder dataFolder, DatasetOptions options, IChangePublisher changes, TimeProvider clock)
{
    public const string Folder = "datasets";

    private const int BufferSize = 1 << 20;

    private const string ZipExtension = ".zip";

    private static readonly string[] TableExtensions = [".csv", ".tsv", ".txt"];

    /// <param name="fileName">The uploaded file's own name; only its last path segment is used.</param>
    /// <param name="name">The name to show; null or blank: the file name without its extension.</param>
    /// <param name="userId">Who uploaded it; null for the sample datasets.</param>
    /// <param name="length">The file's size when known (a browser says it), for <paramref name="progress"/>.</param>
    /// <param name="progress">0..1 while the file is read, checked and profiled; null for none.</param>
    /// <exception cref="DatasetFormatException">The file is not a dataset AutoDL can read (the message says why and where).</exception>
    /// <exception cref="DatasetTooLargeException">The file is over <see cref="DatasetOptions.MaxUploadBytes"/>.</exception>
    public async Task<IngestResult> IngestAsync(
        Stream content, string fileName, string? name, string? userId, CancellationToken cancellationToken,
        long? length = null, IProgress<double>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(content);
        fileName = Path.GetFileName(fileName.Replace('\\', '/'));
        var extension = Path.GetExtension(fileName).ToLowerInvariant();
        if (!TableExtensions.Contains(extension) && extension != ZipExtension)
        {
            throw new DatasetFormatException(fileName, new DatasetProblem(
                "AutoDL reads tables as CSV files (.csv, .tsv or .txt) and images as a .zip of folders, one folder per class. "
                + (extension is ".xlsx" or ".xls" or ".ods" ? "Save the sheet as CSV in your spreadsheet program and upload that." : "Upload one of those.")));
        }

        var uploads = Directory.CreateDirectory(Path.Combine(dataFolder.Path, "uploads")).FullName;
        var temporary = Path.Combine(uploads, $"{Guid.NewGuid():N}.part");
        try
        {
            // One pass over the bytes as they arrive: stored, hashed, counted against the limit and (a table) profiled.
            DatasetProfile? profile = null;
            string sha256;
            long size;
            await using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 0, FileOptions.None))
            await using (var copy = new CopyingStream(content, file, fileName, options.MaxUploadBytes))
            {
                if (extension != ZipExtension)
                {
                    profile = await DatasetProfiler.ProfileAsync(
                        copy, fileName, new DatasetProfileOptions { StreamLength = length }, progress, cancellationToken);
                }

                await copy.CopyToAsync(Stream.Null, BufferSize, cancellationToken);
                (sha256, size) = (copy.Sha256(), copy.Position);
            }

            if (await FindAsync(sha256, cancellationToken) is { } existing)
            {
                return new IngestResult(existing, Created: false);
            }

            var storedPath = $"{Folder}/{sha256}{extension}";
            var row = new DatasetRow
            {
                Id = Guid.NewGuid().ToString("N"),
                Name = DisplayName(name, fileName),
                Kind = extension == ZipExtension ? DatasetKind.Images : DatasetKind.Tabular,
                Sha256 = sha256,
                FileName = fileName,
                StoredPath = storedPath,
                SizeBytes = size,
                SchemaJson = "",
                CreatedAt = clock.GetUtcNow().UtcDateTime,
                CreatedBy = userId,
                ProfileState = ProfileState.Pending,
            };
            if (profile is null)
            {
                await ScanImagesAsync(row, temporary, progress, cancellationToken);
            }
            else
            {
                row.Rows = profile.Rows;
                row.SchemaJson = DatasetSchemaJson.Write(profile.Schema);
                row.ProfileJson = DatasetSchemaJson.Write(profile);
                row.ProfileState = ProfileState.Ready;
                row.ProfileProgress = 1;
            }

            var target = Path.Combine(dataFolder.Path, Folder, $"{sha256}{extension}");
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            if (profile is not null && profile.Schema.Format.Encoding != CsvEncoding.Utf8)
            {
                // The learners read UTF-8 (ML.NET's TextLoader): keep a UTF-8 copy beside the original bytes.
                await WriteUtf8CopyAsync(temporary, profile.Schema.Format, DatasetSchemaJson.Utf8CopyPath(sha256, dataFolder.Path), cancellationToken);
            }

            File.Move(temporary, target, overwrite: true);

            db.Datasets.Add(row);
            try
            {
                await db.SaveChangesAsync(CancellationToken.None);
            }
            catch (DbUpdateException)
            {
                // The same bytes arrived twice at once: the other upload stored the version (and the same file).
                db.Entry(row).State = EntityState.Detached;
                var raced = await FindAsync(sha256, CancellationToken.None);
                if (raced is null)
                {
                    throw;
                }

                return new IngestResult(raced, Created: false);
            }

            changes.Publish(new Change(ChangeKind.Dataset, row.Id));
            return new IngestResult(row, Created: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <summary>
    /// Checks the whole zip and decodes every image (thumbnails go beside the stored zip). That reading is the image
    /// dataset's profile (classes, sizes, skipped files), so it is Ready at once.
    /// </summary>
    private async Task ScanImagesAsync(DatasetRow row, string path, IProgress<double>? progress, CancellationToken cancellationToken)
    {
        var thumbnails = Path.Combine(dataFolder.Path, DatasetSchemaJson.ThumbnailFolder(row.Sha256));
        try
        {
            var schema = await ImageZipScanner.ScanAsync(path, row.FileName, new ImageZipOptions(), thumbnails, progress, cancellationToken);
            row.Rows = schema.ImageCount;
            row.SchemaJson = row.ProfileJson = DatasetSchemaJson.Write(schema);
            row.ProfileState = ProfileState.Ready;
            row.ProfileProgress = 1;
        }
        catch
        {
            if (Directory.Exists(thumbnails))
            {
                Directory.Delete(thumbnails, recursive: true);
            }

            throw;
        }
    }

    private static async Task WriteUtf8CopyAsync(string source, CsvFormat format, string target, CancellationToken cancellationToken)
    {
        var encoding = format.Encoding switch
        {
            CsvEncoding.Utf16LittleEndian => Encoding.Unicode,
            CsvEncoding.Utf16BigEndian => Encoding.BigEndianUnicode,
            _ => Encoding.Latin1,
        };
        using var reader = new StreamReader(source, encoding, detectEncodingFromByteOrderMarks: true, BufferSize);
        await using var writer = new StreamWriter(target, append: false, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), BufferSize);
        var buffer = new char[BufferSize / 2];
        int read;
        while ((read = await reader.ReadAsync(buffer, cancellationToken)) > 0)
        {
            await writer.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
        }
    }

    private Task<DatasetRow?> FindAsync(string sha256, CancellationToken cancellationToken) =>
        db.Datasets.AsNoTracking().FirstOrDefaultAsync(d => d.Sha256 == sha256, cancellationToken);

    private static string DisplayName(string? name, string fileName)
    {
        var shown = string.IsNullOrWhiteSpace(name) ? Path.GetFileNameWithoutExtension(fileName) : name.Trim();
        if (shown.Length == 0)
        {
            shown = fileName;
        }

        return shown.Length > 200 ? shown[..200] : shown;
    }

    /// <summary>
    /// Reads the upload for whoever reads it (the profiler), writing every byte read to the stored file, hashing it and
    /// counting it against the size limit on the way.
    /// </summary>
    private sealed class CopyingStream(Stream source, Stream target, string fileName, long limit) : Stream
    {
        private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        private long _read;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _read; set => throw new NotSupportedException(); }

        /// <summary>Lower-case hex SHA-256 of everything read so far.</summary>
        public string Sha256() => Convert.ToHexStringLower(_hash.GetCurrentHash());

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = await source.ReadAsync(buffer, cancellationToken);
            Count(read);
            _hash.AppendData(buffer.Span[..read]);
            target.Write(buffer.Span[..read]); // into the page cache: a synchronous write is cheaper than a hop to the thread pool
            return read;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count)
        {
            var read = source.Read(buffer, offset, count);
            Count(read);
            _hash.AppendData(buffer, offset, read);
            target.Write(buffer, offset, read);
            return read;
        }

        private void Count(int read)
        {
            _read += read;
            if (_read > limit)
            {
                throw new DatasetTooLargeException(fileName, limit);
            }
        }

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _hash.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
