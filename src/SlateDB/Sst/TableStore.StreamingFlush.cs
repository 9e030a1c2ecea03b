using SlateDB.Common;
using SlateDB.Storage;

namespace SlateDB.Sst;

/// <summary>L0 SSTs (memtable flushes) written to the store while they are built (<see cref="IStreamingPut"/>).</summary>
internal sealed partial class TableStore
{
    /// <summary>
    /// A builder for the L0 SST <paramref name="id"/> of a memtable flush of <paramref name="table"/>. Where the store takes streaming puts (the
    /// local and in-memory stores, also under the database's decorators; not through a disk cache), the put starts
    /// now and the builder writes its data blocks out every <see cref="SstBuilder.StreamChunkBytes"/>, so the SST is
    /// never held whole in memory; the bytes are the same either way. With warm on write, the builder keeps copies
    /// of the first data blocks (up to <see cref="SlateDbOptions.FlushWarmCapBytes"/> as it stands now), which
    /// <see cref="WriteCompactedAsync(Ulid, SstBuilder, SstWriteSource, CancellationToken)"/> puts into the cache
    /// only after the object is published; where the table itself can stand for the SST in the cache
    /// (<see cref="RetainedMemtable.CanKeep"/>), the builder carries it instead and copies no block. Otherwise an ordinary builder, built whole and warmed from its buffer.
    /// A builder that is not written must be ended with <see cref="Abandon"/> (nothing becomes visible either way).
    /// </summary>
    public SstBuilder NewFlushBuilder(Ulid id, Memtable.KvTable table)
    {
        var builder = NewCompactedBuilder(id, _settings, table.EstimatedSize);
        var warmCap = options.FlushWarmCapBytes(cache);
        if (KeepsMemtables && RetainedMemtable.CanKeep(table, warmCap))
        {
            builder.RetainedTable = table;
        }
        else if (builder.Sink is not null && warmCap > 0)
        {
            builder.BlockCopies = new DataBlockCopies(warmCap);
        }

        return builder;
    }
}
