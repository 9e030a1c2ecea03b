using SlateDB.Sst;
using SlateDB.Wal;

namespace SlateDB.Tests.Wal;

/// <summary>Writes a WAL fence (an SST without rows, as the engine's open writes it) through the object-store WAL.</summary>
internal static class WalFenceWriting
{
    public static Task<bool> WriteWalFenceAsync(this TableStore tables, ulong walId, CancellationToken cancellationToken) =>
        new ObjectStoreWal(tables.Store, tables.Paths, tables.Settings).TryWriteFenceAsync(walId, cancellationToken);
}
