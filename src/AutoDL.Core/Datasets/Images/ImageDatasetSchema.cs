namespace AutoDL.Core.Datasets.Images;

/// <summary>What one read of a zip of image folders found: its classes, its readable images and their sizes.</summary>
/// <param name="FileName">The zip's name as the user gave it.</param>
/// <param name="Classes">One per class folder, in ordinal order of their names.</param>
/// <param name="ImageCount">Images that could be read, all classes together.</param>
/// <param name="Sizes">Widths, heights and formats of the readable images.</param>
/// <param name="Warnings">Things the reader skipped or assumed, in words for the user.</param>
/// <param name="SkippedFiles">Every file left out, with why (junk such as <c>__MACOSX/</c> and <c>.DS_Store</c> is left out silently and not listed).</param>
/// <param name="Thumbnails">Thumbnails written into the thumbnail folder, if one was given.</param>
public sealed record ImageDatasetSchema(
    string FileName,
    IReadOnlyList<ImageClass> Classes,
    int ImageCount,
    ImageSizeStatistics Sizes,
    IReadOnlyList<string> Warnings,
    IReadOnlyList<SkippedImageFile> SkippedFiles,
    IReadOnlyList<ImageThumbnail> Thumbnails);

/// <summary>One class: the folder's name and how many readable images it holds.</summary>
public sealed record ImageClass(string Name, int Count);

/// <summary>Sizes of the readable images in pixels, and how many there are of each format (<c>png</c>, <c>jpeg</c>, <c>bmp</c>, <c>gif</c>, <c>webp</c>).</summary>
public sealed record ImageSizeStatistics(
    int MinWidth,
    int MaxWidth,
    double MeanWidth,
    int MinHeight,
    int MaxHeight,
    double MeanHeight,
    IReadOnlyDictionary<string, int> Formats);

/// <summary>A file in the zip that is not used as an image: its path inside the zip and why, in words for the user.</summary>
public sealed record SkippedImageFile(string Path, string Reason);

/// <summary>A thumbnail written for a class: <paramref name="FileName"/> is the file's name inside the thumbnail folder.</summary>
public sealed record ImageThumbnail(string ClassName, int ClassIndex, string FileName, int Width, int Height);

/// <summary>An image that <see cref="ImageZipReader"/> extracted: its class and where it now lies on disk.</summary>
public sealed record ExtractedImage(string ClassName, string Path);
