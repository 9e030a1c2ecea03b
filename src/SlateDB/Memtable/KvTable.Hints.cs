using System.Numerics;
using System.Runtime.CompilerServices;

namespace SlateDB.Memtable;

/// <summary>
/// Link hints: the high 32 bits of a link hold <c>(window(prefix of target) &lt;&lt; 1) | 1</c>, or 0 for "no
/// hint". The window is a non-decreasing map of the 8-byte key prefix onto 31 bits, so comparing two hints
/// orders their keys whenever the hints differ; equal hints (or none) fall back to comparing the node.
/// </summary>
/// <remarks>
/// <para>A fixed window (say the top 4 key bytes) is useless for keys that share a leading part, such as
/// <c>user0000123</c>: every hint would tie. So the table links without hints until it holds
/// <see cref="HintSampleSize"/> entries, then fixes the window for good: it starts at the bits its smallest and
/// largest keys have in common and covers the next 31 bits; prefixes outside the window clamp to its ends (and
/// simply tie). The writer then rewrites the existing links with hints, one atomic store each.</para>
/// <para>A reader reads the window once per search. A reader that started before the window was fixed ignores
/// hints altogether; one that started after uses the hints present and compares nodes on links without one.</para>
/// </remarks>
internal sealed partial class KvTable
{
    internal const int HintSampleSize = 256;
    private const uint MaxWindow = (1u << 31) - 1;

    // Written once by the writer, then _hinted is published with a release write.
    private ulong _hintBase;
    private int _hintShift;
    private bool _hinted;

    /// <summary>What a search compares link hints with: the target's encoded hint, and a mask that is 0 to ignore hints.</summary>
    private readonly record struct SearchHint(uint Target, uint Mask)
    {
        /// <summary>The hint of a link as this search may use it: 0 means "compare the node".</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public uint Of(long link) => (uint)((ulong)link >> 32) & Mask;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private SearchHint HintFor(ulong prefix) =>
        Volatile.Read(ref _hinted) ? new SearchHint(EncodeHint(prefix), uint.MaxValue) : default;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private uint EncodeHint(ulong prefix)
    {
        var window = prefix < _hintBase ? 0 : Math.Min((prefix - _hintBase) >> _hintShift, MaxWindow);
        return ((uint)window << 1) | 1;
    }

    /// <summary>A link to <paramref name="node"/>, hinted once the window is fixed (writer only).</summary>
    private long MakeLink(int node, ulong prefix) =>
        _hinted ? (long)(((ulong)EncodeHint(prefix) << 32) | (uint)node) : (uint)node;

    /// <summary>True when a link points to a node whose key may equal the one <paramref name="hint"/> stands for.</summary>
    private static bool MayMatch(long link, SearchHint hint)
    {
        var nextHint = hint.Of(link);
        return (int)link != Head && (nextHint == 0 || nextHint == hint.Target);
    }

    // Link hints were off for a while: KvTableConcurrencyTests caught descending readers missing entries. The cause was
    // the predecessor-search walk of descending iteration (it missed rows with hints on or off) and it is gone: a
    // descending iterator now walks a snapshot taken with the ascending walk. With hints, an insert of a random key
    // into 500,000 rows touches about half as many nodes (each a likely cache miss).
    private const bool HintsEnabled = true;

    /// <summary>Fixes the hint window from the keys present and hints every existing link (writer only).</summary>
    private void FixHintWindow()
    {
        var low = (ulong)_nodes.At(NextOf(Head));
        var high = (ulong)_nodes.At(FindLast());

        // Bits shared by the smallest and largest key, less one for keys a little outside the sample.
        var common = Math.Clamp(BitOperations.LeadingZeroCount(low ^ high) - 1, 0, 63);
        _hintBase = common == 0 ? 0 : low & ~(ulong.MaxValue >> common);
        _hintShift = Math.Max(0, 64 - common - 31);
        Volatile.Write(ref _hinted, true);

        for (var node = Head; ; node = NextOf(node))
        {
            ref var n = ref _nodes.At(node);
            var height = Height(ref n);
            for (var level = 0; level < height; level++)
            {
                var target = (int)Link(ref n, level);
                if (target != Head)
                {
                    Volatile.Write(ref Link(ref n, level), MakeLink(target, (ulong)_nodes.At(target)));
                }
            }

            if (NextOf(node) == Head)
            {
                break;
            }
        }
    }
}
