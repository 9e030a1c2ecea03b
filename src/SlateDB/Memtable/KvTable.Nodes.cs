using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using SlateDB.Format;

namespace SlateDB.Memtable;

/// <summary>Node layout and key comparison.</summary>
internal sealed partial class KvTable
{
    // A node is a block of longs in _nodes:
    //   [0]    the first 8 key bytes as a big-endian number, zero padded (orders like the key when it differs)
    //   [1]    seq
    //   [2]    shape (int: key length in the low 24 bits, tower height above) | address in _data of the current
    //          row (uint; replaced when the same (key, seq) is inserted again)
    //   [3..]  one link per level: next node address (low 32 bits) | hint of that node's key (high 32 bits)
    //   then   key bytes 8..32 (as many as the key has), so most comparisons never leave the node
    // Address 0 is the head node, so 0 doubles as "no node". There are no back links: a descending iterator
    // searches for the predecessor of each key instead (see KvTableIterator).
    internal const int Head = 0;
    internal const int MaxKeyLength = (1 << 24) - 1;
    private const int SeqSlot = 1;
    private const int ShapeSlot = 2;
    private const int LinkSlot = 3;
    private const int InlineKeyLimit = 32;
    private const int NodeOffsetBits = 17;

    /// <summary>The first 8 bytes of <paramref name="key"/> as a big-endian number, zero padded.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ulong KeyPrefix(ReadOnlySpan<byte> key)
    {
        if (key.Length >= sizeof(ulong))
        {
            return BinaryPrimitives.ReadUInt64BigEndian(key);
        }

        ulong prefix = 0;
        for (var i = 0; i < key.Length; i++)
        {
            prefix |= (ulong)key[i] << (56 - (8 * i));
        }

        return prefix;
    }

    /// <summary>The next node on level 0 (0 at the end).</summary>
    internal int NextOf(int node) => (int)Volatile.Read(ref Link(ref _nodes.At(node), 0));

    /// <summary>The next node on a given level (0 at the end).</summary>
    internal int NextOf(int node, int level) => (int)Volatile.Read(ref Link(ref _nodes.At(node), level));

    /// <summary>The current row of a node.</summary>
    internal RowEntry RowOf(int node)
    {
        ref var n = ref _nodes.At(node);
        var address = (uint)Volatile.Read(ref RowAddress(ref n));
        return StoredRow.Read(_data.ChunkOf(address), RowArena.OffsetOf(address), KeyLength(ref n), (ulong)Unsafe.Add(ref n, SeqSlot));
    }

    /// <summary>The key of a node.</summary>
    internal ReadOnlySpan<byte> KeyOf(int node) => FullKey(ref _nodes.At(node));

    /// <summary>The tower height of a node.</summary>
    internal int HeightOf(int node) => Height(ref _nodes.At(node));

    /// <summary>Sign of (key of <paramref name="node"/>) minus <paramref name="key"/>, bytewise.</summary>
    internal int CompareKey(int node, ulong prefix, ReadOnlySpan<byte> key) => CompareKey(ref _nodes.At(node), prefix, key);

    /// <summary>True when two nodes hold the same key.</summary>
    internal bool SameKey(int a, int b)
    {
        ref var x = ref _nodes.At(a);
        ref var y = ref _nodes.At(b);
        var length = KeyLength(ref x);
        var samePrefix = x == y; // slot 0 of a node is its key prefix
        if (!samePrefix || length != KeyLength(ref y) || !InlineKey(ref x).SequenceEqual(InlineKey(ref y)))
        {
            return false;
        }

        return length <= InlineKeyLimit || FullKey(ref x).SequenceEqual(FullKey(ref y));
    }

    /// <summary>Sign of the node's position relative to (key, seq) in table order: key ascending, then seq descending.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int CompareNode(ref long node, ulong prefix, ReadOnlySpan<byte> key, ulong seq)
    {
        var c = CompareKey(ref node, prefix, key);
        if (c != 0)
        {
            return c;
        }

        var nodeSeq = (ulong)Unsafe.Add(ref node, SeqSlot);
        return nodeSeq == seq ? 0 : (nodeSeq > seq ? -1 : 1);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int CompareKey(ref long node, ulong prefix, ReadOnlySpan<byte> key)
    {
        var nodePrefix = (ulong)node;
        if (nodePrefix != prefix)
        {
            return nodePrefix < prefix ? -1 : 1;
        }

        return CompareKeyTail(ref node, key);
    }

    // Called when the padded 8-byte prefixes are equal.
    private int CompareKeyTail(ref long node, ReadOnlySpan<byte> key)
    {
        var nodeLength = KeyLength(ref node);
        if (nodeLength <= sizeof(ulong) || key.Length <= sizeof(ulong))
        {
            // One key fits in the prefix and the padded prefixes match: the shorter key is a prefix of the
            // longer one (its padding equals the longer key's bytes), so the lengths decide.
            return nodeLength.CompareTo(key.Length);
        }

        // Both keys are longer than 8: compare bytes 8..32 held in the node, then the rest from the row.
        var c = InlineKey(ref node).SequenceCompareTo(key[sizeof(ulong)..Math.Min(key.Length, InlineKeyLimit)]);
        if (c != 0)
        {
            return c;
        }

        if (nodeLength <= InlineKeyLimit || key.Length <= InlineKeyLimit)
        {
            return nodeLength.CompareTo(key.Length);
        }

        return FullKey(ref node)[InlineKeyLimit..].SequenceCompareTo(key[InlineKeyLimit..]);
    }

    private static int InlineKeyLength(int keyLength) =>
        keyLength <= sizeof(ulong) ? 0 : Math.Min(keyLength, InlineKeyLimit) - sizeof(ulong);

    private static ReadOnlySpan<byte> InlineKey(ref long node) => MemoryMarshal.CreateReadOnlySpan(
        ref Unsafe.As<long, byte>(ref Unsafe.Add(ref node, LinkSlot + Height(ref node))),
        InlineKeyLength(KeyLength(ref node)));

    private ReadOnlySpan<byte> FullKey(ref long node)
    {
        var address = (uint)Volatile.Read(ref RowAddress(ref node));
        return StoredRow.Key(_data.ChunkOf(address), RowArena.OffsetOf(address), KeyLength(ref node));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ref long Link(ref long node, int level) => ref Unsafe.Add(ref node, LinkSlot + level);

    private static ref int Shape(ref long node) => ref Unsafe.As<long, int>(ref Unsafe.Add(ref node, ShapeSlot));

    private static int MakeShape(int keyLength, int height) => keyLength | (height << 24);

    private static int KeyLength(ref long node) => Shape(ref node) & MaxKeyLength;

    private static int Height(ref long node) => (int)((uint)Shape(ref node) >> 24);

    private static ref int RowAddress(ref long node) => ref Unsafe.Add(ref Shape(ref node), 1);
}
