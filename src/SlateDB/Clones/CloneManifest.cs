using SlateDB.Common;
using SlateDB.Manifest;

namespace SlateDB.Clones;

/// <summary>
/// The first manifest of a clone (SlateDB's <c>Manifest::cloned</c>): the parent's state at a checkpoint, marked
/// uninitialized until the clone's WAL is copied, without the parent's checkpoints, and with one external database
/// entry per database whose SSTs it reads: the parent (the SSTs the parent owns) and each database the parent itself
/// borrows from (the SSTs it borrows). Every entry gets a new final checkpoint id: the checkpoint the clone holds there.
/// </summary>
internal static class CloneManifest
{
    /// <summary>Builds the clone's first manifest from the parent's manifest at checkpoint <paramref name="sourceCheckpointId"/>.</summary>
    /// <param name="parent">The parent's manifest at the checkpoint.</param>
    /// <param name="parentRoot">The parent's root path, as the entry records it.</param>
    /// <param name="sourceCheckpointId">The parent checkpoint the clone is made from.</param>
    /// <param name="ids">Mints the final checkpoint ids.</param>
    public static DbManifest Create(DbManifest parent, string parentRoot, Guid sourceCheckpointId, IdGenerator ids)
    {
        ArgumentNullException.ThrowIfNull(parent);
        ArgumentNullException.ThrowIfNull(ids);
        var borrowedByParent = new HashSet<SsTableId>();
        var external = new List<ExternalDb>();
        foreach (var db in parent.ExternalDbs)
        {
            borrowedByParent.UnionWith(db.SstIds);
            external.Add(db with { FinalCheckpointId = ids.NewUuid() });
        }

        var owned = parent.Core.Trees.SelectMany(tree => tree.AllViews)
            .Select(view => view.Sst.Id)
            .Where(id => !borrowedByParent.Contains(id))
            .Distinct()
            .ToArray();
        external.Add(new ExternalDb(parentRoot, sourceCheckpointId, ids.NewUuid(), owned));
        return parent with
        {
            ExternalDbs = external,
            Core = parent.Core with { Initialized = false, Checkpoints = [] },
        };
    }
}
