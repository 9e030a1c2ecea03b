using SlateDB.Manifest;

namespace SlateDB.Clones;

/// <summary>
/// The SSTs a clone borrows from the databases it was cloned from (its manifest's <c>external_dbs</c>), as SlateDB's
/// compactor keeps them: once a compaction has rewritten a borrowed SST into the clone's own, the SST's id leaves
/// its external database entry. An entry whose list becomes empty stays (with its checkpoint on the parent) until
/// the garbage collector detaches it (<see cref="CloneDetach"/>): older versions of the clone's manifest, pinned by
/// its checkpoints, may still read those SSTs.
/// </summary>
internal static class ExternalSsts
{
    /// <summary>
    /// <paramref name="manifest"/> with every external SST id that <paramref name="core"/> no longer lists removed
    /// from its entry; the same instance when nothing changes.
    /// </summary>
    public static DbManifest Prune(DbManifest manifest, ManifestCore core)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(core);
        if (manifest.ExternalDbs.Count == 0)
        {
            return manifest with { Core = core };
        }

        var live = core.Trees.SelectMany(tree => tree.AllViews).Select(view => view.Sst.Id).ToHashSet();
        var pruned = manifest.ExternalDbs
            .Select(db => db.SstIds.All(live.Contains) ? db : db with { SstIds = [.. db.SstIds.Where(live.Contains)] })
            .ToArray();
        return manifest with { ExternalDbs = pruned, Core = core };
    }

    /// <summary>How many SSTs <paramref name="manifest"/> still borrows from external databases.</summary>
    public static int BorrowedCount(DbManifest manifest) => manifest.ExternalDbs.Sum(db => db.SstIds.Count);
}
