namespace SlateDB.GarbageCollection;

/// <summary>
/// Chooses obsolete manifest versions. A version is obsolete when all of these hold:
/// <list type="bullet">
/// <item>it is not the newest (writers, readers and recovery start from the newest);</item>
/// <item>no unexpired checkpoint in the newest manifest names it (a checkpoint is opened by reading its version);</item>
/// <item>it was superseded more than <c>window</c> ago, <c>window</c> being the longest minimum age of the manifest,
/// WAL and compacted tasks: while a reader may still use a version, the WAL and compacted tasks keep what it
/// references, and to know what that is they must still be able to read it;</item>
/// <item>it was written more than the minimum age ago.</item>
/// </list>
/// </summary>
internal static class ManifestGarbage
{
    /// <summary>The obsolete manifest ids, ascending.</summary>
    public static async Task<List<ulong>> FindAsync(GcEnvironment env, GarbageCollectorDirectoryOptions options, TimeSpan window, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var listing = await env.History.ListAsync(cancellationToken).ConfigureAwait(false);
        var pinned = ManifestHistory.LiveCheckpoints(listing.Latest.Core, now).Select(checkpoint => checkpoint.ManifestId).ToHashSet();
        var recent = ManifestHistory.RecentlySuperseded(listing.Listed, listing.LatestId, now, window).ToHashSet();
        return listing.Listed
            .Where(entry => entry.Id < listing.LatestId
                && !pinned.Contains(entry.Id)
                && !recent.Contains(entry.Id)
                && now - entry.Metadata.LastModified > options.MinAge)
            .Select(entry => entry.Id)
            .ToList();
    }
}
