using System.Numerics;
using System.Runtime.CompilerServices;

namespace SlateDB.Memtable;

/// <summary>
/// The point-read index of a table with a key filter: an open-addressing table (linear probing) from a key's
/// <see cref="MemtableKeyFilter.Hash"/> to the node of the key's newest version. A get whose snapshot sees that version
/// reads it after a probe or two instead of descending the skip list (about twenty dependent cache misses at 500,000
/// entries). The index only ever answers hits: a key it does not hold (not yet written, or written after the index
/// filled up) and a version newer than the reader's snapshot both fall back to the skip-list search, which stays the
/// authority.
/// </summary>
/// <remarks>
/// Only the writer changes it. A slot goes from empty to a node, then only to nodes of the same key with a higher
/// seq; each such write is a release write made after the node is linked, so a reader that finds a node in a slot finds
/// it complete, and a reader whose snapshot covers a version (published after the put returned) finds that version
/// or a newer one. Made at the first put, with a slot count of half the key filter's byte size (rounded down to a
/// power of two) and filled to at most three quarters.
/// </remarks>
internal sealed partial class KvTable
{
    private int[]? _index;
    private int _indexCount;
    private int _indexLimit;
    private long _repeatedKeys;
    private bool _indexFull;

    /// <summary>The bytes the point-read index takes (0 before the first put, or without a key filter).</summary>
    public long KeyIndexBytes => (Volatile.Read(ref _index)?.Length ?? 0) * (long)sizeof(int);

    /// <summary>
    /// Inserts of a key the index already held: versions of a key beyond its first, which an L0 flush may leave out as
    /// shadowed. Complete only while <see cref="IndexHoldsEveryKey"/> (a key the index does not hold is not counted).
    /// </summary>
    public long RepeatedKeys => Volatile.Read(ref _repeatedKeys);

    /// <summary>True when the table has a point-read index and it holds every key written (it never filled up).</summary>
    public bool IndexHoldsEveryKey => Volatile.Read(ref _index) is not null && !Volatile.Read(ref _indexFull);

    /// <summary>The index's slot count for a key filter of <paramref name="keyFilterBytes"/> bytes; 0 for none.</summary>
    internal static int IndexSlotsFor(int keyFilterBytes) =>
        keyFilterBytes < 2 * sizeof(int) ? 0 : 1 << BitOperations.Log2((uint)keyFilterBytes / 2);

    /// <summary>Records <paramref name="node"/> (just linked, holding <paramref name="key"/> at <paramref name="seq"/>) as its key's newest version. The writer only.</summary>
    private void IndexNode(ulong keyHash, int node, ulong prefix, ReadOnlySpan<byte> key, ulong seq)
    {
        var index = _index;
        if (index is null)
        {
            var slots = IndexSlotsFor(_keyFilterBytes);
            if (slots == 0)
            {
                return;
            }

            index = new int[slots];
            _indexLimit = slots / 4 * 3;
            Volatile.Write(ref _index, index);
        }

        var slot = Probe(index, keyHash, prefix, key, out var existing);
        if (existing == Head)
        {
            if (_indexCount < _indexLimit)
            {
                _indexCount++;
                Volatile.Write(ref index[slot], node);
            }
            else if (!_indexFull)
            {
                Volatile.Write(ref _indexFull, true);
            }

            return;
        }

        Volatile.Write(ref _repeatedKeys, _repeatedKeys + 1);
        if (seq > (ulong)Unsafe.Add(ref _nodes.At(existing), SeqSlot))
        {
            Volatile.Write(ref index[slot], node);
        }
    }

    /// <summary>
    /// The search result (as <see cref="FindGreaterOrEqual"/> returns it) for the newest version of
    /// <paramref name="key"/> at or below <paramref name="maxSeq"/>: from the index when it holds the key and the
    /// reader's snapshot sees the version it names, else from the skip list.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private long FindForRead(ulong keyHash, ulong prefix, ReadOnlySpan<byte> key, ulong maxSeq, SearchHint hint)
    {
        var node = FindIndexed(keyHash, prefix, key);
        return node != Head && (ulong)Unsafe.Add(ref _nodes.At(node), SeqSlot) <= maxSeq
            ? (uint)node
            : FindGreaterOrEqual(prefix, key, maxSeq, hint, default);
    }

    /// <summary>The node of <paramref name="key"/>'s newest version that the index holds; <see cref="Head"/> when it holds none.</summary>
    private int FindIndexed(ulong keyHash, ulong prefix, ReadOnlySpan<byte> key)
    {
        var index = Volatile.Read(ref _index);
        if (index is null)
        {
            return Head;
        }

        Probe(index, keyHash, prefix, key, out var node);
        return node;
    }

    /// <summary>
    /// The slot that holds <paramref name="key"/>'s node, else the empty slot where the probe from its home slot ended;
    /// <paramref name="node"/> is what the probe read there (the key's node, or <see cref="Head"/>). -1 with
    /// <see cref="Head"/> when every slot holds another key (the writer keeps a quarter empty, so only a reader's bound
    /// ends there).
    /// </summary>
    private int Probe(int[] index, ulong keyHash, ulong prefix, ReadOnlySpan<byte> key, out int node)
    {
        var mask = index.Length - 1;
        for (int i = (int)keyHash & mask, probes = 0; probes <= mask; i = (i + 1) & mask, probes++)
        {
            node = Volatile.Read(ref index[i]);
            if (node == Head || CompareKey(ref _nodes.At(node), prefix, key) == 0)
            {
                return i;
            }
        }

        node = Head;
        return -1;
    }
}
