namespace SlateDB.ReadPath;

/// <summary>
/// The sequence numbers live snapshots read at. Memtable flushes keep, for every key, the version each of them
/// sees, and the manifest's <c>recent_snapshot_min_seq</c> tells compaction the oldest one still needed.
/// </summary>
internal sealed class SnapshotRegistry
{
    private readonly SortedDictionary<ulong, int> _counts = [];
    private readonly Lock _lock = new();

    public void Register(ulong seq)
    {
        lock (_lock)
        {
            _counts[seq] = _counts.TryGetValue(seq, out var count) ? count + 1 : 1;
        }
    }

    public void Unregister(ulong seq)
    {
        lock (_lock)
        {
            if (_counts.TryGetValue(seq, out var count))
            {
                if (count <= 1)
                {
                    _counts.Remove(seq);
                }
                else
                {
                    _counts[seq] = count - 1;
                }
            }
        }
    }

    /// <summary>The live snapshot sequences, ascending.</summary>
    public ulong[] LiveSeqs()
    {
        lock (_lock)
        {
            return [.. _counts.Keys];
        }
    }

    /// <summary>The oldest live snapshot's sequence; null when there is none.</summary>
    public ulong? MinLive()
    {
        lock (_lock)
        {
            foreach (var key in _counts.Keys)
            {
                return key;
            }

            return null;
        }
    }
}
