namespace SlateDB.Caching;

/// <summary>
/// One buffer that several cache entries are slices of (the blocks of one cache-warming read, decoded in place over
/// it). Its memory is freed only when the last of them leaves the cache, so the cache keeps charging a removed entry's
/// bytes until then (its size stays the memory it really holds), and its clock hand evicts a slab whole: evicting its
/// entries one by one would free nothing until the last, and the hand would sweep the cache looking for bytes.
/// </summary>
/// <remarks>
/// Used by one <see cref="ClockCache{TKey}"/> and only under its lock. The hand ignores the entries' read bits when it
/// takes a slab: recently read blocks go with it and come back one by one, each in a buffer of its own.
/// </remarks>
internal sealed class CacheSlab(long unownedBytes = 0)
{
    private readonly List<object> _members = [];
    private int _live;
    private long _withheld;

    /// <summary>Entries of this slab in the cache.</summary>
    internal int Live => _live;

    /// <summary>Every entry that went into the cache as part of this slab (the cache's own entry objects).</summary>
    internal IReadOnlyList<object> Members => _members;

    /// <summary>
    /// The cache's entry <paramref name="entry"/> of this slab went into it; returns the bytes to charge beyond the
    /// entry's own: the buffer's bytes no entry stands for (<c>unownedBytes</c>), with the first live entry.
    /// </summary>
    internal long Added(object entry)
    {
        _members.Add(entry);
        return _live++ == 0 ? unownedBytes : 0;
    }

    /// <summary>
    /// An entry of <paramref name="size"/> bytes left the cache; returns the bytes the cache may stop charging: none
    /// while other entries of the slab remain; with the last, every removed entry's bytes and the unowned ones.
    /// </summary>
    internal long Dropped(long size)
    {
        _withheld += size;
        if (--_live > 0)
        {
            return 0;
        }

        var freed = _withheld + unownedBytes;
        _withheld = 0;
        return freed;
    }
}
