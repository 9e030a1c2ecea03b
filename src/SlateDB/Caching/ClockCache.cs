using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace SlateDB.Caching;

/// <summary>
/// A byte-bounded cache with CLOCK (second-chance) eviction. Lookups are lock-free: a hit only sets the entry's
/// referenced bit. Inserts and removals take a lock and evict, in insertion order, entries not referenced since the
/// clock hand last passed them; a referenced entry loses its bit and gets another round. Entries larger than the
/// whole capacity are not kept. Entries that share a <see cref="CacheSlab"/> are charged until the last of them leaves,
/// and the hand evicts them together.
/// </summary>
/// <typeparam name="TKey">The key type.</typeparam>
internal sealed partial class ClockCache<TKey>
    where TKey : notnull, IEquatable<TKey>
{
    private readonly Queue<Entry> _clock = new();
    private readonly Lock _lock = new();
    private readonly long _capacity;
    private long _size;

    /// <summary>Live entries, kept under the lock.</summary>
    private int _live;

    /// <summary>Creates a cache that holds at most <paramref name="capacityBytes"/> bytes of entries.</summary>
    public ClockCache(long capacityBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacityBytes);
        _capacity = capacityBytes;
    }

    /// <summary>The most bytes held.</summary>
    public long CapacityBytes => _capacity;

    /// <summary>The bytes held, as the sizes given to <see cref="Set"/> add up (a slab's dropped entries included while it lives).</summary>
    public long SizeBytes => Interlocked.Read(ref _size);

    /// <summary>How many entries are held.</summary>
    public int Count => Volatile.Read(ref _linked);

    /// <summary>Looks an entry up and marks it recently used.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool TryGet(TKey key, [NotNullWhen(true)] out object? value)
    {
        if (Find(key) is { } entry && Volatile.Read(ref entry.Value) is { } found)
        {
            if (entry.Referenced == 0)
            {
                Volatile.Write(ref entry.Referenced, 1);
            }

            value = found;
            return true;
        }

        value = null;
        return false;
    }

    /// <summary>
    /// Adds or replaces an entry, then evicts until the cache fits its capacity. An entry that is a slice of a
    /// <paramref name="slab"/> keeps being charged after it leaves, until the slab's last entry leaves.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Set(TKey key, object value, long sizeBytes, CacheSlab? slab = null)
    {
        ArgumentNullException.ThrowIfNull(value);
        var size = Math.Max(1, sizeBytes);
        lock (_lock)
        {
            if (Unlink(key) is { } old)
            {
                Forget(old);
            }

            if (size > _capacity)
            {
                return;
            }

            var entry = new Entry(key, value, size, slab);
            var unowned = slab?.Added(entry) ?? 0;
            Link(entry);
            _clock.Enqueue(entry);
            _live++;
            Interlocked.Add(ref _size, size + unowned);
            Evict();
        }
    }

    /// <summary>Drops an entry if it is there.</summary>
    public void Remove(TKey key)
    {
        lock (_lock)
        {
            if (Unlink(key) is { } entry)
            {
                Forget(entry);
            }
        }
    }

    /// <summary>Drops every entry.</summary>
    public void Clear()
    {
        lock (_lock)
        {
            foreach (var entry in _clock)
            {
                if (!entry.Removed)
                {
                    entry.Removed = true;
                    entry.Value = null;
                    entry.Slab?.Dropped(entry.Size); // So a slab that gets entries again counts only those.
                }
            }

            UnlinkAll();
            _clock.Clear();
            _live = 0;
            Interlocked.Exchange(ref _size, 0);
        }
    }

    private void Forget(Entry entry)
    {
        // The clock's queue keeps the entry until the hand passes it; the value goes now (a flushed memtable kept as
        // an SST's cache entry is tens of MB). A lookup that found the entry just before reads a miss.
        entry.Removed = true;
        Volatile.Write(ref entry.Value, null);
        _live--;
        var freed = entry.Slab is { } slab ? slab.Dropped(entry.Size) : entry.Size;
        if (freed != 0)
        {
            Interlocked.Add(ref _size, -freed);
        }
    }

    /// <summary>Evicts <paramref name="entry"/>: out of the map (unless replaced meanwhile) and out of the count.</summary>
    private void Drop(Entry entry)
    {
        Unlink(entry);
        Forget(entry);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Evict()
    {
        // Each pass over the queue clears every referenced bit, so two passes always free enough.
        var budget = 2 * _clock.Count;
        while (_size > _capacity && _clock.TryDequeue(out var entry))
        {
            if (entry.Removed)
            {
                continue;
            }

            if (entry.Referenced != 0 && budget-- > 0)
            {
                entry.Referenced = 0;
                _clock.Enqueue(entry);
                continue;
            }

            if (entry.Slab is { } slab)
            {
                // Its memory goes only with its last entry: the whole slab goes (referenced entries too).
                foreach (Entry member in slab.Members)
                {
                    if (!member.Removed)
                    {
                        Drop(member);
                    }
                }

                continue;
            }

            Drop(entry);
        }

        // Replaced and removed entries stay queued until the hand reaches them; compact when they pile up.
        if (_clock.Count > 64 && _clock.Count > 2 * _live)
        {
            var live = _clock.Where(e => !e.Removed).ToArray();
            _clock.Clear();
            foreach (var entry in live)
            {
                _clock.Enqueue(entry);
            }
        }
    }

    private sealed class Entry(TKey key, object value, long size, CacheSlab? slab)
    {
        public readonly TKey Key = key;
        public readonly int Hash = key.GetHashCode();

        /// <summary>The next entry in the bucket's chain (<see cref="ClockCache{TKey}"/>'s table).</summary>
        public Entry? Next;
        public object? Value = value;
        public readonly long Size = size;
        public readonly CacheSlab? Slab = slab;
        public int Referenced;
        public bool Removed;
    }
}
