using SlateDB.Manifest.Codec;
using SlateDB.Storage;

namespace SlateDB.Manifest;

/// <summary>Reads and writes manifest versions (<c>manifest/&lt;id&gt;.manifest</c>) through the manifest codec.</summary>
internal sealed class ManifestStore(IObjectStore store, DbPaths paths)
{
    private readonly VersionedObjectStore _versions = new(store, paths.ManifestDirectory.TrimEnd('/'), "manifest", paths.GcBoundaryPath(DbPaths.ManifestFolder));

    public VersionedObjectStore Versions => _versions;

    /// <summary>The database's root path.</summary>
    public string Root => paths.Root;

    /// <summary>The newest manifest, or null for a database that does not exist yet.</summary>
    public async Task<(ulong Id, DbManifest Manifest)?> ReadLatestAsync(CancellationToken cancellationToken)
    {
        var latest = await _versions.ReadLatestAsync(cancellationToken).ConfigureAwait(false);
        return latest is { } found ? (found.Id, Decode(found.Id, found.Bytes)) : null;
    }

    /// <summary>Reads version <paramref name="id"/> and any newer ones; the newest read, or null if <paramref name="id"/> is gone.</summary>
    public async Task<(ulong Id, DbManifest Manifest)?> ReadFromAsync(ulong id, CancellationToken cancellationToken)
    {
        var latest = await _versions.ProbeForwardAsync(id, cancellationToken).ConfigureAwait(false);
        return latest is { } found ? (found.Id, Decode(found.Id, found.Bytes)) : null;
    }

    /// <summary>Reads one version; null when it does not exist.</summary>
    public async Task<DbManifest?> ReadAsync(ulong id, CancellationToken cancellationToken)
    {
        var bytes = await _versions.ReadAsync(id, cancellationToken).ConfigureAwait(false);
        return bytes is { } found ? Decode(id, found) : null;
    }

    /// <summary>
    /// Writes version <paramref name="id"/> unless it exists; false when another writer wrote it first or it is at or
    /// below the GC boundary.
    /// </summary>
    public Task<bool> TryWriteAsync(ulong id, DbManifest manifest, CancellationToken cancellationToken)
    {
        paths.AddExternalSsts(manifest.ExternalDbs);
        return _versions.TryCreateAsync(id, ManifestCodec.Encode(manifest), cancellationToken);
    }

    /// <summary>Writes version <paramref name="id"/> unless it exists, and says how that went (see <see cref="CreateOutcome"/>).</summary>
    public Task<CreateOutcome> WriteAsync(ulong id, DbManifest manifest, PutMode mode, CancellationToken cancellationToken)
    {
        paths.AddExternalSsts(manifest.ExternalDbs);
        return _versions.CreateAsync(id, ManifestCodec.Encode(manifest), mode, cancellationToken);
    }

    /// <summary>Decodes and validates version <paramref name="id"/> (see <see cref="ManifestInvariants"/>).</summary>
    private DbManifest Decode(ulong id, ReadOnlyMemory<byte> bytes)
    {
        var path = _versions.PathOf(id);
        var manifest = ManifestCodec.Decode(bytes, path);
        ManifestInvariants.Check(manifest, id, path);
        paths.AddExternalSsts(manifest.ExternalDbs);
        return manifest;
    }
}
