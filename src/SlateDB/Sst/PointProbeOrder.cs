using System.Runtime.CompilerServices;
using SlateDB.Manifest;

namespace SlateDB.Sst;

/// <summary>
/// The SST views a point read probes, in the order it must probe them: L0 newest first, then in each sorted run
/// (highest id first) the views whose key range may hold the key. A struct enumerator, so the read path walks it
/// without allocating.
/// </summary>
internal struct PointProbeOrder(LsmTreeState tree, ReadOnlyMemory<byte> key)
{
    private int _nextL0;
    private int _run = -1;
    private int _nextView;
    private int _lastView = -1;

    /// <summary>The view to probe next (valid after <see cref="MoveNext"/> returned true).</summary>
    public SsTableView Current { get; private set; } = null!;

    /// <summary>Moves to the next view; false when every candidate has been probed.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool MoveNext()
    {
        if (_nextL0 < tree.L0.Count)
        {
            Current = tree.L0[_nextL0++];
            return true;
        }

        while (_nextView > _lastView)
        {
            if (++_run >= tree.Compacted.Count)
            {
                return false;
            }

            (_nextView, _lastView) = SortedRuns.ViewsForKey(tree.Compacted[_run], key.Span);
        }

        Current = tree.Compacted[_run].Views[_nextView++];
        return true;
    }
}
