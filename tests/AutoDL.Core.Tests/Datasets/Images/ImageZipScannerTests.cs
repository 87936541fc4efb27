using System.IO.Compression;
using System.Text.Json;
using AutoDL.Core.Datasets;
using AutoDL.Core.Datasets.Images;
using SixLabors.ImageSharp;

namespace AutoDL.Core.Tests.Datasets.Images;

/// <summary>Zips of image folders: what a scan finds in a good one, and the sentence each bad one is refused with.</summary>
public sealed class ImageZipScannerTests : IDisposable
{
    private static readonly ImageZipOptions Defaults = new();
    private readonly string _folder = Directory.CreateTempSubdirectory("autodl-images-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task AScanCountsTheReadableImagesOfEachClassFolder()
    {
        var zip = new ImageZip()
            .Image("cats/001.png").Image("cats/002.jpg", "jpeg").Image("cats/003.webp", "webp")
            .Image("dogs/x.bmp", "bmp").Image("dogs/y.gif", "gif");

        var schema = await ScanAsync(zip);

        Assert.Equal("pets.zip", schema.FileName);
        Assert.Equal([new ImageClass("cats", 3), new ImageClass("dogs", 2)], schema.Classes);
        Assert.Equal(5, schema.ImageCount);
        Assert.Equal(
            new Dictionary<string, int> { ["bmp"] = 1, ["gif"] = 1, ["jpeg"] = 1, ["png"] = 1, ["webp"] = 1 },
            schema.Sizes.Formats);
        Assert.Empty(schema.Warnings);
        Assert.Empty(schema.SkippedFiles);
        Assert.Empty(schema.Thumbnails);
    }

    [Fact]
    public async Task ClassFoldersInsideOneWrappingFolderAreTheClassesAndItsLooseFilesAreLeftOutWithAWarning()
    {
        var zip = new ImageZip().Images("pets/cats", 2).Images("pets/dogs", 1).Text("pets/README.txt", "my pets");

        var schema = await ScanAsync(zip);

        Assert.Equal([new ImageClass("cats", 2), new ImageClass("dogs", 1)], schema.Classes);
        Assert.Equal([new SkippedImageFile("pets/README.txt", "it is not inside a class folder")], schema.SkippedFiles);
        Assert.Equal(["1 file outside the class folders was left out: 'pets/README.txt'."], schema.Warnings);
    }

    [Fact]
    public async Task MacOsAndWindowsJunkIsLeftOutSilently()
    {
        var zip = new ImageZip()
            .Images("cats", 1).Images("dogs", 1)
            .Text("__MACOSX/cats/._001.png", "resource fork").Text("cats/.DS_Store", "finder").Text("dogs/Thumbs.db", "cache")
            .Text("__MACOSX/._dogs", "resource fork");

        var schema = await ScanAsync(zip);

        Assert.Equal(["cats", "dogs"], schema.Classes.Select(c => c.Name));
        Assert.Empty(schema.Warnings);
        Assert.Empty(schema.SkippedFiles);
    }

    [Fact]
    public async Task WindowsBackslashesSeparateFoldersLikeSlashes()
    {
        var schema = await ScanAsync(new ImageZip().Image("cats\\1.png").Image("dogs\\1.png"));

        Assert.Equal(["cats", "dogs"], schema.Classes.Select(c => c.Name));
    }

    [Fact]
    public async Task AFileThatIsNotAReadableImageIsSkippedWithAWarningNamingIt()
    {
        var truncatedJpeg = ImageZip.Encode("jpeg")[..40];
        var zip = new ImageZip().Images("cats", 2).Images("dogs", 1)
            .Text("cats/notes.txt", "not an image").File("dogs/broken.jpg", truncatedJpeg);

        var schema = await ScanAsync(zip);

        Assert.Equal([new ImageClass("cats", 2), new ImageClass("dogs", 1)], schema.Classes);
        Assert.Equal(["cats/notes.txt", "dogs/broken.jpg"], schema.SkippedFiles.Select(s => s.Path).Order());
        var warning = Assert.Single(schema.Warnings);
        Assert.StartsWith("2 files could not be read as images and were left out: ", warning);
        Assert.Contains("'cats/notes.txt' (it is not a PNG, JPEG, BMP, GIF or WebP image", warning);
        Assert.Contains("'dogs/broken.jpg'", warning);
    }

    [Fact]
    public async Task ManyUnreadableFilesAreNamedTenInTheWarningThenCounted()
    {
        var zip = new ImageZip().Images("cats", 1).Images("dogs", 1);
        for (var i = 1; i <= 13; i++)
        {
            zip.Text($"cats/note{i:00}.txt", "text");
        }

        var schema = await ScanAsync(zip);

        Assert.Equal(13, schema.SkippedFiles.Count);
        var warning = Assert.Single(schema.Warnings);
        Assert.Contains("'cats/note10.txt'", warning);
        Assert.DoesNotContain("'cats/note11.txt'", warning);
        Assert.EndsWith(" and 3 more.", warning);
    }

    [Fact]
    public async Task ImagesOverThePixelOrByteLimitAreSkippedWithAWarningSayingWhy()
    {
        var zip = new ImageZip().Images("cats", 1).Images("dogs", 1).Image("cats/large.png", width: 40, height: 40).Image("dogs/heavy.bmp", "bmp", 20, 20);

        var schema = await ScanAsync(zip, Defaults with { MaxImagePixels = 1000, MaxImageBytes = 1024 });

        Assert.Equal([new ImageClass("cats", 1), new ImageClass("dogs", 1)], schema.Classes);
        Assert.Equal(
            [
                new SkippedImageFile("cats/large.png", "it is 40 × 40 pixels, more than the 1,000 pixels allowed for one image"),
                new SkippedImageFile("dogs/heavy.bmp", "it is 1.2 KB, larger than the 1 KB allowed for one image"),
            ],
            schema.SkippedFiles);
    }

    [Fact]
    public async Task SizeStatisticsCoverEveryReadableImage()
    {
        var zip = new ImageZip().Image("cats/a.png", width: 8, height: 8).Image("cats/b.png", width: 16, height: 4).Image("dogs/c.jpg", "jpeg", 12, 24);

        var sizes = (await ScanAsync(zip)).Sizes;

        Assert.Equal((8, 16, 12.0), (sizes.MinWidth, sizes.MaxWidth, sizes.MeanWidth));
        Assert.Equal((4, 24, 12.0), (sizes.MinHeight, sizes.MaxHeight, sizes.MeanHeight));
        Assert.Equal(new Dictionary<string, int> { ["jpeg"] = 1, ["png"] = 2 }, sizes.Formats);
    }

    [Fact]
    public async Task ThumbnailsAreWrittenForAFewImagesOfEachClassUnderNumberedNamesAndDecode()
    {
        var thumbnails = Path.Combine(_folder, "thumbs");
        var zip = new ImageZip()
            .Image("cats/wide.png", width: 300, height: 150).Images("cats", 2)
            .Image("dogs/rex.gif", "gif");

        var schema = await ScanAsync(zip, Defaults with { ThumbnailsPerClass = 2 }, thumbnails);

        Assert.Equal(
            [("cats", 0, "0-1.jpg"), ("cats", 0, "0-2.jpg"), ("dogs", 1, "1-1.jpg")],
            schema.Thumbnails.Select(t => (t.ClassName, t.ClassIndex, t.FileName)));
        Assert.Equal((128, 64), (schema.Thumbnails[0].Width, schema.Thumbnails[0].Height));
        Assert.Equal(["0-1.jpg", "0-2.jpg", "1-1.jpg"], Directory.GetFiles(thumbnails).Select(Path.GetFileName).Order());
        foreach (var thumbnail in schema.Thumbnails)
        {
            var info = Image.Identify(Path.Combine(thumbnails, thumbnail.FileName), out var format);
            Assert.Equal("JPEG", format.Name);
            Assert.Equal((thumbnail.Width, thumbnail.Height), (info.Width, info.Height));
            Assert.True(info.Width <= 128 && info.Height <= 128);
        }
    }

    [Fact]
    public async Task ProgressRisesToOneAsEntriesAreProcessed()
    {
        var reports = new List<double>();
        var zip = new ImageZip().Images("cats", 3).Images("dogs", 3);

        await ScanAsync(zip, progress: new SynchronousProgress(reports.Add));

        Assert.Equal(1.0, reports[^1]);
        Assert.True(reports.Count >= 6);
        Assert.Equal(reports.Order(), reports);
    }

    [Fact]
    public async Task TheSchemaSerialisesAsCamelCaseJson()
    {
        var schema = await ScanAsync(new ImageZip().Images("cats", 1).Images("dogs", 1).Text("dogs/x.txt", "x"));

        var json = JsonSerializer.Serialize(schema, JsonSerializerOptions.Web);

        Assert.Contains("\"classes\":[{\"name\":\"cats\",\"count\":1}", json);
        Assert.Contains("\"imageCount\":2", json);
        Assert.Contains("\"sizes\":{\"minWidth\":8", json);
        Assert.Contains("\"skippedFiles\":[{\"path\":\"dogs/x.txt\"", json);
        Assert.Equal(schema.Classes, JsonSerializer.Deserialize<ImageDatasetSchema>(json, JsonSerializerOptions.Web)!.Classes);
    }

    [Fact]
    public async Task ExtractionWritesOnlyTheAcceptedImagesUnderNumberedNamesPerClass()
    {
        var zip = new ImageZip()
            .Image("pets/cats/Tom.png").Image("pets/cats/Felix.JPG", "jpeg").Text("pets/cats/notes.txt", "no")
            .Image("pets/dogs/Rex.webp", "webp").Text("pets/dogs/.DS_Store", "junk").Text("__MACOSX/pets/._x", "junk")
            .Text("pets/README.md", "loose");
        var destination = Path.Combine(_folder, "extracted");

        var images = await ImageZipReader.ExtractAsync(await WriteAsync(zip.ToBytes()), "pets.zip", destination, Defaults, CancellationToken.None);

        Assert.Equal(
            [("cats", "cats/1.png"), ("cats", "cats/2.jpg"), ("dogs", "dogs/1.webp")],
            images.Select(i => (i.ClassName, Path.GetRelativePath(destination, i.Path).Replace('\\', '/'))));
        Assert.Equal(
            ["cats/1.png", "cats/2.jpg", "dogs/1.webp"],
            Directory.GetFiles(destination, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(destination, f).Replace('\\', '/')).Order());
        Assert.Equal(ImageZip.Encode("webp"), await File.ReadAllBytesAsync(Path.Combine(destination, "dogs", "1.webp")));
    }

    [Fact]
    public async Task ExtractionRefusesAnUnsafeZipBeforeWritingAnything()
    {
        var zip = new ImageZip().Images("cats", 1).Images("dogs", 1).Image("../escape.png");
        var destination = Path.Combine(_folder, "extracted");
        var path = await WriteAsync(zip.ToBytes());

        var error = await Assert.ThrowsAsync<DatasetFormatException>(() =>
            ImageZipReader.ExtractAsync(path, "pets.zip", destination, Defaults, CancellationToken.None));

        Assert.Contains("'../escape.png'", error.Message);
        Assert.False(Directory.Exists(destination));
        Assert.False(File.Exists(Path.Combine(_folder, "escape.png")));
    }

    [Fact]
    public async Task AnEntryClimbingOutWithDotDotIsRefusedNamingIt()
    {
        var error = await ScanFailsAsync(new ImageZip().Images("cats", 1).Images("dogs", 1).Image("cats/../../evil.png"));

        Assert.StartsWith("'pets.zip' could not be read. The zip holds an entry whose path climbs out of the zip with '..', 'cats/../../evil.png'", error.Message);
    }

    [Theory]
    [InlineData("/etc/cats/x.png")]
    [InlineData("C:\\Users\\cats\\x.png")]
    [InlineData("\\\\server\\share\\x.png")]
    public async Task AnEntryWithAnAbsolutePathIsRefusedNamingIt(string path)
    {
        var error = await ScanFailsAsync(new ImageZip().Images("cats", 1).Images("dogs", 1).Image(path));

        Assert.Contains($"The zip holds an entry with an absolute path, '{path}'", error.Message);
    }

    [Fact]
    public async Task ASymbolicLinkEntryIsRefusedNamingIt()
    {
        const int symbolicLink = 0xA000 | 0x1FF;
        var zip = new ImageZip().Images("cats", 1).Images("dogs", 1)
            .File("dogs/link.png", "/etc/passwd"u8.ToArray(), configure: entry => entry.ExternalAttributes = symbolicLink << 16);

        var error = await ScanFailsAsync(zip);

        Assert.Contains("The zip holds a symbolic link, 'dogs/link.png', instead of a file.", error.Message);
    }

    [Theory]
    [InlineData("cats/more.zip")]
    [InlineData("dogs/photos.tar.gz")]
    [InlineData("dogs/photos.7z")]
    [InlineData("dogs/photos.RAR")]
    public async Task AnArchiveInsideTheZipIsRefusedNamingIt(string path)
    {
        var error = await ScanFailsAsync(new ImageZip().Images("cats", 1).Images("dogs", 1).File(path, new ImageZip().Images("x", 1).ToBytes()));

        Assert.Contains($"The zip holds another archive, '{path}'.", error.Message);
    }

    [Fact]
    public async Task AZipDeclaringMoreUnpackedBytesThanAllowedIsRefusedBeforeReadingAnything()
    {
        var zip = new ImageZip().Images("cats", 2).Images("dogs", 2);

        var error = await ScanFailsAsync(zip, Defaults with { MaxTotalUncompressedBytes = 200 });

        Assert.Contains("The zip unpacks to more than the 200 bytes allowed (reached at the entry 'cats/00", error.Message);
    }

    [Fact]
    public async Task AnEntryThatUnpacksFarBeyondItsPackedSizeIsRefusedAsAZipBomb()
    {
        var zip = new ImageZip().Images("cats", 1).Images("dogs", 1).File("dogs/huge.bmp", new byte[4 * 1024 * 1024]);

        var error = await ScanFailsAsync(zip);

        Assert.Contains("The entry 'dogs/huge.bmp' unpacks to ", error.Message);
        Assert.Contains("times its packed size (4 MB from ", error.Message);
        Assert.Contains("more than the 200 times images ever need, as a zip bomb does", error.Message);
    }

    [Fact]
    public async Task AHeaderThatUnderstatesAnEntrysSizeDoesNotUnpackMoreThanItDeclares()
    {
        var bytes = new ImageZip().Images("cats", 1).Images("dogs", 1).Image("dogs/big.bmp", "bmp", 64, 64).ToBytes();
        DeclareSize(bytes, "dogs/big.bmp", 100);
        var destination = Path.Combine(_folder, "extracted");

        var images = await ImageZipReader.ExtractAsync(await WriteAsync(bytes), "pets.zip", destination, Defaults, CancellationToken.None);

        var big = images.Where(i => i.Path.EndsWith(".bmp", StringComparison.Ordinal)).Select(i => new FileInfo(i.Path).Length);
        Assert.All(big, length => Assert.True(length <= 100, $"{length} bytes unpacked where 100 were declared"));
    }

    [Fact]
    public async Task AnEntryStreamLongerThanItsHeaderSaysIsRefusedAsAZipBomb()
    {
        var budget = new UnpackBudget("pets.zip", long.MaxValue);

        var error = await Assert.ThrowsAsync<DatasetFormatException>(() =>
            budget.ReadAsync(new MemoryStream(new byte[200_000]), 100, "dogs/big.bmp", CancellationToken.None));

        Assert.Contains("The entry 'dogs/big.bmp' unpacks to more data than the zip says it holds (100 bytes), as a zip bomb does.", error.Message);
        Assert.True(budget.BytesRead <= 81920);
    }

    [Fact]
    public async Task UnpackingPastTheZipsLimitIsRefusedWhateverTheHeadersSaid()
    {
        var budget = new UnpackBudget("pets.zip", 1000);
        await budget.ReadAsync(new MemoryStream(new byte[600]), 600, "cats/1.png", CancellationToken.None);

        var error = await Assert.ThrowsAsync<DatasetFormatException>(() =>
            budget.ReadAsync(new MemoryStream(new byte[600]), 600, "dogs/1.png", CancellationToken.None));

        Assert.Contains("Unpacking the zip went past the 1000 bytes allowed at the entry 'dogs/1.png', as a zip bomb does.", error.Message);
    }

    [Fact]
    public async Task AZipWithTooManyEntriesIsRefusedWithTheCount()
    {
        var error = await ScanFailsAsync(new ImageZip().Images("cats", 3).Images("dogs", 3), Defaults with { MaxEntries = 5 });

        Assert.Contains("The zip holds 6 files and folders, more than the 5 allowed.", error.Message);
    }

    [Fact]
    public async Task AZipWithOnlyOneClassFolderIsRefusedNamingIt()
    {
        var error = await ScanFailsAsync(new ImageZip().Images("pets/cats", 3));

        Assert.Contains("The zip has only one class folder, 'cats'. Put the images of each class in a folder named after the class, at least two of them", error.Message);
    }

    [Fact]
    public async Task AZipOfLooseImagesWithoutClassFoldersIsRefused()
    {
        var error = await ScanFailsAsync(new ImageZip().Image("a.png").Image("b.png"));

        Assert.Contains("The zip's files are not inside class folders.", error.Message);
    }

    [Fact]
    public async Task AClassFolderWithoutAReadableImageIsRefusedNamingTheClassAndItsFiles()
    {
        var error = await ScanFailsAsync(new ImageZip().Images("cats", 2).Text("dogs/rex.jpg", "not really a jpeg"));

        Assert.Contains("The class folder 'dogs' has no image that could be read (it holds 'dogs/rex.jpg')", error.Message);
    }

    [Theory]
    [InlineData("random")]
    [InlineData("csv")]
    public async Task AFileThatIsNotAZipIsRefused(string kind)
    {
        var bytes = kind == "csv" ? "name,age\nann,31\nbob,42\n"u8.ToArray() : RandomBytes(4096);

        var error = await ScanFailsAsync(bytes);

        Assert.Equal("'pets.zip' could not be read. The file is not a zip archive, or it is damaged. Upload a .zip with one folder of images per class, for example cats/001.jpg and dogs/002.png.", error.Message);
    }

    [Fact]
    public async Task AnEmptyZipIsRefusedAsHavingNoImages()
    {
        var error = await ScanFailsAsync(new ImageZip().ToBytes());

        Assert.Contains("The zip has no images in it.", error.Message);
    }

    [Fact]
    public async Task AZipOfOnlyJunkIsRefusedAsHavingNoImages()
    {
        var error = await ScanFailsAsync(new ImageZip().Text("__MACOSX/._cats", "x").Text(".DS_Store", "x"));

        Assert.Contains("The zip has no images in it.", error.Message);
    }

    [Fact]
    public async Task ACancelledScanStops()
    {
        var path = await WriteAsync(new ImageZip().Images("cats", 1).Images("dogs", 1).ToBytes());

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            ImageZipScanner.ScanAsync(path, "pets.zip", Defaults, null, null, new CancellationToken(canceled: true)));
    }

