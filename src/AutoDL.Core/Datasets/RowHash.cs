using System.Numerics;
using System.Runtime.InteropServices;

namespace AutoDL.Core.Datasets;

/// <summary>
/// A fast 64-bit hash of a row's values, appended one at a time (xxHash64's round and final avalanche, one lane; each
/// value's length goes in too, so values cannot run into each other): equal rows hash equal, and two different rows
/// share a hash with odds of about 2^-64, so counting distinct hashes counts distinct rows.
/// </summary>
internal struct RowHash
{
    private const ulong Prime1 = 0x9E3779B185EBCA87;
    private const ulong Prime2 = 0xC2B2AE3D27D4EB4F;
    private const ulong Prime3 = 0x165667B19E3779F9;
    private const ulong Prime4 = 0x85EBCA77C2B2AE63;
    private const ulong Prime5 = 0x27D4EB2F165667C5;

    private ulong _state;

    public RowHash() => _state = Prime5;

    public readonly ulong Value
    {
        get
        {
            var hash = _state;
            hash ^= hash >> 33;
            hash *= Prime2;
            hash ^= hash >> 29;
            hash *= Prime3;
            hash ^= hash >> 32;
            return hash;
        }
    }

    public void Append(ReadOnlySpan<char> value)
    {
        var words = MemoryMarshal.Cast<char, ulong>(value);
        foreach (var word in words)
        {
            Round(word);
        }

        // The last 0-3 characters and the length, in one word.
        ulong last = (ulong)value.Length << 48;
        var tail = value[(words.Length * 4)..];
        for (var i = 0; i < tail.Length; i++)
        {
            last |= (ulong)tail[i] << (16 * i);
        }

        Round(last);
    }

    private void Round(ulong word) =>
        _state = BitOperations.RotateLeft(_state ^ (BitOperations.RotateLeft(word * Prime2, 31) * Prime1), 27) * Prime1 + Prime4;
}
