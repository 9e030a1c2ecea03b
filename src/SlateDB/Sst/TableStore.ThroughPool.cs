using System.Buffers;
using SlateDB.Caching;
using SlateDB.Format.Blocks;
using SlateDB.Storage;

namespace SlateDB.Sst;

/// <summary>Large reads that nothing caches (a scan's read-ahead) through a reused buffer.</summary>
internal sealed partial class TableStore
{
    /// <summary>
    /// Reads of at least this many bytes whose blocks the cache will not keep go through a pooled buffer when the store
    /// can read into one. Below it, a read buffer is small enough for the young generation, where it dies cheaply.
    /// </summary>
    internal const int ThroughPoolBytes = 64 * 1024;

    /// <summary>
    /// Reads <paramref name="range"/> (blocks <paramref name="firstMissing"/>..<paramref name="lastMissing"/> of the run
    /// starting at <paramref name="first"/>) into a buffer from the shared pool and decodes the missing blocks out of it:
    /// an uncompressed block is copied into an array of its own, a compressed one is decompressed into one. Before, such
    /// a read went into a new buffer the blocks were decoded in place over: a scan's read-ahead of up to 256 KiB is a
    /// large-object-heap array, and a cold full scan of 1,000,000 rows made about twenty full collections. The pooled
    /// buffer never leaves this method, so rows handed out (slices of their blocks) outlive its next use safely. With a
    /// <paramref name="keepIn"/> cache the blocks are long-lived (pinned-heap copies, as the reads the cache keeps) and
    /// go into it. Returns <paramref name="blocks"/>, filled.
    /// </summary>
    private static async ValueTask<Block[]> ReadMissingThroughPoolAsync(IRangeReadInto into, SstFile sst, int first, Block[] blocks, int firstMissing, int lastMissing, ByteRange range, IBlockCache? keepIn, CancellationToken cancellationToken)
    {
        var longLived = keepIn is not null;
        var length = checked((int)range.Length);
        var buffer = ArrayPool<byte>.Shared.Rent(length);
        // A failed read leaves its buffer to the GC (never back in the pool): a read that threw may still be writing to it.
        var read = await SstFile.ReadRangeIntoAsync(into, sst.Path, range, buffer.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
        try
        {
            SstFile.CheckRangeRead(sst.Path, range, read);

            for (var i = firstMissing; i <= lastMissing; i++)
            {
                if (blocks[i] is not null)
                {
                    continue;
                }

                var blockRange = sst.BlockRange(first + i);
                var stored = buffer.AsMemory((int)(blockRange.Offset - range.Offset), (int)blockRange.Length);
                var block = sst.DecodeBlock(sst.IsCompressed ? stored : OwnCopy(stored.Span, longLived), longLived);
                blocks[i] = block;
                keepIn?.Set(sst.BlockKey(first + i), block, SstFile.CacheCharge(blockRange.Length));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return blocks;
    }

    private static Memory<byte> OwnCopy(ReadOnlySpan<byte> stored, bool longLived)
    {
        if (longLived)
        {
            return Caching.PinnedBlockMemory.CopyOf(stored);
        }

        var copy = GC.AllocateUninitializedArray<byte>(stored.Length);
        stored.CopyTo(copy);
        return copy;
    }
}
