using SlateDB.Format;

namespace SlateDB.Wal;

/// <summary>
/// Which WAL objects recovery replays, worked out from one listing of the WAL and checked before anything is read:
/// the ids after the manifest's replay point are dense (every flush writes the next id, and nothing after the replay
/// point is collected), so a missing id there is lost data, never something to skip.
/// </summary>
internal static class WalReplayRange
{
    /// <summary>
    /// How far the manifest's next WAL id (<c>wal_id_last_seen + 1</c>) may be above the last WAL object listed (or
    /// the replay point): the writer records the id of the one WAL write in flight, which a crash may leave unwritten.
    /// </summary>
    private const ulong MaxUnwrittenIds = 1;

    /// <summary>
    /// The last WAL id written that recovery knows of: the last object listed after the replay point, or the replay
    /// point. The fence goes right after it, which takes the slot of the one write a crashed writer may have had in
    /// flight (the manifest may already count it), so the ids stay dense.
    /// </summary>
    /// <param name="listed">The WAL objects listed, ascending by id.</param>
    /// <param name="replayAfter">The manifest's replay point (<c>replay_after_wal_id</c>).</param>
    /// <param name="nextWalSstId">The manifest's next WAL id (<c>wal_id_last_seen + 1</c>).</param>
    /// <exception cref="SlateDbException">
    /// Data: the manifest's replay point or next WAL id is implausibly far above every WAL object listed (a damaged
    /// manifest), or a WAL id between the replay point and the last object listed is missing.
    /// </exception>
    public static ulong LastUsedId(IReadOnlyList<WalObjectInfo> listed, ulong replayAfter, ulong nextWalSstId)
    {
        var lastListed = replayAfter;
        foreach (var wal in listed)
        {
            if (wal.Id <= replayAfter)
            {
                continue;
            }

            if (wal.Id != lastListed + 1)
            {
                throw Missing(lastListed + 1, replayAfter, "it is not in the WAL's listing, but a later WAL object is");
            }

            lastListed = wal.Id;
        }

        // The replay point is a WAL id that was written, and collectors keep it: listed objects all below it (by
        // more than the one in-flight id) mean a damaged manifest that would skip writes. (A clone's WAL may be empty.)
        var maxListed = listed.Count == 0 ? (ulong?)null : listed.Max(wal => wal.Id);
        if (maxListed is { } max && replayAfter > max && replayAfter - max > MaxUnwrittenIds)
        {
            throw new SlateDbException(
                SlateDbErrorKind.Data,
                $"The manifest's replay point is WAL id {replayAfter}, but the WAL's last object is {max}: the manifest is damaged.");
        }

        var lastSeen = nextWalSstId == 0 ? 0 : nextWalSstId - 1;
        if (lastSeen > lastListed && lastSeen - lastListed > MaxUnwrittenIds)
        {
            throw new SlateDbException(
                SlateDbErrorKind.Data,
                $"The manifest says WAL ids up to {lastSeen} were used, but the WAL's last object after the replay point "
                + $"({replayAfter}) is {lastListed}: the manifest is damaged or WAL objects were deleted.");
        }

        return lastListed;
    }

    /// <summary>
    /// Reads WAL object <paramref name="walId"/> for replay: its rows (none for a fence: zero bytes, or an empty SST).
    /// </summary>
    /// <exception cref="SlateDbException">Data: the object is missing (deleted after the listing) or damaged.</exception>
    public static async Task<IReadOnlyList<RowEntry>> ReadAsync(IWalReader reader, ulong walId, ulong replayAfter, CancellationToken cancellationToken)
        => await reader.ReadAsync(walId, cancellationToken).ConfigureAwait(false)
            ?? throw Missing(walId, replayAfter, "it was listed or its id was taken, but it cannot be read");

    private static SlateDbException Missing(ulong walId, ulong replayAfter, string why) => new(
        SlateDbErrorKind.Data,
        $"WAL object {walId} is missing ({why}). Every WAL object after the replay point ({replayAfter}) holds writes "
        + "not yet in L0, so the database does not open without it.");
}
