// Shared by build/TorchSharpNativeFix.targets (compiled into an inline MSBuild task by RoslynCodeTaskFactory)
// and by tests/AutoDL.Learners.Tests (compiled with ELF_PATCHER_LOGIC_ONLY), so the tests exercise this exact code.
// The inline task is compiled against the MSBuild reference assemblies (netstandard), so this file sticks to
// netstandard 2.0 APIs: byte arrays, FileStream and File.Replace.
#nullable enable

using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
#if !ELF_PATCHER_LOGIC_ONLY
using Microsoft.Build.Framework;
#endif

namespace AutoDL.Build;

/// <summary>What <see cref="ElfVersionNeedPatcher.MarkWeak"/> did to a file.</summary>
public enum VersionNeedPatchOutcome
{
    /// <summary>The file does not require the version at all; nothing to do.</summary>
    NotRequired,

    /// <summary>The requirement was already weak; the file was left untouched.</summary>
    AlreadyWeak,

    /// <summary>The requirement was strong and is now marked weak.</summary>
    Patched,
}

/// <summary>One Elf64_Vernaux entry of a <c>.gnu.version_r</c> section.</summary>
public sealed class VersionRequirement
{
    public VersionRequirement(string library, string name, ushort flags, long flagsFileOffset)
    {
        Library = library;
        Name = name;
        Flags = flags;
        FlagsFileOffset = flagsFileOffset;
    }

    /// <summary>The needed library (vn_file), e.g. <c>libstdc++.so.6</c>.</summary>
    public string Library { get; }

    /// <summary>The version name (vna_name), e.g. <c>GLIBCXX_3.4.32</c>.</summary>
    public string Name { get; }

    /// <summary>The vna_flags field.</summary>
    public ushort Flags { get; }

    /// <summary>Where vna_flags lies in the file.</summary>
    public long FlagsFileOffset { get; }

    public bool IsWeak => (Flags & ElfVersionNeedPatcher.VerFlgWeak) != 0;
}

/// <summary>
/// Reads the version requirements (<c>.gnu.version_r</c>) of a little-endian ELF64 file and marks one of them weak
/// (VER_FLG_WEAK), so the dynamic loader accepts a library that lacks that version as long as no symbol bound to it
/// is actually used.
/// </summary>
public static class ElfVersionNeedPatcher
{
    public const ushort VerFlgWeak = 0x2;
    public const string VersionNeedSectionName = ".gnu.version_r";

    private const int ElfHeaderSize = 64;
    private const int SectionHeaderSize = 64;
    private const int VerneedSize = 16;
    private const int VernauxSize = 16;
    private const int VernauxFlagsOffset = 4;
    private const ushort ShnXindex = 0xffff;
    private const uint ShtStrtab = 3;
    private const uint ShtGnuVerneed = 0x6ffffffe;

    /// <summary>Lists every Elf64_Vernaux entry of the file's <c>.gnu.version_r</c> section.</summary>
    /// <exception cref="InvalidDataException">The file is not a little-endian ELF64 file or has no such section.</exception>
    public static IReadOnlyList<VersionRequirement> ReadRequirements(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        return ReadRequirements(stream, path);
    }

    /// <summary>The requirement named <paramref name="versionName"/>, or null when the file does not need it.</summary>
    public static VersionRequirement? FindRequirement(string path, string versionName)
    {
        foreach (var requirement in ReadRequirements(path))
        {
            if (requirement.Name == versionName)
            {
                return requirement;
            }
        }

        return null;
    }

