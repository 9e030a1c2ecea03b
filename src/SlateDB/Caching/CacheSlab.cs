namespace SlateDB.Caching;

/// <summary>
/// One buffer that several cache entries are slices of (the blocks of one cache-warming read, decoded in place over
/// it). Its memory is freed only when the last of them leaves the cache, so the cache keeps charging a dropped
/// entry's bytes until then: its size stays the memory it really holds. The entries are evicted in insertion order,
/// so a slab's entries usually leave together.
/// </summary>
/// <remarks>Used by one <see cref="ClockCache{TKey}"/> and only under its lock.</remarks>
internal sealed class CacheSlab
{
    private int _live;
    private long _withheld;

    /// <summary>Entries of this slab in the cache.</summary>
    internal int Live => _live;

    /// <summary>An entry of this slab went into the cache.</summary>
    internal void Added() => _live++;

    /// <summary>
    /// An entry of <paramref name="size"/> bytes left the cache; returns the bytes the cache may stop charging: none
    /// while other entries of the slab remain, every dropped entry's bytes when this was the last.
    /// </summary>
    internal long Dropped(long size)
    {
        _withheld += size;
        if (--_live > 0)
        {
            return 0;
        }

        var freed = _withheld;
        _withheld = 0;
        return freed;
    }
}
