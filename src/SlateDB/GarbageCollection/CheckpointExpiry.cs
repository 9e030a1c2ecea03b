namespace SlateDB.GarbageCollection;

/// <summary>
/// Removes expired checkpoints (expire time at or before now) from the newest manifest, as SlateDB's collector does
/// before each task: it writes the next manifest version with a plain compare-and-swap (create-if-absent), keeping
/// everything else, epochs included, as it was; when another process wrote that version first it rereads and
/// reapplies. Writers and compactors reapply their own changes on top in the same way.
/// </summary>
internal static class CheckpointExpiry
{
    private const int MaxAttempts = 20;

    /// <summary>Removes the checkpoints expired at <paramref name="now"/>; returns how many were removed.</summary>
    /// <exception cref="SlateDbException">Unavailable: other writers kept winning the compare-and-swap.</exception>
    public static async Task<int> RemoveExpiredAsync(GcEnvironment env, DateTimeOffset now, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var listing = await env.History.ListAsync(cancellationToken).ConfigureAwait(false);
            var core = listing.Latest.Core;
            var live = ManifestHistory.LiveCheckpoints(core, now).ToList();
            var expired = core.Checkpoints.Count - live.Count;
            if (expired == 0)
            {
                return 0;
            }

            var next = listing.Latest with { Core = core with { Checkpoints = live } };
            var nextId = listing.LatestId + 1;
            if (await env.Manifests.TryWriteAsync(nextId, next, cancellationToken).ConfigureAwait(false))
            {
                GcLog.CheckpointsExpired(env.Logger, expired, nextId);
                return expired;
            }

            GcLog.CheckpointExpiryConflict(env.Logger, nextId);
        }

        throw new SlateDbException(SlateDbErrorKind.Unavailable, "Expired checkpoints could not be removed: other writers kept updating the manifest first.");
    }
}
