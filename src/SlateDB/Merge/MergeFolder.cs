using SlateDB.Format;

namespace SlateDB.Merge;

/// <summary>
/// The one place merge operands are folded, for reads, the L0 flush, compaction and write batches: calls the
/// configured <see cref="IMergeOperator"/> and turns its failures into a <see cref="SlateDbException"/> naming it.
/// </summary>
/// <remarks>
/// Reusable by anything that must fold operands over a value it read: <see cref="Fold"/> folds operands (oldest first)
/// over an optional base value; <see cref="ResolveRead"/> turns one key's versions, newest first, into what a read
/// returns; <see cref="FoldRuns"/> folds what no snapshot can tell apart, for a flush or a compaction.
/// </remarks>
internal sealed class MergeFolder(IMergeOperator mergeOperator)
{
    private const string FailureMarker = "SlateDB.MergeOperatorFailure";

    /// <summary>True for the error <see cref="Fold"/> throws when the operator fails (a flush waits and tries again).</summary>
    public static bool IsOperatorFailure(Exception e) => e is SlateDbException && e.Data.Contains(FailureMarker);

    /// <summary>The operator.</summary>
    public IMergeOperator Operator => mergeOperator;

    /// <summary>The error of a read, a flush or a compaction that meets an operand without an operator.</summary>
    public static SlateDbException MissingOperator() => new(
        SlateDbErrorKind.Invalid,
        "The database holds merge operands, but no merge operator is configured: open it with SlateDbBuilder.WithMergeOperator (and a standalone compactor with CompactorBuilder.WithMergeOperator).");

    /// <summary>The error of a merge written without an operator.</summary>
    public static SlateDbException MissingOperatorForWrite() => new(
        SlateDbErrorKind.Invalid,
        "A merge needs a merge operator: open the database with SlateDbBuilder.WithMergeOperator.");

    /// <summary>
    /// Folds <paramref name="operandsOldestFirst"/> (at least one) over the base value, if any; an operator failure
    /// becomes a <see cref="SlateDbException"/> of kind Invalid.
    /// </summary>
    public byte[] Fold(ReadOnlySpan<byte> key, bool hasBase, ReadOnlySpan<byte> baseValue, IReadOnlyList<ReadOnlyMemory<byte>> operandsOldestFirst)
    {
        byte[]? result;
        try
        {
            result = mergeOperator.MergeBatch(key, hasBase, hasBase ? baseValue : [], operandsOldestFirst);
        }
        catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
        {
            var failure = new SlateDbException(
                SlateDbErrorKind.Invalid,
                $"The merge operator {mergeOperator} failed on key {Describe(key)} ({operandsOldestFirst.Count} operands{(hasBase ? " over a value" : string.Empty)}): {e.Message}",
                e);
            failure.Data[FailureMarker] = true;
            throw failure;
        }

        return result ?? throw new SlateDbException(SlateDbErrorKind.Invalid, $"The merge operator {mergeOperator} returned null for key {Describe(key)}.");
    }

    /// <summary>
    /// What a read returns for one key whose newest visible version is a merge operand: <paramref name="versions"/>
    /// holds the key's versions the read may see, newest first, at least down to the newest value or tombstone (more
    /// are ignored). Expired operands are skipped, an expired value counts as absent, and the operands left are folded
    /// over the value. Null when nothing is left. The row has the newest operand's sequence, the latest create time
    /// and the earliest expiry of what it folded.
    /// </summary>
    public RowEntry? ResolveRead(IReadOnlyList<RowEntry> versions, long now)
    {
        List<ReadOnlyMemory<byte>>? operands = null;
        RowEntry newest = default;
        long? createTs = null;
        long? expireTs = null;
        RowEntry? baseRow = null;
        for (var i = 0; i < versions.Count; i++)
        {
            var version = versions[i];
            if (i > 0 && version.Seq == versions[i - 1].Seq)
            {
                // Two sources held a copy of one version.
                continue;
            }

            var expired = version.ExpireTs is { } expire && expire <= now;
            if (version.Kind == RowKind.Merge)
            {
                if (expired)
                {
                    continue;
                }

                if (operands is null)
                {
                    operands = [];
                    newest = version;
                }

                operands.Add(version.Value);
                Track(version, ref createTs, ref expireTs);
                continue;
            }

            if (version.Kind == RowKind.Value && !expired)
            {
                baseRow = version;
            }

            break;
        }

        if (operands is null)
        {
            return baseRow;
        }

        operands.Reverse();
        var hasBase = baseRow is not null;
        if (baseRow is { } found)
        {
            Track(found, ref createTs, ref expireTs);
        }

        var value = Fold(newest.Key.Span, hasBase, hasBase ? baseRow!.Value.Value.Span : [], operands);
        return RowEntry.Put(newest.Key, value, newest.Seq, createTs, expireTs);
    }

