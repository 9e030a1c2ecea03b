namespace SlateDB.Flush;

/// <summary>
/// Under <see cref="SlateDbOptions.MemoryBudgetBytes"/>, asks the runtime for a background full collection after an L0
/// flush when none ran since the previous flush.
/// </summary>
/// <remarks>
/// A flushed memtable's arena chunks, the WAL objects and L0 SSTs built meanwhile, and the compactor's read buffers
/// are large-object-heap arrays: they become garbage at once but are reclaimed only by a full collection, which the
/// runtime starts on its own after some hundreds of MiB of such allocations, far more than a small budget. Measured on
/// a 1M-row fill with a 128 MiB budget, peak RSS fell from 439–465 MiB to 324–334 MiB, at the same throughput. The
/// collection is background (concurrent with the writers; blocking only where the application disabled concurrent
/// collections) and at most one per flush; without a budget nothing is asked (the memtables, not garbage, then set
/// the peak).
/// </remarks>
internal sealed class FlushCollectionNudge(bool enabled)
{
    private int _lastFullCollections = -1;

    /// <summary>Whether it is enabled (a memory budget is set).</summary>
    public bool Enabled => enabled;

    /// <summary>Called after each L0 flush is recorded. Returns whether a collection was asked for.</summary>
    public bool AfterFlush()
    {
        if (!enabled)
        {
            return false;
        }

        var full = GC.CollectionCount(2);
        if (_lastFullCollections >= 0 && full != _lastFullCollections)
        {
            // The runtime ran one since the previous flush: the garbage that flush left is already reclaimed.
            _lastFullCollections = full;
            return false;
        }

        GC.Collect(2, GCCollectionMode.Forced, blocking: false);
        _lastFullCollections = GC.CollectionCount(2);
        return true;
    }
}
