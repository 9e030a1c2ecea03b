using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace SlateDB.Memtable;

/// <summary>Cache prefetch hints for walks that know which node and row they will read next.</summary>
/// <remarks>
/// Nodes and rows sit in the arenas in insertion order, so a walk in key order misses the cache on every node and on
/// every row. A walk that does real work per row (an L0 flush encoding it, a scan) can ask for the next node and row
/// while it works on the current one. A prefetch is only a hint: it never faults and its address is never read
/// through, so an address that a garbage collection made stale (small chunks can move) costs nothing but the hint.
/// </remarks>
internal sealed partial class KvTable
{
    /// <summary>Asks the CPU to bring <paramref name="node"/>'s first slots (key prefix, seq, row address, links) into the cache.</summary>
    internal void PrefetchNode(int node)
    {
        if (Sse.IsSupported && node != Head)
        {
            Prefetch(ref _nodes.At(node));
        }
    }

    /// <summary>Asks the CPU to bring the start of <paramref name="node"/>'s row (header, key, value) into the cache; reads the node.</summary>
    internal void PrefetchRow(int node)
    {
        if (Sse.IsSupported && node != Head)
        {
            var address = (uint)Volatile.Read(ref RowAddress(ref _nodes.At(node)));
            ref var row = ref _data.ChunkOf(address)[RowArena.OffsetOf(address)];
            Prefetch(ref row);
            Prefetch(ref Unsafe.Add(ref row, 64));
        }
    }

    private static unsafe void Prefetch<T>(ref T location) => Sse.Prefetch0(Unsafe.AsPointer(ref location));
}