    [Theory]
    [InlineData("yes", "no")]
    [InlineData("Y", "N")]
    [InlineData("1", "0")]
    [InlineData("pos", "neg")]
    [InlineData("True", "False")]
    public async Task EveryClassIsSpelledAsItsFolderInTheSchemaAndTheDecodedPixels(string positive, string negative)
    {
        var path = await WriteAsync(new ImageZip().Images(positive, 2).Images(negative, 2).ToBytes());

        var schema = await ImageZipScanner.ScanAsync(path, "pets.zip", Defaults, null, null, CancellationToken.None);
        var pixels = await ImageDecoder.ReadZipAsync(path, "pets.zip", 8, Defaults, CancellationToken.None);

        string[] spelled = [.. new[] { positive, negative }.Order(StringComparer.Ordinal)];
        Assert.Equal(spelled, schema.Classes.Select(c => c.Name));
        Assert.Equal(spelled, pixels.Classes);
    }

    private async Task<ImageDatasetSchema> ScanAsync(ImageZip zip, ImageZipOptions? options = null, string? thumbnails = null, IProgress<double>? progress = null) =>
        await ImageZipScanner.ScanAsync(await WriteAsync(zip.ToBytes()), "pets.zip", options ?? Defaults, thumbnails, progress, CancellationToken.None);

