using SlateDB.Storage;
using SlateDB.Wal;

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
/// <item>no unexpired change-feed consumer checkpoint (<c>changefeed:&lt;consumer&gt;@&lt;id&gt;</c>) holds it: such a
/// checkpoint keeps every WAL object from its id on;</item>
/// <item>it was written more than the minimum age ago (by the store's clock).</item>
/// </list>
/// <para>Obsolete objects are split in two kinds with their own tasks, as in SlateDB 0.14 and later: WAL SSTs holding
/// rows (the WAL task) and fences (the WAL fence task, dry-run by default). A fence is a zero-byte object (what newer
/// SlateDB writes) or an SST without rows (what SlateDB 0.12.1 and this library write). A fence must outlive any
/// writer that may still try to write its slot: a writer that stalled for longer than the minimum age would otherwise
/// find the slot free, write it, and have a write acknowledged as durable that recovery never replays (it lies below
/// the replay point). Only objects of at most <see cref="FenceProbeMaxSize"/> bytes can be row-less SSTs, so only those
/// are read to tell; an object that cannot be read as an SST counts as a fence (the safe side: the WAL task keeps
/// it).</para>
/// </summary>
internal static class WalGarbage
{
    /// <summary>The largest object that is read to see whether it is a row-less SST (<see cref="WalFences.MaxSize"/>).</summary>
    internal const long FenceProbeMaxSize = WalFences.MaxSize;

    private const int ProbeConcurrency = 8;

    /// <summary>The obsolete WAL ids of one kind (fences when <paramref name="fences"/>, WAL SSTs with rows otherwise), ascending.</summary>
    public static async Task<List<ulong>> FindAsync(GcEnvironment env, GarbageCollectorDirectoryOptions options, bool fences, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var manifests = await env.History.ReadReferencingAsync(now, options.MinAge, cancellationToken).ConfigureAwait(false);
        var replayFloor = manifests.Current.Min(manifest => manifest.Core.ReplayAfterWalId);
        var pinned = manifests.Checkpointed.Select(manifest => (manifest.Core.ReplayAfterWalId, manifest.Core.NextWalSstId)).ToList();
        var consumerFloor = Feed.ChangeFeedCheckpoints.Floor(manifests.Current, now);
        var obsolete = new List<WalObjectInfo>();
        foreach (var item in await env.Wal.ListAsync(cancellationToken).ConfigureAwait(false))
        {
            if (item.Id < consumerFloor && IsObsolete(item.Id, now - item.LastModified, replayFloor, pinned, options.MinAge))
            {
                obsolete.Add(item);
            }
        }

        var chosen = new List<ulong>();
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = ProbeConcurrency, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(obsolete, parallel, async (candidate, token) =>
        {
            if (await env.Wal.IsFenceAsync(candidate, token).ConfigureAwait(false) == fences)
            {
                lock (chosen)
                {
                    chosen.Add(candidate.Id);
                }
            }
        }).ConfigureAwait(false);
        chosen.Sort();
        return chosen;
    }

    /// <summary>The rule above for one WAL object of age <paramref name="age"/>.</summary>
    public static bool IsObsolete(ulong walId, TimeSpan age, ulong replayFloor, IReadOnlyList<(ulong ReplayAfter, ulong NextWal)> pinned, TimeSpan minAge)
        => walId < replayFloor
            && age > minAge
            && !pinned.Any(range => walId > range.ReplayAfter && walId <= range.NextWal);

    /// <summary>
    /// Whether the WAL object <paramref name="item"/> is a fence; null when it vanished meanwhile (nothing to collect).
    /// </summary>
    internal static async ValueTask<bool?> IsFenceAsync(IObjectStore store, ObjectMetadata item, CancellationToken cancellationToken)
    {
        if (item.Size == 0)
        {
            return true;
        }

        if (item.Size > FenceProbeMaxSize)
        {
            return false;
        }

        var content = await store.GetAsync(item.Path, cancellationToken).ConfigureAwait(false);
        if (content is null)
        {
            return null;
        }

        // An object that is not readable as an SST counts as a fence: the WAL task then leaves it alone.
        return WalFences.Classify(content.Data, item.Path) ?? true;
    }
}