    /// <summary>
    /// Folds one key's versions (newest first) for a flush or a compaction, appending the result to
    /// <paramref name="output"/>, newest first. A run of operands is folded with the operands and the value or tombstone
    /// beneath it as long as <paramref name="barrier"/> puts no snapshot between two neighbours and they share one
    /// expiry (so per-operand expiry still holds). A run that reaches a value or a tombstone becomes a value; one that
    /// does not stays an operand (an older value may lie in a run this job does not read). The folded row keeps the
    /// newest sequence of its run, the latest create time and the common expiry. Without an operator
    /// (<paramref name="folder"/> null) the versions are copied unchanged.
    /// </summary>
    /// <param name="folder">The operator; null copies the versions unchanged.</param>
    /// <param name="versions">The key's versions, newest first.</param>
    /// <param name="barrier">Where a snapshot keeps two neighbours apart.</param>
    /// <param name="output">Receives the folded versions, newest first.</param>
    /// <param name="nothingOlder">
    /// True when no older version of the key exists anywhere (a compaction into the oldest sorted run): the oldest run
    /// of operands is then folded from an absent value into a value, exactly what a read of it would return.
    /// </param>
    public static void FoldRuns(MergeFolder? folder, IReadOnlyList<RowEntry> versions, in FoldBarrier barrier, List<RowEntry> output, bool nothingOlder = false)
    {
        var count = versions.Count;
        List<ReadOnlyMemory<byte>>? operands = null;
        for (var i = 0; i < count;)
        {
            var top = versions[i];
            if (folder is null || top.Kind != RowKind.Merge)
            {
                output.Add(top);
                i++;
                continue;
            }

            operands ??= [];
            operands.Clear();
            operands.Add(top.Value);
            var createTs = top.CreateTs;
            RowEntry? baseRow = null;
            var j = i;
            while (j + 1 < count)
            {
                var next = versions[j + 1];
                if (barrier.Separates(next.Seq, versions[j].Seq) || next.ExpireTs != top.ExpireTs)
                {
                    break;
                }

                j++;
                createTs = MaxOf(createTs, next.CreateTs);
                if (next.Kind != RowKind.Merge)
                {
                    baseRow = next;
                    break;
                }

                operands.Add(next.Value);
            }

            i = j + 1;
            var endsHistory = baseRow is not null || (nothingOlder && i == count);
            if (!endsHistory && operands.Count == 1)
            {
                output.Add(top);
                continue;
            }

            operands.Reverse();
            var hasBase = baseRow is { Kind: RowKind.Value };
            var value = folder.Fold(top.Key.Span, hasBase, hasBase ? baseRow!.Value.Value.Span : [], operands);
            output.Add(!endsHistory
                ? RowEntry.MergeOperand(top.Key, value, top.Seq, createTs, top.ExpireTs)
                : RowEntry.Put(top.Key, value, top.Seq, createTs, top.ExpireTs));
        }
    }

    private static void Track(in RowEntry row, ref long? createTs, ref long? expireTs)
    {
        createTs = MaxOf(createTs, row.CreateTs);
        if (row.ExpireTs is { } expire)
        {
            expireTs = expireTs is { } current ? Math.Min(current, expire) : expire;
        }
    }

    private static long? MaxOf(long? a, long? b) => a is { } x ? (b is { } y ? Math.Max(x, y) : x) : b;

    private static string Describe(ReadOnlySpan<byte> key)
    {
        var shown = key[..Math.Min(key.Length, 32)];
        return Convert.ToHexString(shown) + (shown.Length < key.Length ? $"... ({key.Length} bytes)" : string.Empty);
    }
}

/// <summary>
/// Where a flush or a compaction must not fold two neighbouring versions of a key together, because some snapshot
/// reads the older one as the key's newest: either from the exact list of live snapshots (a flush) or from the lowest
/// sequence a snapshot may read at (a compaction, from the manifest's <c>recent_snapshot_min_seq</c>).
/// </summary>
internal readonly struct FoldBarrier
{
    private readonly ulong[]? _snapshotSeqs;
    private readonly ulong _minSnapshotSeq;

    private FoldBarrier(ulong[]? snapshotSeqs, ulong minSnapshotSeq)
    {
        _snapshotSeqs = snapshotSeqs;
        _minSnapshotSeq = minSnapshotSeq;
    }

    /// <summary>Live snapshots at these sequences (ascending).</summary>
    public static FoldBarrier Snapshots(ulong[] snapshotSeqs) => new(snapshotSeqs, 0);

    /// <summary>Any sequence at or above <paramref name="minSnapshotSeq"/> may be a snapshot.</summary>
    public static FoldBarrier AtOrAbove(ulong minSnapshotSeq) => new(null, minSnapshotSeq);

    /// <summary>True when some snapshot reads the version at <paramref name="olderSeq"/> (the next newer one being at <paramref name="newerSeq"/>).</summary>
    public bool Separates(ulong olderSeq, ulong newerSeq) => _snapshotSeqs is { } seqs
        ? Retention.VersionRetention.SnapshotSeesVersion(seqs, olderSeq, newerSeq)
        : Retention.VersionRetention.SnapshotSeesOlderThan(_minSnapshotSeq, newerSeq);
}
