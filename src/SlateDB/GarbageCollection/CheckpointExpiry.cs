using SlateDB.Manifest;

namespace SlateDB.GarbageCollection;

/// <summary>
/// Removes expired checkpoints (expire time at or before now) from the newest manifest, as SlateDB's collector does
/// before each task: it writes the next manifest version through the shared compare-and-swap loop
/// (<see cref="ManifestCas"/>), keeping everything else, epochs included, as it was; when another process wrote that
/// version first it rereads and reapplies. Writers and compactors reapply their own changes on top in the same way.
/// </summary>
internal static class CheckpointExpiry
{
    /// <summary>How long other writers may keep winning before the collector gives up (SlateDB's manifest update timeout).</summary>
    private static readonly TimeSpan UpdateTimeout = TimeSpan.FromMinutes(5);

    /// <summary>Removes the checkpoints expired at <paramref name="now"/>; returns how many were removed.</summary>
    /// <exception cref="SlateDbException">Unavailable: other writers kept winning the compare-and-swap.</exception>
    public static async Task<int> RemoveExpiredAsync(GcEnvironment env, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var listing = await env.History.ListAsync(cancellationToken).ConfigureAwait(false);
        var cas = new ManifestCas(env.Manifests, env.Time, UpdateTimeout, "garbage collector");
        cas.Hold(listing.LatestId, listing.Latest);
        var expired = 0;
        var written = await cas.UpdateAsync(
            (id, manifest) =>
            {
                var core = manifest.Core;
                var live = ManifestHistory.LiveCheckpoints(core, now).ToList();
                expired = core.Checkpoints.Count - live.Count;
                if (expired == 0)
                {
                    return manifest;
                }

                if (id != listing.LatestId)
                {
                    GcLog.CheckpointExpiryConflict(env.Logger, id);
                }

                return manifest with { Core = core with { Checkpoints = live } };
            },
            check: null,
            reread: null,
            cancellationToken).ConfigureAwait(false);
        if (!written)
        {
            return 0;
        }

        GcLog.CheckpointsExpired(env.Logger, expired, cas.Id);
        return expired;
    }
}
