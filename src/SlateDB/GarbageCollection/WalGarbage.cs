namespace SlateDB.GarbageCollection;

/// <summary>
/// Chooses obsolete WAL objects. A WAL object <c>w</c> is obsolete when all of these hold:
/// <list type="bullet">
/// <item><c>w</c> is below the replay point (<c>replay_after_wal_id</c>) of the newest manifest and of every manifest
/// superseded less than the minimum age ago: its rows are in L0 for the writer and for any reader still using such a
/// manifest, and recovery starts after the replay point. The replay point itself and everything newer (the live WAL
/// tail and the newest fence) are always kept;</item>
/// <item>no unexpired checkpoint's manifest needs it: a checkpoint replays <c>(replay_after_wal_id,
/// next_wal_sst_id]</c> of its manifest;</item>
/// <item>it was written more than the minimum age ago (by the store's clock).</item>
/// </list>
/// Fences (empty WAL SSTs and zero-byte objects) follow the same rule: below the replay point no writer can be
/// writing into their slots any more unless it stalled for longer than the minimum age (SlateDB 0.12.1 collects them
/// the same way).
/// </summary>
internal static class WalGarbage
{
    /// <summary>The obsolete WAL ids, ascending.</summary>
    public static async Task<List<ulong>> FindAsync(GcEnvironment env, GarbageCollectorDirectoryOptions options, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var manifests = await env.History.ReadReferencingAsync(now, options.MinAge, cancellationToken).ConfigureAwait(false);
        var replayFloor = manifests.Current.Min(manifest => manifest.Core.ReplayAfterWalId);
        var pinned = manifests.Checkpointed.Select(manifest => (manifest.Core.ReplayAfterWalId, manifest.Core.NextWalSstId)).ToList();
        var obsolete = new List<ulong>();
        await foreach (var item in env.Store.ListAsync(env.Paths.WalDirectory, cancellationToken).ConfigureAwait(false))
        {
            if (env.Paths.TryParseSstId(item.Path, out var id) && id.IsWal
                && IsObsolete(id.WalId, now - item.LastModified, replayFloor, pinned, options.MinAge))
            {
                obsolete.Add(id.WalId);
            }
        }

        obsolete.Sort();
        return obsolete;
    }

    /// <summary>The rule above for one WAL object of age <paramref name="age"/>.</summary>
    public static bool IsObsolete(ulong walId, TimeSpan age, ulong replayFloor, IReadOnlyList<(ulong ReplayAfter, ulong NextWal)> pinned, TimeSpan minAge)
        => walId < replayFloor
            && age > minAge
            && !pinned.Any(range => walId > range.ReplayAfter && walId <= range.NextWal);
}
