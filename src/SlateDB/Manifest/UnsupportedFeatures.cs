namespace SlateDB.Manifest;

/// <summary>
/// Manifest features this port cannot serve yet, refused when a writer or compactor opens the database rather than
/// served wrongly: segments or a segment extractor (manifest version 2, RFC-0024; reads and flushes use only the
/// unsegmented tree), and, for callers that do not check it themselves, a separate WAL object store
/// (<c>wal_object_store_uri</c>, RFC-0009). A writer checks its WAL store with <c>WalStoreCheck</c>; the compactor
/// never touches the WAL.
/// </summary>
internal static class UnsupportedFeatures
{
    /// <summary>Throws when <paramref name="manifest"/> of the database at <paramref name="path"/> uses a feature this port lacks.</summary>
    /// <exception cref="SlateDbException">Invalid: the database uses segments or a separate WAL object store.</exception>
    /// <param name="manifest">The manifest read.</param>
    /// <param name="path">The database's path, for the message.</param>
    /// <param name="walStoreConfigured">True where a separate WAL store is not a problem: the caller checks it itself (a writer) or never touches the WAL (the compactor).</param>
    public static void ThrowIfUsed(DbManifest manifest, string path, bool walStoreConfigured = false)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        var core = manifest.Core;
        if (core.Segments.Count > 0 || core.SegmentExtractorName is not null)
        {
            var extractor = core.SegmentExtractorName is { } name ? $" (segment extractor '{name}')" : string.Empty;
            throw new SlateDbException(
                SlateDbErrorKind.Invalid,
                $"The database at '{path}' is segmented: its manifest has {core.Segments.Count} segment(s){extractor}. Segmented databases (RFC-0024) are not supported yet.");
        }

        if (core.WalObjectStoreUri is { } local && !walStoreConfigured && Wal.LocalDisk.LocalDiskWal.IsLocalWalUri(local))
        {
            throw new SlateDbException(
                SlateDbErrorKind.Invalid,
                $"The database at '{path}' keeps its WAL on its writer's local disk ('{local}'): only the writer (SlateDbBuilder.WithLocalWal) opens it.");
        }

        if (core.WalObjectStoreUri is { } uri && !walStoreConfigured)
        {
            throw new SlateDbException(
                SlateDbErrorKind.Invalid,
                $"The database at '{path}' keeps its WAL in a separate object store ('{uri}'). A separate WAL object store is not supported yet.");
        }
    }
}
