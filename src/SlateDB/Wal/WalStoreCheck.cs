namespace SlateDB.Wal;

/// <summary>
/// The open-time check of a separate WAL store (RFC-0009): the manifest's <c>wal_object_store_uri</c> and the WAL
/// store the caller configured must agree, or the writer would skip the WAL (replaying from an empty folder) or write
/// its fence into a store nobody reads.
/// </summary>
internal static class WalStoreCheck
{
    /// <exception cref="SlateDbException">Invalid: the WAL store is missing, unexpected or another one.</exception>
    public static void ThrowIfMismatched(string? recorded, string? configured, string path)
    {
        if (string.Equals(recorded, configured, StringComparison.Ordinal))
        {
            return;
        }

        var recordedLocal = LocalDisk.LocalDiskWal.IsLocalWalUri(recorded);
        var configuredLocal = LocalDisk.LocalDiskWal.IsLocalWalUri(configured);
        var message = (recorded, configured) switch
        {
            ({ } r, _) when recordedLocal && configuredLocal => $"The database at '{path}' keeps its WAL in the local WAL directory with identity '{r}', but the directory given has identity '{configured}': it is another database's WAL, or a new empty directory in place of the lost one.",
            ({ } r, _) when recordedLocal => $"The database at '{path}' keeps its WAL on a local disk ('{r}'), and no local WAL was given: open it with SlateDbBuilder.WithLocalWal and its WAL directory (its writes not yet in L0 are only there).",
            (_, { } c) when configuredLocal => $"The database at '{path}' keeps its WAL in {(recorded is null ? "its main object store" : "a separate object store")}, but a local WAL was given ('{c}'): its WAL would be skipped.",
            ({ } r, null) => $"The database at '{path}' keeps its WAL in a separate object store{Named(r)}, and none was given: open it with SlateDbBuilder.WithWalObjectStore.",
            (null, { } c) => $"The database at '{path}' keeps its WAL in its main object store, but a separate WAL store{Named(c)} was given: its WAL would be skipped.",
            _ => $"The database at '{path}' keeps its WAL in the object store{Named(recorded!)}, but another one{Named(configured!)} was given.",
        };
        throw new SlateDbException(SlateDbErrorKind.Invalid, message);
    }

    private static string Named(string uri) => uri.Length == 0 ? " (recorded without a name, as SlateDB records it)" : $" '{uri}'";
}
