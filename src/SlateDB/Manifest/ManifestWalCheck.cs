namespace SlateDB.Manifest;

/// <summary>
/// Checks a manifest's WAL fields against the WAL objects in the store when a writer opens the database, before
/// they steer WAL replay. Two facts hold for every database: the WAL objects a writer marked flushed
/// (<c>replay_after_wal_id</c> and below) hold only rows already in L0 and below (at or below
/// <c>last_l0_seq</c>); and the WAL the manifest names as the last one written (<c>wal_id_last_seen</c>) is at most a
/// few ids past the newest WAL object (uploads may be in flight when a flush writes the manifest). Damage to these
/// fields would otherwise skip unflushed WAL rows or make replay probe billions of missing ids.
/// </summary>
internal static class ManifestWalCheck
{
    /// <summary>How far the manifest's last written WAL id may run ahead of the newest WAL object.</summary>
    public const ulong MaxWalIdsInFlight = 1024;

    /// <summary>Checks <paramref name="core"/> (of manifest object <paramref name="manifestName"/>) against the WAL ids listed.</summary>
    /// <exception cref="SlateDbException">Data: the manifest contradicts the WAL objects.</exception>
    public static async Task CheckAsync(
        ManifestCore core,
        IReadOnlyList<Wal.WalObjectInfo> listed,
        Func<Wal.WalObjectInfo, CancellationToken, Task<ulong?>> maxSeqOf,
        string manifestName,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(core);
        ArgumentNullException.ThrowIfNull(listed);
        ArgumentNullException.ThrowIfNull(maxSeqOf);
        var lastWritten = core.NextWalSstId - 1;
        var newestObject = listed.Count > 0 ? listed[^1].Id : 0;
        var newestKnown = Math.Max(newestObject, core.ReplayAfterWalId);
        if (lastWritten > newestKnown && lastWritten - newestKnown > MaxWalIdsInFlight)
        {
            throw SlateDbException.Corrupt(
                manifestName,
                $"the manifest says WAL {lastWritten} was written, but the newest WAL object is {newestObject} and WAL objects up to {core.ReplayAfterWalId} are flushed.");
        }

        // The newest WAL object with rows at or below replay_after_wal_id: all its rows are flushed.
        for (var i = listed.Count - 1; i >= 0; i--)
        {
            if (listed[i].Id > core.ReplayAfterWalId)
            {
                continue;
            }

            // Only the object's highest sequence number is needed, not its rows (WalMaxSeq reads it in pieces).
            if (await maxSeqOf(listed[i], cancellationToken).ConfigureAwait(false) is not { } newestSeq)
            {
                continue;
            }

            if (newestSeq > core.LastL0Seq)
            {
                throw SlateDbException.Corrupt(
                    manifestName,
                    $"the manifest marks WAL {listed[i].Id} flushed (replay_after_wal_id {core.ReplayAfterWalId}), but it holds sequence number {newestSeq}, above last_l0_seq {core.LastL0Seq}.");
            }

            return;
        }
    }
}
