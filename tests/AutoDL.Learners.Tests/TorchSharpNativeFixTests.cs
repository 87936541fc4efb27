using System.Reflection;
using AutoDL.Build;
using TorchSharp;

namespace AutoDL.Learners.Tests;

/// <summary>
/// build/TorchSharpNativeFix.targets marks libLibTorchSharp.so's GLIBCXX_3.4.32 requirement weak in the build output,
/// so the library loads against an older libstdc++ (Debian 12 has up to GLIBCXX_3.4.30).
/// </summary>
public sealed class TorchSharpNativeFixTests : IDisposable
{
    private const string LibraryName = "libLibTorchSharp.so";
    private const string VersionName = "GLIBCXX_3.4.32";

    private readonly string _directory = Directory.CreateTempSubdirectory("autodl-elf-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void TheCopiedNativeLibraryNeedsGlibcxx3432OnlyWeakly()
    {
        var copies = Directory.GetFiles(AppContext.BaseDirectory, LibraryName, SearchOption.AllDirectories);

        Assert.NotEmpty(copies);
        Assert.All(copies, copy => Assert.True(
            ElfVersionNeedPatcher.FindRequirement(copy, VersionName)?.IsWeak,
            $"{copy} should need {VersionName} weakly."));
    }

    [Fact]
    public void TheNativeLibraryTorchSharpLoadedIsAPatchedCopy()
    {
        using var tensor = torch.ones(2);
        var loaded = File.ReadLines("/proc/self/maps")
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(fields => fields.Length >= 6 && fields[^1].EndsWith("/" + LibraryName, StringComparison.Ordinal))
            .Select(fields => fields[^1])
            .Distinct()
            .ToList();

        var path = Assert.Single(loaded);
        Assert.StartsWith(AppContext.BaseDirectory, path, StringComparison.Ordinal);
        Assert.True(ElfVersionNeedPatcher.FindRequirement(path, VersionName)?.IsWeak);
    }

    [Fact]
    public void TheOriginalInTheNuGetCacheNeedsGlibcxx3432Strongly()
    {
        var requirement = ElfVersionNeedPatcher.FindRequirement(OriginalLibrary(), VersionName);

        Assert.NotNull(requirement);
        Assert.Equal("libstdc++.so.6", requirement.Library);
        Assert.False(requirement.IsWeak);
    }

    [Fact]
    public void PatchingACopyOfTheOriginalMarksOnlyThatRequirementWeak()
    {
        var copy = CopyOfOriginal();
        var before = ElfVersionNeedPatcher.ReadRequirements(copy);
        var length = new FileInfo(copy).Length;

        Assert.Equal(VersionNeedPatchOutcome.Patched, ElfVersionNeedPatcher.MarkWeak(copy, VersionName));

        var after = ElfVersionNeedPatcher.ReadRequirements(copy);
        Assert.Equal(length, new FileInfo(copy).Length);
        Assert.Equal(before.Select(r => (r.Library, r.Name)), after.Select(r => (r.Library, r.Name)));
        Assert.All(after, r => Assert.Equal(r.Name == VersionName, r.IsWeak));
        Assert.Equal(
            ElfVersionNeedPatcher.VerFlgWeak,
            after.Single(r => r.Name == VersionName).Flags & ElfVersionNeedPatcher.VerFlgWeak);
    }

    [Fact]
    public void PatchingTwiceChangesNothingTheSecondTime()
    {
        var copy = CopyOfOriginal();
        ElfVersionNeedPatcher.MarkWeak(copy, VersionName);
        var patched = File.ReadAllBytes(copy);
        var written = File.GetLastWriteTimeUtc(copy);

        Assert.Equal(VersionNeedPatchOutcome.AlreadyWeak, ElfVersionNeedPatcher.MarkWeak(copy, VersionName));
        Assert.Equal(patched, File.ReadAllBytes(copy));
        Assert.Equal(written, File.GetLastWriteTimeUtc(copy));
    }

    [Fact]
    public void PatchingChangesOnlyTheFlagsBytes()
    {
        var copy = CopyOfOriginal();
        var original = File.ReadAllBytes(copy);
        var offset = ElfVersionNeedPatcher.FindRequirement(copy, VersionName)!.FlagsFileOffset;

        ElfVersionNeedPatcher.MarkWeak(copy, VersionName);

        var patched = File.ReadAllBytes(copy);
        var changed = Enumerable.Range(0, original.Length).Where(i => original[i] != patched[i]).ToList();
        Assert.Equal([offset], changed.Select(i => (long)i));
    }

    [Fact]
    public void AVersionTheLibraryDoesNotNeedIsLeftAlone()
    {
        var copy = CopyOfOriginal();
        var original = File.ReadAllBytes(copy);

        Assert.Equal(VersionNeedPatchOutcome.NotRequired, ElfVersionNeedPatcher.MarkWeak(copy, "GLIBCXX_9.9.99"));
        Assert.Equal(original, File.ReadAllBytes(copy));
    }

    [Fact]
    public void AFileThatIsNotElfFailsWithAClearError()
    {
        var path = Path.Combine(_directory, LibraryName);
        File.WriteAllText(path, "not a library");

        var error = Assert.Throws<InvalidDataException>(() => ElfVersionNeedPatcher.MarkWeak(path, VersionName));

        Assert.Contains(path, error.Message);
        Assert.Contains("not a usable little-endian ELF64 file", error.Message);
        Assert.Contains("ELF magic", error.Message);
    }

    [Fact]
    public void AnElfFileWithoutVersionRequirementsFailsWithAClearError()
    {
        // Rename the section in the section name table: the file stays a valid ELF64 file without a .gnu.version_r.
        var bytes = File.ReadAllBytes(OriginalLibrary());
        var name = ".gnu.version_r\0"u8;
        var at = bytes.AsSpan().IndexOf(name);
        Assert.Equal(at, bytes.AsSpan().LastIndexOf(name));
        bytes[at + name.Length - 2] = (byte)'x';
        var path = Path.Combine(_directory, LibraryName);
        File.WriteAllBytes(path, bytes);

        var error = Assert.Throws<InvalidDataException>(() => ElfVersionNeedPatcher.MarkWeak(path, VersionName));

        Assert.Contains(path, error.Message);
        Assert.Contains("has no .gnu.version_r section", error.Message);
    }

    [Fact]
    public void ATruncatedFileFailsWithAClearError()
    {
        var path = Path.Combine(_directory, LibraryName);
        File.WriteAllBytes(path, File.ReadAllBytes(OriginalLibrary()).AsSpan(0, 4096).ToArray());

        var error = Assert.Throws<InvalidDataException>(() => ElfVersionNeedPatcher.MarkWeak(path, VersionName));

        Assert.Contains(path, error.Message);
        Assert.Contains("section header table does not fit in the file", error.Message);
    }

    private static string OriginalLibrary()
    {
        var package = typeof(TorchSharpNativeFixTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(attribute => attribute.Key == "TorchSharpPackageDirectory").Value!;
        return Path.Combine(package, "runtimes", "linux-x64", "native", LibraryName);
    }

    private string CopyOfOriginal()
    {
        var copy = Path.Combine(_directory, LibraryName);
        File.Copy(OriginalLibrary(), copy);
        return copy;
    }
}