    /// <summary>
    /// Sets VER_FLG_WEAK on every requirement named <paramref name="versionName"/> that lacks it. The file keeps its
    /// size and layout; when it changes, it is rewritten through a sibling temporary file and an atomic rename, so a
    /// hard link into the NuGet cache or a copy mapped by a running process is never written through.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is not a little-endian ELF64 file or has no <c>.gnu.version_r</c>.</exception>
    public static VersionNeedPatchOutcome MarkWeak(string path, string versionName)
    {
        var strong = new List<VersionRequirement>();
        var found = false;
        foreach (var requirement in ReadRequirements(path))
        {
            if (requirement.Name != versionName)
            {
                continue;
            }

            found = true;
            if (!requirement.IsWeak)
            {
                strong.Add(requirement);
            }
        }

        if (!found)
        {
            return VersionNeedPatchOutcome.NotRequired;
        }

        if (strong.Count == 0)
        {
            return VersionNeedPatchOutcome.AlreadyWeak;
        }

        var fullPath = Path.GetFullPath(path);
        var temporary = Path.Combine(
            Path.GetDirectoryName(fullPath) ?? ".",
            "." + Path.GetFileName(fullPath) + "." + Guid.NewGuid().ToString("N") + ".tmp");
        try
        {
            // File.Copy keeps the permission bits, so the rename below leaves an executable library executable.
            File.Copy(fullPath, temporary, overwrite: true);
            using (var stream = new FileStream(temporary, FileMode.Open, FileAccess.Write, FileShare.None))
            {
                foreach (var requirement in strong)
                {
                    var flags = (ushort)(requirement.Flags | VerFlgWeak);
                    stream.Position = requirement.FlagsFileOffset;
                    stream.Write(new[] { (byte)flags, (byte)(flags >> 8) }, 0, 2);
                }
            }

            File.Replace(temporary, fullPath, destinationBackupFileName: null);
        }
        finally
        {
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }

        return VersionNeedPatchOutcome.Patched;
    }

