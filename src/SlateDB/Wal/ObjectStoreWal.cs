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
        return result.IsWritten ? sst.Bytes.Length : null;
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
