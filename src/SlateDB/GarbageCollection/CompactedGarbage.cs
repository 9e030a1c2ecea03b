using SlateDB.Common;
using SlateDB.Manifest;
using SlateDB.Manifest.Codec;

namespace SlateDB.GarbageCollection;

/// <summary>
/// Chooses obsolete compacted SSTs (L0 and sorted runs). An SST is obsolete when
/// <list type="bullet">
/// <item>no manifest a reader may be using references it: the newest, every one superseded less than the minimum
/// age ago, and every unexpired checkpoint's manifest (all trees and segments, L0 and sorted runs); nor does an
/// unfinished compaction list it as output; and</item>
/// <item>the time in its ULID is before the cutoff, the earliest of: now minus the minimum age; the ULID time of the
/// oldest unfinished compaction in the newest <c>.compactions</c> (its outputs are written before the manifest names
/// them); the ULID time of the newest L0 SST of the newest manifest, or of the last compacted L0 when L0 is empty
/// (the writer uploads an L0 SST before naming it in the manifest, and its ULIDs only grow). With no L0 information
/// at all the cutoff is the Unix epoch: nothing is deleted.</item>
/// </list>
/// The compactor's state is read before the manifests: the compactor commits a finished compaction to the manifest
/// before marking it finished, so a compaction seen finished has its output in the manifest read afterwards.
/// </summary>
internal static class CompactedGarbage
{
    /// <summary>The obsolete SST ids, ascending.</summary>
    public static async Task<List<Ulid>> FindAsync(GcEnvironment env, GarbageCollectorDirectoryOptions options, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var unfinished = await ReadUnfinishedCompactionsAsync(env, cancellationToken).ConfigureAwait(false);
        var manifests = await env.History.ReadReferencingAsync(now, options.MinAge, cancellationToken).ConfigureAwait(false);
        var referenced = new HashSet<Ulid>();
        foreach (var manifest in manifests.Current.Concat(manifests.Checkpointed))
        {
            foreach (var view in manifest.Core.Trees.SelectMany(tree => tree.AllViews))
            {
                AddCompacted(referenced, view.Sst);
            }
        }

        foreach (var compaction in unfinished)
        {
            foreach (var sst in compaction.OutputSsts.Concat(compaction.Context?.Subcompactions.SelectMany(sub => sub.OutputSsts) ?? []))
            {
                AddCompacted(referenced, sst);
            }
        }

        var minAgeMs = (now - options.MinAge).ToUnixTimeMilliseconds();
        long? compactionMs = unfinished.Count == 0 ? null : unfinished.Min(compaction => (long)compaction.Id.TimestampMs);
        var newestL0Ms = NewestL0Ms(manifests.Current[0].Core);
        var cutoffMs = Math.Min(Math.Min(minAgeMs, compactionMs ?? long.MaxValue), newestL0Ms);
        GcLog.CompactedCutoff(env.Logger, cutoffMs, minAgeMs, compactionMs, newestL0Ms);

        var obsolete = new List<Ulid>();
        await foreach (var item in env.Store.ListAsync(env.Paths.CompactedDirectory, cancellationToken).ConfigureAwait(false))
        {
            if (env.Paths.TryParseSstId(item.Path, out var id) && !id.IsWal
                && (long)id.CompactedId.TimestampMs < cutoffMs
                && !referenced.Contains(id.CompactedId))
            {
                obsolete.Add(id.CompactedId);
            }
        }

        obsolete.Sort();
        return obsolete;
    }

    /// <summary>
    /// The ULID time (Unix ms) of the newest L0 SST over the trees of <paramref name="core"/>; for a tree with an empty
    /// L0, of its last compacted L0; 0 (the epoch) when no tree has either.
    /// </summary>
    public static long NewestL0Ms(ManifestCore core)
    {
        long newest = 0;
        foreach (var tree in core.Trees)
        {
            long? treeNewest = null;
            if (tree.L0.Count > 0)
            {
                foreach (var view in tree.L0.Where(view => !view.Sst.Id.IsWal))
                {
                    treeNewest = Math.Max(treeNewest ?? 0, (long)view.Sst.Id.CompactedId.TimestampMs);
                }
            }
            else if ((tree.LastCompactedL0SstViewId ?? tree.LastCompactedL0SstId) is { } lastCompacted)
            {
                treeNewest = (long)lastCompacted.TimestampMs;
            }

            newest = Math.Max(newest, treeNewest ?? 0);
        }

        return newest;
    }

    /// <summary>Compactions of the newest <c>.compactions</c> that are neither completed nor failed (none when there is no file).</summary>
    private static async Task<List<CompactionRecord>> ReadUnfinishedCompactionsAsync(GcEnvironment env, CancellationToken cancellationToken)
    {
        var latest = await env.Compactions.ReadLatestAsync(cancellationToken).ConfigureAwait(false);
        if (latest is not { } found)
        {
            return [];
        }

        var state = CompactionsCodec.Decode(found.Bytes, env.Compactions.PathOf(found.Id));
        return state.Compactions.Where(c => c.Status is not (CompactionStatus.Completed or CompactionStatus.Failed)).ToList();
    }

    private static void AddCompacted(HashSet<Ulid> referenced, SsTableHandle sst)
    {
        if (!sst.Id.IsWal)
        {
            referenced.Add(sst.Id.CompactedId);
        }
    }
}
