namespace SlateDB.Memtable;

/// <summary>The skip-list searches shared by the writer and the readers.</summary>
/// <remarks>
/// A link can carry a 31-bit hint of its target's key (see <c>KvTable.Hints.cs</c>), so a search decides most
/// steps from the link alone and only touches the next node when it moves onto it or when the hints tie.
/// </remarks>
internal sealed partial class KvTable
{
    /// <summary>
    /// The link (on level 0) to the first node at or after (key, seq) in table order; its low 32 bits are the
    /// node address, 0 when there is none. When <paramref name="preds"/> is not empty it receives, for each
    /// level below the current height, the last node before that position.
    /// </summary>
    private long FindGreaterOrEqual(ulong prefix, ReadOnlySpan<byte> key, ulong seq, SearchHint hint, Span<int> preds)
    {
        var level = Volatile.Read(ref _height) - 1;
        var pred = Head;
        ref var predNode = ref _nodes.At(Head);
        var known = Head; // a node already found to be at or after the target
        while (true)
        {
            var link = Volatile.Read(ref Link(ref predNode, level));
            var next = (int)link;
            if (next != Head && next != known)
            {
                var nextHint = hint.Of(link);
                if (nextHint != 0 && nextHint < hint.Target)
                {
                    pred = next;
                    predNode = ref _nodes.At(next);
                    continue;
                }

                if (nextHint == 0 || nextHint == hint.Target)
                {
                    ref var nextNode = ref _nodes.At(next);
                    if (CompareNode(ref nextNode, prefix, key, seq) < 0)
                    {
                        pred = next;
                        predNode = ref nextNode;
                        continue;
                    }
                }
            }

            if (!preds.IsEmpty)
            {
                preds[level] = pred;
            }

            if (level == 0)
            {
                return link;
            }

            known = next;
            level--;
        }
    }

    /// <summary>
    /// The last node whose key is below <paramref name="key"/> (or at most <paramref name="key"/> when
    /// <paramref name="orEqual"/>), whatever its seq; 0 when there is none.
    /// </summary>
    internal int FindLastBefore(ReadOnlySpan<byte> key, bool orEqual)
    {
        var prefix = KeyPrefix(key);
        var hint = HintFor(prefix);
        var level = Volatile.Read(ref _height) - 1;
        var pred = Head;
        ref var predNode = ref _nodes.At(Head);
        var known = Head;
        while (true)
        {
            var link = Volatile.Read(ref Link(ref predNode, level));
            var next = (int)link;
            if (next != Head && next != known)
            {
                var nextHint = hint.Of(link);
                if (nextHint != 0 && nextHint < hint.Target)
                {
                    pred = next;
                    predNode = ref _nodes.At(next);
                    continue;
                }

                if (nextHint == 0 || nextHint == hint.Target)
                {
                    ref var nextNode = ref _nodes.At(next);
                    var c = CompareKey(ref nextNode, prefix, key);
                    if (c < 0 || (orEqual && c == 0))
                    {
                        pred = next;
                        predNode = ref nextNode;
                        continue;
                    }
                }
            }

            if (level == 0)
            {
                return pred;
            }

            known = next;
            level--;
        }
    }

    /// <summary>The last node of the table (0 when empty).</summary>
    internal int FindLast()
    {
        var level = Volatile.Read(ref _height) - 1;
        var pred = Head;
        ref var predNode = ref _nodes.At(Head);
        while (true)
        {
            var next = (int)Volatile.Read(ref Link(ref predNode, level));
            if (next != Head)
            {
                pred = next;
                predNode = ref _nodes.At(next);
                continue;
            }

            if (level == 0)
            {
                return pred;
            }

            level--;
        }
    }
}