    private static IReadOnlyList<VersionRequirement> ReadRequirements(Stream stream, string path)
    {
        var length = stream.Length;
        var header = ReadExactly(stream, 0, (int)Math.Min(length, ElfHeaderSize), length, path, "the ELF header");
        if (header.Length < 4 || header[0] != 0x7f || header[1] != (byte)'E' || header[2] != (byte)'L' || header[3] != (byte)'F')
        {
            throw Invalid(path, "it does not start with the ELF magic bytes");
        }

        if (header.Length < ElfHeaderSize)
        {
            throw Invalid(path, "it is too short to hold an ELF64 header");
        }

        if (header[4] != 2)
        {
            throw Invalid(path, "it is not a 64-bit (ELFCLASS64) ELF file");
        }

        if (header[5] != 1)
        {
            throw Invalid(path, "it is not a little-endian (ELFDATA2LSB) ELF file");
        }

        var sectionHeaderOffset = ToOffset(ReadUInt64(header, 0x28), path, "e_shoff");
        var sectionHeaderEntrySize = ReadUInt16(header, 0x3a);
        long sectionCount = ReadUInt16(header, 0x3c);
        long nameTableIndex = ReadUInt16(header, 0x3e);
        if (sectionHeaderOffset == 0)
        {
            throw Invalid(path, "it has no section header table");
        }

        if (sectionHeaderEntrySize < SectionHeaderSize)
        {
            throw Invalid(path, "its section header entries are " + sectionHeaderEntrySize + " bytes, fewer than an Elf64_Shdr");
        }

        // With 0xff00 or more sections the real counts live in section header 0 (sh_size and sh_link).
        if (sectionCount == 0 || nameTableIndex == ShnXindex)
        {
            var first = ReadExactly(stream, sectionHeaderOffset, SectionHeaderSize, length, path, "section header 0");
            if (sectionCount == 0)
            {
                sectionCount = ToOffset(ReadUInt64(first, 0x20), path, "the extended section count");
            }

            if (nameTableIndex == ShnXindex)
            {
                nameTableIndex = ReadUInt32(first, 0x28);
            }
        }

        if (sectionCount == 0 || sectionCount > (length - sectionHeaderOffset) / sectionHeaderEntrySize)
        {
            throw Invalid(path, "its section header table does not fit in the file");
        }

        var tableSize = sectionCount * sectionHeaderEntrySize;
        if (tableSize > int.MaxValue)
        {
            throw Invalid(path, "its section header table is too large");
        }

        var table = ReadExactly(stream, sectionHeaderOffset, (int)tableSize, length, path, "the section header table");
        var sections = new SectionHeader[sectionCount];
        for (var i = 0; i < sectionCount; i++)
        {
            var at = i * sectionHeaderEntrySize;
            sections[i] = new SectionHeader(
                ReadUInt32(table, at),
                ReadUInt32(table, at + 0x04),
                ReadUInt64(table, at + 0x18),
                ReadUInt64(table, at + 0x20),
                ReadUInt32(table, at + 0x28),
                ReadUInt32(table, at + 0x2c));
        }

        if (nameTableIndex >= sectionCount)
        {
            throw Invalid(path, "its section name table index (e_shstrndx) is out of range");
        }

        var sectionNames = ReadStringTable(stream, sections[nameTableIndex], length, path, "the section name table");
        SectionHeader? versionNeed = null;
        foreach (var section in sections)
        {
            if (ReadString(sectionNames, section.Name, path, "a section name") == VersionNeedSectionName)
            {
                versionNeed = section;
                break;
            }
        }

        if (versionNeed is null)
        {
            throw Invalid(path, "it has no " + VersionNeedSectionName + " section");
        }

        if (versionNeed.Type != ShtGnuVerneed)
        {
            throw Invalid(path, "its " + VersionNeedSectionName + " section is not of type SHT_GNU_verneed");
        }

        if (versionNeed.Link == 0 || versionNeed.Link >= sectionCount)
        {
            throw Invalid(path, "its " + VersionNeedSectionName + " section links to no string table");
        }

        var strings = ReadStringTable(stream, sections[versionNeed.Link], length, path, "the version string table");
        var data = ReadSection(stream, versionNeed, length, path, "the " + VersionNeedSectionName + " section");
        var sectionOffset = (long)versionNeed.Offset;
        var requirements = new List<VersionRequirement>();

        // sh_info holds the number of Elf64_Verneed entries; vn_next == 0 also ends the chain.
        long need = 0;
        for (uint entry = 0; entry < versionNeed.Info; entry++)
        {
            CheckEntry(data, need, VerneedSize, path, "an Elf64_Verneed entry");
            var auxCount = ReadUInt16(data, (int)need + 2);
            var library = ReadString(strings, ReadUInt32(data, (int)need + 4), path, "a needed library name");
            var aux = need + ReadUInt32(data, (int)need + 8);
            var nextNeed = ReadUInt32(data, (int)need + 12);
            for (var j = 0; j < auxCount; j++)
            {
                CheckEntry(data, aux, VernauxSize, path, "an Elf64_Vernaux entry");
                var flags = ReadUInt16(data, (int)aux + VernauxFlagsOffset);
                var name = ReadString(strings, ReadUInt32(data, (int)aux + 8), path, "a version name");
                requirements.Add(new VersionRequirement(library, name, flags, sectionOffset + aux + VernauxFlagsOffset));
                var nextAux = ReadUInt32(data, (int)aux + 12);
                if (nextAux == 0)
                {
                    break;
                }

                aux += nextAux;
            }

            if (nextNeed == 0)
            {
                break;
            }

            need += nextNeed;
        }

        return requirements;
    }

    private static void CheckEntry(byte[] data, long at, int size, string path, string what)
    {
        if (at < 0 || at > data.Length - size)
        {
            throw Invalid(path, what + " lies outside the " + VersionNeedSectionName + " section");
        }
    }

    private static byte[] ReadStringTable(Stream stream, SectionHeader section, long length, string path, string what)
    {
        if (section.Type != ShtStrtab)
        {
            throw Invalid(path, what + " is not of type SHT_STRTAB");
        }

        return ReadSection(stream, section, length, path, what);
    }

    private static byte[] ReadSection(Stream stream, SectionHeader section, long length, string path, string what)
    {
        var offset = ToOffset(section.Offset, path, what + " offset");
        if (section.Size > int.MaxValue)
        {
            throw Invalid(path, what + " is too large");
        }

        return ReadExactly(stream, offset, (int)section.Size, length, path, what);
    }

