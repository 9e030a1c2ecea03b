using SlateDB.Common;
using SlateDB.Format;
using SlateDB.Storage;

namespace SlateDB.Sst;

/// <summary>L0 SSTs (memtable flushes) written to the store while they are built (<see cref="IStreamingPut"/>).</summary>
internal sealed partial class TableStore
{
    /// <summary>
    /// A builder for the L0 SST <paramref name="id"/> of a memtable flush. Where the store takes streaming puts (the
    /// local and in-memory stores, also under the database's decorators; not through a disk cache), the put starts
    /// now and the builder writes its data blocks out every <see cref="SstBuilder.StreamChunkBytes"/>, so the SST is
    /// never held whole in memory; the bytes are the same either way. With warm on write, the builder keeps copies
    /// of the first data blocks (up to <see cref="SlateDbOptions.FlushWarmCapBytes"/> as it stands now), which
    /// <see cref="WriteCompactedAsync(Ulid, SstBuilder, SstWriteSource, CancellationToken)"/> puts into the cache
    /// only after the object is published. Otherwise an ordinary builder, built whole and warmed from its buffer.
    /// A builder that is not written must be ended with <see cref="Abandon"/> (nothing becomes visible either way).
    /// </summary>
    public SstBuilder NewFlushBuilder(Ulid id, long expectedSize)
    {
        var sink = store is IStreamingPut streaming ? streaming.TryStartPut(paths.CompactedSstPath(id)) : null;
        if (sink is null)
        {
            return new SstBuilder(_settings, SstKind.Compacted, expectedSize);
        }

        var warmCap = options.FlushWarmCapBytes(cache);
        return new SstBuilder(_settings, SstKind.Compacted, expectedSize, sink)
        {
            BlockCopies = warmCap > 0 ? new DataBlockCopies(warmCap) : null,
        };
    }

    /// <summary>
    /// Puts the copied first data blocks of a just-published SST into the cache, up to <paramref name="capBytes"/> of
    /// charge (the cap as it stands now: another flush may have warmed since the copies were taken), each decoded
    /// from its own copy, as <see cref="WarmDataBlocks"/> does from a whole SST's buffer.
    /// </summary>
    private void WarmCopiedBlocks(SstFile sst, DataBlockCopies copies, long capBytes)
    {
        long warmed = 0;
        var blocks = copies.Blocks;
        for (var i = 0; i < blocks.Count && i < sst.BlockCount; i++)
        {
            var stored = blocks[i];
            var charge = stored.Length + 64L;
            if (warmed + charge > capBytes)
            {
                return;
            }

            if (stored.Length != sst.BlockRange(i).Length)
            {
                // Cannot happen (the copies are the builder's blocks, in order); the SST is published, so it must not fail the flush.
                System.Diagnostics.Debug.Fail($"The copy of data block {i} of '{sst.Path}' is {stored.Length} bytes, the block {sst.BlockRange(i).Length}.");
                return;
            }

            cache!.Set(BlockKey(sst, i), sst.DecodeBlock(stored), charge);
            warmed += charge;
        }
    }
}