    private Task<DatasetFormatException> ScanFailsAsync(ImageZip zip, ImageZipOptions? options = null) => ScanFailsAsync(zip.ToBytes(), options);

    private async Task<DatasetFormatException> ScanFailsAsync(byte[] bytes, ImageZipOptions? options = null)
    {
        var path = await WriteAsync(bytes);
        var error = await Assert.ThrowsAsync<DatasetFormatException>(() =>
            ImageZipScanner.ScanAsync(path, "pets.zip", options ?? Defaults, null, null, CancellationToken.None));
        Assert.Equal("pets.zip", error.FileName);
        Assert.Equal(error.Summary, Assert.Single(error.Problems).Message);
        return error;
    }

    private async Task<string> WriteAsync(byte[] bytes)
    {
        var path = Path.Combine(_folder, $"{Guid.NewGuid():N}.zip");
        await File.WriteAllBytesAsync(path, bytes);
        return path;
    }

    private static byte[] RandomBytes(int count)
    {
        var bytes = new byte[count];
        new Random(7).NextBytes(bytes);
        return bytes;
    }

    /// <summary>Rewrites the uncompressed size an entry's local and central headers declare, as a forged zip would.</summary>
    private static void DeclareSize(byte[] zip, string name, uint size)
    {
        var nameBytes = System.Text.Encoding.UTF8.GetBytes(name);
        for (var i = 0; i + 46 + nameBytes.Length <= zip.Length; i++)
        {
            var signature = BitConverter.ToUInt32(zip, i);
            if (signature == 0x04034b50 && zip.AsSpan(i + 30, nameBytes.Length).SequenceEqual(nameBytes))
            {
                BitConverter.TryWriteBytes(zip.AsSpan(i + 22, 4), size);
            }
            else if (signature == 0x02014b50 && zip.AsSpan(i + 46, nameBytes.Length).SequenceEqual(nameBytes))
            {
                BitConverter.TryWriteBytes(zip.AsSpan(i + 24, 4), size);
            }
        }
    }

    /// <summary>Calls back on the reporting thread, unlike <see cref="Progress{T}"/>, so the test sees every report before it asserts.</summary>
    private sealed class SynchronousProgress(Action<double> report) : IProgress<double>
    {
        public void Report(double value) => report(value);
    }
}
