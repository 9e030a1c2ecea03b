using SlateDB.Checkpoints;
using SlateDB.GarbageCollection;
using SlateDB.Manifest;

namespace SlateDB.Clones;

/// <summary>
/// Detaches a clone from a parent it no longer borrows from (SlateDB's detach task, run by the garbage collector): an
/// external database entry whose SST list is empty, and which no manifest a reader may still use lists with SSTs
/// (the newest, the recently superseded ones, those the clone's live checkpoints pin), has its checkpoint released in
/// the parent (a parent that is gone counts as released) and is then removed from the clone's manifest. A release
/// that fails is logged and retried by a later run; the entry stays until it succeeds.
/// </summary>
internal static class CloneDetach
{
    private static readonly TimeSpan UpdateTimeout = TimeSpan.FromMinutes(5);

    /// <summary>Detaches what can be; returns how many parents were detached from.</summary>
    /// <param name="env">The clone's collector environment.</param>
    /// <param name="now">The collector's time.</param>
    /// <param name="window">How long readers may keep using a superseded manifest version.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    public static async Task<int> RunAsync(GcEnvironment env, DateTimeOffset now, TimeSpan window, CancellationToken cancellationToken)
    {
        var referencing = await env.History.ReadReferencingAsync(now, window, cancellationToken).ConfigureAwait(false);
        var latest = referencing.Current[0];
        var candidates = latest.ExternalDbs.Where(db => db.SstIds.Count == 0 && db.FinalCheckpointId is not null).ToList();
        if (candidates.Count == 0)
        {
            return 0;
        }

        var readable = referencing.Current.Concat(referencing.Checkpointed).ToList();
        var released = new HashSet<Guid>();
        foreach (var candidate in candidates)
        {
            var final = candidate.FinalCheckpointId!.Value;
            if (readable.Any(m => m.ExternalDbs.Any(db => db.FinalCheckpointId == final && db.SstIds.Count > 0)))
            {
                continue;
            }

            try
            {
                var manifestId = await ReleaseAsync(env, candidate.Path, final, cancellationToken).ConfigureAwait(false);
                released.Add(final);
                GcLog.CloneDetached(env.Logger, candidate.Path, final, manifestId);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                GcLog.CloneDetachFailed(env.Logger, candidate.Path, final, e);
            }
        }

        if (released.Count == 0)
        {
            return 0;
        }

        var cas = new ManifestCas(env.Manifests, env.Time, UpdateTimeout, "garbage collector");
        cas.Hold(referencing.LatestId, latest);
        await cas.UpdateAsync(
            (_, manifest) =>
            {
                var kept = manifest.ExternalDbs.Where(db => db.FinalCheckpointId is not { } id || !released.Contains(id)).ToArray();
                return kept.Length == manifest.ExternalDbs.Count ? manifest : manifest with { ExternalDbs = kept };
            },
            check: null,
            reread: null,
            cancellationToken).ConfigureAwait(false);
        return released.Count;
    }

    /// <summary>Removes checkpoint <paramref name="id"/> from the database at <paramref name="parentPath"/>; the parent's manifest version after it (0 when the parent is gone).</summary>
    private static async Task<ulong> ReleaseAsync(GcEnvironment env, string parentPath, Guid id, CancellationToken cancellationToken)
    {
        var parent = new ManifestStore(env.Store, new DbPaths(parentPath));
        if (await parent.ReadLatestAsync(cancellationToken).ConfigureAwait(false) is not { } latest)
        {
            return 0;
        }

        var cas = new ManifestCas(parent, env.Time, UpdateTimeout, "garbage collector");
        cas.Hold(latest.Id, latest.Manifest);
        await cas.UpdateAsync((_, manifest) => CheckpointEdits.Remove(manifest, id), check: null, reread: null, cancellationToken).ConfigureAwait(false);
        return cas.Id;
    }
}
