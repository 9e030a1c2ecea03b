namespace SlateDB.Caching;

/// <summary>
/// Which blocks a point read that missed puts into a nearly full <see cref="MemoryBlockCache"/>: a block is admitted on
/// its second miss while this remembers the first (a doorkeeper, as in TinyLFU). The first miss reads the block into a
/// short-lived buffer and answers from it.
/// </summary>
/// <remarks>
/// <para>Why: when the data read at random is larger than the cache, each admitted block evicts another that is as
/// likely to be read next, so admitting every miss buys no hits. It costs a long-lived pinned buffer per miss, memory
/// that is new to the process until a full collection frees the evicted ones (page faults and the kernel zeroing the
/// pages were about a sixth of a pass at 5,000,000 rows), and the eviction itself. Blocks that are read again and
/// again still get in, at their second miss.</para>
/// <para>One fingerprint per slot, a slot per 4 KiB of the cache's capacity (rounded up to a power of two, 1,024 to
/// 1,048,576 slots): a first miss overwrites whatever its slot remembered, so the memory of old misses fades as new
/// ones come. Slots are read and written without a lock; a race only admits a block a miss early or late.</para>
/// </remarks>
internal sealed class MissAdmission
{
    private readonly int[] _seen;

    /// <summary>Creates a doorkeeper for a cache of <paramref name="capacityBytes"/> bytes of data blocks.</summary>
    public MissAdmission(long capacityBytes)
    {
        var slots = Math.Clamp(capacityBytes / 4096, 1024, 1 << 20);
        _seen = new int[(int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)slots)];
    }

    /// <summary>The number of slots.</summary>
    internal int Slots => _seen.Length;

    /// <summary>
    /// Whether the block whose key hashes to <paramref name="hash"/> goes into the cache: true when its previous miss
    /// is still remembered (which it forgets then), otherwise false, remembering this one.
    /// </summary>
    public bool SecondMiss(int hash)
    {
        var fingerprint = hash | 1; // Never 0, an empty slot.
        ref var slot = ref _seen[HashBuckets.Index(hash, _seen.Length)];
        if (Volatile.Read(ref slot) == fingerprint)
        {
            Volatile.Write(ref slot, 0);
            return true;
        }

        Volatile.Write(ref slot, fingerprint);
        return false;
    }
}
