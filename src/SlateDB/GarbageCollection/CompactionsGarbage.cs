namespace SlateDB.GarbageCollection;

/// <summary>
/// Chooses obsolete compactor state versions: every version but the newest that was written more than the minimum
/// age ago. Only the newest version is ever read (by the compactor, its workers and the compacted-SST task).
/// </summary>
internal static class CompactionsGarbage
{
    /// <summary>The obsolete <c>.compactions</c> ids, ascending.</summary>
    public static async Task<List<ulong>> FindAsync(GcEnvironment env, GarbageCollectorDirectoryOptions options, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var listed = await env.Compactions.ListAsync(cancellationToken).ConfigureAwait(false);
        return listed
            .Take(Math.Max(0, listed.Count - 1))
            .Where(entry => now - entry.Metadata.LastModified > options.MinAge)
            .Select(entry => entry.Id)
            .ToList();
    }
}