    private static byte[] ReadExactly(Stream stream, long offset, int count, long length, string path, string what)
    {
        if (offset < 0 || count < 0 || offset > length - count)
        {
            throw Invalid(path, what + " lies beyond the end of the file");
        }

        var buffer = new byte[count];
        stream.Position = offset;
        var read = 0;
        while (read < count)
        {
            var n = stream.Read(buffer, read, count - read);
            if (n == 0)
            {
                throw Invalid(path, what + " lies beyond the end of the file");
            }

            read += n;
        }

        return buffer;
    }

    private static string ReadString(byte[] table, uint index, string path, string what)
    {
        if (index >= table.Length)
        {
            throw Invalid(path, what + " points outside its string table");
        }

        var end = Array.IndexOf(table, (byte)0, (int)index);
        if (end < 0)
        {
            throw Invalid(path, what + " is not NUL-terminated");
        }

        return Encoding.UTF8.GetString(table, (int)index, end - (int)index);
    }

    private static long ToOffset(ulong value, string path, string what)
    {
        if (value > long.MaxValue)
        {
            throw Invalid(path, what + " is out of range");
        }

        return (long)value;
    }

    private static ushort ReadUInt16(byte[] b, int at) => (ushort)(b[at] | b[at + 1] << 8);

    private static uint ReadUInt32(byte[] b, int at) =>
        (uint)(b[at] | b[at + 1] << 8 | b[at + 2] << 16 | b[at + 3] << 24);

    private static ulong ReadUInt64(byte[] b, int at) => ReadUInt32(b, at) | (ulong)ReadUInt32(b, at + 4) << 32;

    private static InvalidDataException Invalid(string path, string reason) =>
        new InvalidDataException("'" + path + "' is not a usable little-endian ELF64 file: " + reason + ".");

    private sealed class SectionHeader
    {
        public SectionHeader(uint name, uint type, ulong offset, ulong size, uint link, uint info)
        {
            Name = name;
            Type = type;
            Offset = offset;
            Size = size;
            Link = link;
            Info = info;
        }

        public uint Name { get; }

        public uint Type { get; }

        public ulong Offset { get; }

        public ulong Size { get; }

        public uint Link { get; }

        public uint Info { get; }
    }
}

#if !ELF_PATCHER_LOGIC_ONLY
/// <summary>
/// MSBuild task: marks the version requirement <see cref="VersionName"/> weak in each of <see cref="Files"/>.
/// Files that do not require that version are left alone; a file that is not a usable ELF64 file fails the build.
/// </summary>
public sealed class MarkElfVersionNeedWeak : Microsoft.Build.Utilities.Task
{
    [Required]
    public ITaskItem[] Files { get; set; } = Array.Empty<ITaskItem>();

    [Required]
    public string VersionName { get; set; } = string.Empty;

    public override bool Execute()
    {
        foreach (var item in Files)
        {
            var path = item.GetMetadata("FullPath");
            try
            {
                switch (ElfVersionNeedPatcher.MarkWeak(path, VersionName))
                {
                    case VersionNeedPatchOutcome.Patched:
                        Log.LogMessage(MessageImportance.Normal, "Marked the {0} version requirement weak in {1}.", VersionName, path);
                        break;
                    case VersionNeedPatchOutcome.AlreadyWeak:
                        Log.LogMessage(MessageImportance.Low, "The {0} version requirement is already weak in {1}; nothing to change.", VersionName, path);
                        break;
                    default:
                        Log.LogMessage(MessageImportance.Low, "{0} does not require {1}; nothing to change.", path, VersionName);
                        break;
                }
            }
            catch (Exception exception) when (exception is InvalidDataException || exception is IOException || exception is UnauthorizedAccessException)
            {
                Log.LogError(
                    null, "AUTODLELF", null, path, 0, 0, 0, 0,
                    "Cannot mark the {0} version requirement weak: {1}", VersionName, exception.Message);
            }
        }

        return !Log.HasLoggedErrors;
    }
}
#endif
