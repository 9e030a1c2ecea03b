using System.Runtime.CompilerServices;

namespace SlateDB.Caching;

/// <summary>
/// The cache's own hash table: chains of the cache's entries (each entry is its chain's node), read without a lock and
/// changed only under the cache's lock.
/// </summary>
/// <remarks>
/// <para>
/// Why not a <see cref="System.Collections.Concurrent.ConcurrentDictionary{TKey, TValue}"/>: a hit went through its
/// tables object, a bucket, a node and then the entry, one dependent cache miss each, and its code for our key type
/// is compiled in the process (not in the package's ReadyToRun image), so every fresh process ran it slowly through
/// the tiers during its first reads. Here a hit goes from the bucket array to the entry, and the code is ours.
/// </para>
/// <para>
/// Readers follow <see cref="Entry.Next"/> links with volatile reads. A removal unlinks an entry from its predecessor
/// and leaves the entry's own link as it is, so a reader standing on it walks on down the chain. Growing relinks the
/// entries into a larger array: a reader walking a chain while it is relinked may miss an entry that is there (the
/// chain it ends up on is another one). For a cache that is a miss like any other (the caller reads the block and
/// sets it again, which replaces the entry); chains never loop, since an entry is only ever linked to entries
/// already moved.
/// </para>
/// </remarks>
internal sealed partial class ClockCache<TKey>
{
    private const int InitialBuckets = 64;

    private Entry?[] _buckets = new Entry?[InitialBuckets];
    private int _linked;

    /// <summary>The live entry for <paramref name="key"/>, or null; lock-free.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Entry? Find(TKey key)
    {
        var hash = key.GetHashCode();
        var buckets = Volatile.Read(ref _buckets);
        for (var entry = Volatile.Read(ref buckets[HashBuckets.Index(hash, buckets.Length)]); entry is not null; entry = Volatile.Read(ref entry.Next))
        {
            if (entry.Hash == hash && entry.Key.Equals(key))
            {
                return entry;
            }
        }

        return null;
    }

    /// <summary>Links a new entry (its key is not linked); under the lock.</summary>
    private void Link(Entry entry)
    {
        if (_linked >= _buckets.Length)
        {
            Grow();
        }

        ref var head = ref _buckets[HashBuckets.Index(entry.Hash, _buckets.Length)];
        entry.Next = head;
        Volatile.Write(ref head, entry);
        _linked++;
    }

    /// <summary>Unlinks the entry for <paramref name="key"/> and returns it, or null; under the lock.</summary>
    private Entry? Unlink(TKey key)
    {
        var found = Find(key);
        return found is not null && Unlink(found) ? found : null;
    }

    /// <summary>Unlinks <paramref name="entry"/> if it is linked (it may have been replaced); under the lock.</summary>
    private bool Unlink(Entry entry)
    {
        ref var link = ref _buckets[HashBuckets.Index(entry.Hash, _buckets.Length)];
        while (link is not null)
        {
            if (ReferenceEquals(link, entry))
            {
                // The entry keeps its own link: a reader standing on it goes on down the chain.
                Volatile.Write(ref link, entry.Next);
                _linked--;
                return true;
            }

            link = ref link.Next;
        }

        return false;
    }

    /// <summary>Unlinks every entry; under the lock.</summary>
    private void UnlinkAll()
    {
        Volatile.Write(ref _buckets, new Entry?[InitialBuckets]);
        _linked = 0;
    }

    /// <summary>Doubles the bucket array, relinking every entry into the new one before publishing it; under the lock.</summary>
    private void Grow()
    {
        var larger = new Entry?[_buckets.Length * 2];
        foreach (var head in _buckets)
        {
            for (var entry = head; entry is not null;)
            {
                var next = entry.Next;
                ref var slot = ref larger[HashBuckets.Index(entry.Hash, larger.Length)];
                Volatile.Write(ref entry.Next, slot);
                slot = entry;
                entry = next;
            }
        }

        Volatile.Write(ref _buckets, larger);
    }

    /// <summary>The most entries in one bucket's chain (how evenly keys spread); takes the lock.</summary>
    internal int LongestChain()
    {
        lock (_lock)
        {
            var longest = 0;
            foreach (var head in _buckets)
            {
                var length = 0;
                for (var entry = head; entry is not null; entry = entry.Next)
                {
                    length++;
                }

                longest = Math.Max(longest, length);
            }

            return longest;
        }
    }
}
