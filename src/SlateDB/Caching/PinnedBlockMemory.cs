namespace SlateDB.Caching;

/// <summary>
/// Memory for the bytes of blocks the block cache keeps: on the pinned object heap (never copied by collections of the
/// young generations), in a few sizes only. A cache full of blocks frees them one at a time, in no order, and the heap
/// reuses those holes through a free list that an allocation walks until a hole is large enough: with every block of a
/// length of its own, about half the holes of a block's size are too small for the next one, and a cold pass over data
/// larger than the cache spent a fifth of its time in that walk. Rounded up to a size class, any hole a cached block
/// leaves fits the next block of its class.
/// </summary>
internal static class PinnedBlockMemory
{
    /// <summary>
    /// Bytes past a power of two a class holds: a block the SST builder closed at its 4,096-byte target is stored with a
    /// 4-byte checksum after it, so blocks of a power-of-two size fit the class just above it.
    /// </summary>
    internal const int ClassSlack = 8;

    /// <summary>Lengths above this get arrays of their own length (large reads: warming slabs, whole objects).</summary>
    internal const int MaxClassedLength = (64 * 1024) + ClassSlack;

    /// <summary>The array length a block of <paramref name="length"/> bytes is allocated in.</summary>
    internal static int ClassLength(int length)
    {
        if (length is <= 0 or > MaxClassedLength)
        {
            return Math.Max(length, 0);
        }

        var power = length <= 64 + ClassSlack ? 64 : (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)(length - ClassSlack));
        return power + ClassSlack;
    }

    /// <summary><paramref name="length"/> bytes, uninitialized, in a pinned array of the length's class.</summary>
    public static Memory<byte> Allocate(int length) =>
        length == 0 ? Memory<byte>.Empty : GC.AllocateUninitializedArray<byte>(ClassLength(length), pinned: true).AsMemory(0, length);

    /// <summary>A copy of <paramref name="bytes"/> in memory of its class (<see cref="Allocate"/>).</summary>
    public static Memory<byte> CopyOf(ReadOnlySpan<byte> bytes)
    {
        var copy = Allocate(bytes.Length);
        bytes.CopyTo(copy.Span);
        return copy;
    }
}
