using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using SlateDB.Format.Rows;

namespace SlateDB.Format.Blocks;

/// <summary>How a point search in one block ended.</summary>
internal enum PointSearchOutcome
{
    /// <summary>A version of the key visible at the sequence bound was found.</summary>
    Found,

    /// <summary>The block holds a larger key after every version of the key it has: no later block can hold one.</summary>
    Absent,

    /// <summary>The block ended without passing the key: its versions may go on in the next block.</summary>
    NotPassed,
}

/// <summary>
/// Point lookups inside one decoded block without an iterator: a binary search over the restart points, then a walk
/// that compares each row's key in place (prefix from the previous key, suffix from the block), skips the rows before
/// the key without decoding them, and decodes only the row it returns. Allocation-free for keys up to 256 bytes.
/// </summary>
internal static class BlockPointSearch
{
    private const int StackKeyBytes = 256;

    /// <summary>
    /// Finds the newest version of <paramref name="key"/> with sequence at most <paramref name="maxSeq"/>. The found
    /// row's key is <paramref name="key"/> itself (the bytes are equal); its value is a slice of the block.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static PointSearchOutcome Find(Block block, ReadOnlyMemory<byte> key, ulong maxSeq, out RowEntry row)
    {
        if (block.Version == BlockFormatVersion.V1)
        {
            return FindWithIterator(block, key, maxSeq, out row);
        }

        var span = key.Span;
        var start = FirstRegion(block, span);
        byte[]? rented = null;
        Span<byte> current = span.Length <= StackKeyBytes ? stackalloc byte[StackKeyBytes] : (rented = ArrayPool<byte>.Shared.Rent(span.Length * 2));
        try
        {
            for (var region = start; region < block.OffsetCount; region++)
            {
                var outcome = SearchRegion(block, region, key, maxSeq, ref current, ref rented, out row);
                if (outcome != PointSearchOutcome.NotPassed)
                {
                    return outcome;
                }
            }
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }

        row = default;
        return PointSearchOutcome.NotPassed;
    }

    /// <summary>The region before the first restart whose key is at least <paramref name="key"/> (newer versions of the key may end it).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int FirstRegion(Block block, ReadOnlySpan<byte> key)
    {
        int low = 0, high = block.OffsetCount;
        while (low < high)
        {
            var mid = low + ((high - low) / 2);
            if (block.RestartKeyV2(mid).SequenceCompareTo(key) < 0)
            {
                low = mid + 1;
            }
            else
            {
                high = mid;
            }
        }

        return Math.Max(low - 1, 0);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static PointSearchOutcome SearchRegion(Block block, int region, ReadOnlyMemory<byte> key, ulong maxSeq, ref Span<byte> current, ref byte[]? rented, out RowEntry row)
    {
        var objectName = block.ObjectName;
        var end = block.EndOfOffset(region);
        var source = block.Data[..end];
        var span = source.Span;
        var position = block.OffsetAt(region);
        var target = key.Span;
        var currentLength = 0;
        var first = true;
        while (position < end)
        {
            // Rows the search passes over are only skipped (key parts and checks); the row with the key is decoded whole.
            var rowStart = position;
            RowCodecV2.SkipRow(span, ref position, objectName, out var sharedLength, out var suffixStart, out var suffixLength);
            if (first ? sharedLength != 0 : sharedLength > (uint)currentLength)
            {
                ThrowBadShared(objectName, first, region, sharedLength, currentLength);
            }

            var shared = (int)sharedLength;
            var suffix = span.Slice(suffixStart, suffixLength);
            var order = BlockIterator.CompareSplitKey(current[..shared], suffix, target);
            if (order > 0)
            {
                row = default;
                return PointSearchOutcome.Absent;
            }

            if (order == 0)
            {
                var decoded = RowCodecV2.Decode(source, ref rowStart, objectName);
                if (decoded.Seq <= maxSeq)
                {
                    row = decoded.ToRowEntry(key);
                    return PointSearchOutcome.Found;
                }
            }

            // Keep the full key for the next row's prefix.
            var length = shared + suffix.Length;
            if (length > current.Length)
            {
                var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(length, current.Length * 2));
                current[..shared].CopyTo(bigger);
                if (rented is not null)
                {
                    ArrayPool<byte>.Shared.Return(rented);
                }

                rented = bigger;
                current = bigger;
            }

            suffix.CopyTo(current[shared..]);
            currentLength = length;
            first = false;
        }

        row = default;
        return PointSearchOutcome.NotPassed;
    }

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowBadShared(string objectName, bool first, int region, uint sharedLength, int currentLength) =>
        Corruption.Throw(objectName, first
            ? $"the row at restart point {region} shares {sharedLength} key bytes; it must share none"
            : $"row shares {sharedLength} key bytes with a previous key of only {currentLength} bytes");

    private static PointSearchOutcome FindWithIterator(Block block, ReadOnlyMemory<byte> key, ulong maxSeq, out RowEntry row)
    {
        var iterator = block.CreateIterator();
        for (iterator.Seek(key.Span); iterator.IsValid; iterator.Next())
        {
            var candidate = iterator.Current;
            var order = candidate.Key.Span.SequenceCompareTo(key.Span);
            if (order > 0)
            {
                row = default;
                return PointSearchOutcome.Absent;
            }

            if (order == 0 && candidate.Seq <= maxSeq)
            {
                row = candidate;
                return PointSearchOutcome.Found;
            }
        }

        row = default;
        return PointSearchOutcome.NotPassed;
    }
}
