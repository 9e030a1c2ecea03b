using SlateDB.Common;
using SlateDB.Format;
using SlateDB.Manifest;
using SlateDB.Storage;

namespace SlateDB.Sst;

/// <summary>Compacted SSTs written to the store while they are built (<see cref="IStreamingPut"/>).</summary>
internal sealed partial class TableStore
{
    /// <summary>
    /// A builder for compacted SST <paramref name="id"/>. Where the store takes streaming puts (the local and in-memory
    /// stores, also under the database's decorators), the put starts now and the builder writes its data blocks to it as they are finished, so the SST is
    /// never held whole in memory and its bytes reach the file while still in the CPU's cache;
    /// <see cref="WriteCompactedAsync(Ulid, SstBuilder, CancellationToken)"/> then writes the rest and publishes it
    /// atomically (create-if-absent). Otherwise an ordinary builder. A streaming builder that is abandoned must be
    /// ended with <see cref="Abandon"/> (nothing becomes visible either way).
    /// </summary>
    public SstBuilder NewCompactedBuilder(Ulid id, SstBuildSettings build, long expectedSize)
    {
        var sink = store is IStreamingPut streaming ? streaming.TryStartPut(paths.CompactedSstPath(id)) : null;
        return new SstBuilder(build, SstKind.Compacted, expectedSize, sink);
    }

    /// <summary>Ends the put a streaming builder started, leaving nothing behind (no-op for an ordinary builder).</summary>
    public static void Abandon(SstBuilder builder) => builder.Sink?.Dispose();

    /// <summary>Finishes a streaming builder: writes what it holds, then publishes the object (create-if-absent).</summary>
    private async Task<SsTableHandle> CommitStreamedAsync(Ulid id, SstBuilder builder, IStreamingObjectWriter sink, SstWriteSource source, CancellationToken cancellationToken)
    {
        using (sink)
        {
            var path = paths.CompactedSstPath(id);
            var sst = builder.Finish();
            sink.Write(sst.Bytes.Span);

            // The sync and publish block on the disk: off the builder's thread, as a put's are.
            var result = await Task.Run(() => sink.CommitAsync(PutMode.Create, cancellationToken).AsTask(), cancellationToken).ConfigureAwait(false);
            var handle = Published(id, sst, result);
            if (cache is not null)
            {
                // Data blocks only now that the object is published: a failed flush leaves no block of it in the cache.
                var opened = SstFile.OpenTail(sst.Bytes, sst.Offset, path);
                var copies = source == SstWriteSource.Flush ? builder.BlockCopies : null;
                CacheWritten(handle, opened, copies is null ? null : i => copies.StoredBlock(opened, i), source == SstWriteSource.Flush ? builder.RetainedTable : null);
            }

            sst.Release();
            return handle;
        }
    }
}
