using SlateDB.Format;
using SlateDB.Manifest;
using SlateDB.Sst;
using SlateDB.Storage;

namespace SlateDB.Wal;

/// <summary>
/// The WAL as SlateDB 0.12.1 keeps it in the object store: one SST of the WAL kind per flush at
/// <c>wal/&lt;20-digit id&gt;.sst</c>, each written create-if-absent so that an id taken by another writer fences this
/// one. A fence is an empty SST of the compacted kind (as 0.12.1 writes it); a zero-byte object is a fence written by
/// a newer SlateDB and reads as an object with no rows.
/// </summary>
internal sealed class ObjectStoreWal(IObjectStore store, DbPaths paths, SstBuildSettings settings, string? manifestUri = null) : IWal
{
    /// <inheritdoc/>
    public string? ManifestUri => manifestUri;

    /// <summary>
    /// The pool a writer's WAL objects are built in (<see cref="SstBuildSettings.Buffers"/>): one WAL write runs at a
    /// time, so two idle buffers are kept, at most an eighth of <see cref="SlateDbOptions.MemoryBudgetBytes"/> (at
    /// least 2 MiB) when a budget is set, 32 MiB without one. Objects under 1 MiB are built in plain arrays; it is the
    /// larger ones (a fast writer's, or a buffer that grew while a write was slow) that would otherwise each leave a
    /// large-object-heap array for a full GC.
    /// </summary>
    public static SstBufferPool BufferPoolFor(SlateDbOptions options) => new(
        maxBuffers: 2,
        maxPooledBytes: options.MemoryBudgetBytes is { } budget ? Math.Max(budget / 8, 2L * 1024 * 1024) : 32L * 1024 * 1024);

    /// <inheritdoc/>
    public ValueTask AcquireAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <inheritdoc/>
    public ValueTask<bool?> IsFenceAsync(WalObjectInfo info, CancellationToken cancellationToken)
        => GarbageCollection.WalGarbage.IsFenceAsync(store, new ObjectMetadata(paths.WalSstPath(info.Id), info.Size, info.LastModified, null), cancellationToken);

    /// <inheritdoc/>
    public async Task<long?> TryWriteAsync(ulong walId, IReadOnlyList<RowEntry> rows, long estimatedSize, CancellationToken cancellationToken)
    {
        var builder = new SstBuilder(settings, SstKind.Wal, estimatedSize);
        foreach (var row in rows)
        {
            builder.Add(row);
        }

        var sst = builder.Finish();
        var result = await store.PutAsync(paths.WalSstPath(walId), sst.Bytes, PutMode.Create, cancellationToken).ConfigureAwait(false);
        var size = sst.Bytes.Length;

        // The put returned: the store no longer reads the bytes (a failed put throws past this and leaves the buffer to the GC).
        sst.Release();
        return result.IsWritten ? size : null;
    }

    /// <inheritdoc/>
    /// <remarks>
    /// Written as SlateDB 0.12.1 writes it: it flushes an empty memtable there, so the object is an empty SST of the
    /// compacted kind (no blocks, statistics of zero rows).
    /// </remarks>
    public async Task<bool> TryWriteFenceAsync(ulong walId, CancellationToken cancellationToken)
    {
        var fence = new SstBuilder(settings, SstKind.Compacted).Finish();
        var result = await store.PutAsync(paths.WalSstPath(walId), fence.Bytes, PutMode.Create, cancellationToken).ConfigureAwait(false);
        return result.IsWritten;
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<WalObjectInfo>> ListAsync(CancellationToken cancellationToken)
    {
        var objects = new List<WalObjectInfo>();
        await foreach (var item in store.ListAsync(paths.WalDirectory, cancellationToken).ConfigureAwait(false))
        {
            if (paths.TryParseSstId(item.Path, out var id) && id.IsWal)
            {
                objects.Add(new WalObjectInfo(id.WalId, item.Size, item.LastModified));
            }
        }

        objects.Sort((a, b) => a.Id.CompareTo(b.Id));
        return objects;
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<RowEntry>?> ReadAsync(ulong walId, CancellationToken cancellationToken)
    {
        var path = paths.WalSstPath(walId);
        var content = await store.GetAsync(path, cancellationToken).ConfigureAwait(false);
        if (content is null)
        {
            return null;
        }

        // A zero-byte object is a fence written by newer SlateDB versions.
        return content.Data.IsEmpty ? [] : SstFile.Open(content.Data, path).ReadAllRows(content.Data);
    }

    /// <inheritdoc/>
    public Task<ulong?> MaxSeqAsync(WalObjectInfo wal, CancellationToken cancellationToken) => WalMaxSeq.ReadAsync(store, paths.WalSstPath(wal.Id), wal, cancellationToken);

    /// <inheritdoc/>
    public async Task<WalObjectInfo?> StatAsync(ulong walId, CancellationToken cancellationToken)
    {
        var head = await store.HeadAsync(paths.WalSstPath(walId), cancellationToken).ConfigureAwait(false);
        return head is null ? null : new WalObjectInfo(walId, head.Size, head.LastModified);
    }

    /// <inheritdoc/>
    public string LocationOf(ulong walId) => paths.WalSstPath(walId);

    /// <inheritdoc/>
    public ValueTask DeleteAsync(ulong walId, CancellationToken cancellationToken) => store.DeleteAsync(paths.WalSstPath(walId), cancellationToken);
}
