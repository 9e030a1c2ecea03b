using SlateDB.Format.Blocks;
using SlateDB.Iterators;
using SlateDB.Storage;

namespace SlateDB.Sst;

/// <summary>The read-ahead of a merge that reuses its buffers (a compaction's inputs).</summary>
internal sealed partial class TableStore
{
    /// <summary>
    /// Reads <paramref name="count"/> adjacent data blocks from <paramref name="first"/> with one ranged GET, leaving
    /// them stored: they are decoded when the iterator reaches each (<see cref="BlockRun.Take"/>), into buffers rented
    /// from <paramref name="buffers"/>. Where the store reads into a caller's buffer (<see cref="IRangeReadInto"/>),
    /// the read lands in a rented one too. When the cache holds the first block, the blocks are read (and decoded) as
    /// <see cref="ReadBlocksAsync"/> does instead, cached ones from the cache.
    /// </summary>
    public async ValueTask<BlockRun> ReadBlockRunAsync(SstFile sst, int first, int count, bool reversed, BlockBuffers buffers, CancellationToken cancellationToken)
    {
        if (cache is not null && cache.TryGet(BlockKey(sst, first), out var cached) && cached is Block)
        {
            var blocks = await ReadBlocksAsync(sst, first, count, cacheBlocks: false, cancellationToken).ConfigureAwait(false);
            if (reversed)
            {
                Array.Reverse(blocks);
            }

            return BlockRun.Of(blocks);
        }

        var start = sst.BlockRange(first).Offset;
        var range = ByteRange.FromBounds(start, sst.BlockRange(first + count - 1).End);
        if (store is not IRangeReadInto { CanReadInto: true } into)
        {
            var bytes = await SstFile.ReadRangeAsync(store, sst.Path, range, cancellationToken).ConfigureAwait(false);
            return BlockRun.Stored(sst, first, count, reversed, bytes, start, readBuffer: null);
        }

        var length = checked((int)range.Length);
        var buffer = buffers.Rent(length);

        // A failed read leaves its buffer to the GC (never back in the pool).
        var read = await SstFile.ReadRangeIntoAsync(into, sst.Path, range, buffer.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
        if (read >= 0 && read != length)
        {
            buffers.Return(buffer);
        }

        SstFile.CheckRangeRead(sst.Path, range, read);

        return BlockRun.Stored(sst, first, count, reversed, buffer.AsMemory(0, length), start, buffer);
    }
}
