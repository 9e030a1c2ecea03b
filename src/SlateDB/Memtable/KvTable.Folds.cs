using System.Runtime.CompilerServices;
using SlateDB.Format;
using SlateDB.Merge;

namespace SlateDB.Memtable;

/// <summary>
/// Write-time folds of merge operands (<see cref="StoredFold"/>): when a table has the merge operator, each operand
/// inserted right above an older version of its key in the same table is stored with the operator applied to it and
/// that version (or that version's own fold), so a point read steps over a run of operands at once.
/// </summary>
/// <remarks>
/// <para>Every row is still stored as written: scans, the L0 flush and the WAL never look at folds, so what the
/// table flushes and what the WAL holds do not change. A fold only covers versions at or below its own row's
/// sequence, so a read at any sequence (a snapshot, a transaction) that lands on a row sees exactly what the fold
/// covers: snapshots need no barrier here.</para>
/// <para>Only versions with the same expiry are folded together (a tombstone, which never expires, may end a fold),
/// so an operand never outlives its own TTL inside a fold. An operator that throws here is ignored (the write goes
/// on without a fold; the read that needs the operator fails as before). A fold is at most
/// <see cref="MaxFoldLength"/> bytes, and all folds together at most the table's <see cref="EstimatedSize"/> plus
/// <see cref="FoldBudgetFloor"/>, so folds little more than double a table's memory (operators whose values grow, such as an append, stop folding once
/// the budget is spent).</para>
/// <para>Folds assume versions of a key arrive oldest first (the engine assigns sequences in order). A row inserted
/// below a newer version of its key, or replacing one that has a newer version, turns folds off for the table for
/// good: reads then ignore them.</para>
/// </remarks>
internal sealed partial class KvTable
{
    /// <summary>The longest folded value the table keeps.</summary>
    public const int MaxFoldLength = 1024;

    /// <summary>Fold bytes a table may hold beyond its <see cref="EstimatedSize"/> (so its first rows can fold too).</summary>
    public const int FoldBudgetFloor = 64 * 1024;

    private readonly MergeFolder? _folder;
    private readonly ReadOnlyMemory<byte>[] _foldOne = new ReadOnlyMemory<byte>[1];
    private readonly ReadOnlyMemory<byte>[] _foldTwo = new ReadOnlyMemory<byte>[2];
    private bool _foldsOff;
    private long _foldBytes;

    /// <summary>Bytes the folds take (writer's figure; for tests and diagnostics).</summary>
    public long FoldBytes => Volatile.Read(ref _foldBytes);

    /// <summary>True when folds were turned off (a version arrived out of order); reads then ignore them.</summary>
    public bool FoldsOff => Volatile.Read(ref _foldsOff);

    /// <summary>What <see cref="PlanFold"/> decided: no fold when <see cref="Value"/> is null.</summary>
    private readonly record struct FoldPlan(byte[]? Value, byte Flags, ulong LowSeq, long? CreateTs);

    /// <summary>
    /// The newest version of <paramref name="key"/> at or below <paramref name="maxSeq"/>, as its fold when it has one:
    /// a resolved fold comes back as a value (what a read at that sequence returns, TTL aside), a partial one as one
    /// operand standing for the versions it covers. <paramref name="step"/> says where older versions continue.
    /// </summary>
    public bool TryGetFolded(ReadOnlySpan<byte> key, ulong maxSeq, out RowEntry row, out FoldStep step) =>
        TryGetFolded(key, MemtableKeyFilter.Hash(key), maxSeq, out row, out step);

    /// <summary>
    /// As <see cref="TryGetFolded(ReadOnlySpan{byte}, ulong, out RowEntry, out FoldStep)"/>, with the key's
    /// <see cref="MemtableKeyFilter.Hash"/> computed by the caller (once for all the memtables a read looks in).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool TryGetFolded(ReadOnlySpan<byte> key, ulong keyHash, ulong maxSeq, out RowEntry row, out FoldStep step)
    {
        if (!MayHoldKey(keyHash))
        {
            row = default;
            step = default;
            return false;
        }

        var prefix = KeyPrefix(key);
        var hint = HintFor(prefix);
        var found = FindForRead(keyHash, prefix, key, maxSeq, hint);
        if (!MayMatch(found, hint) || CompareKey(ref _nodes.At((int)found), prefix, key) != 0)
        {
            row = default;
            step = default;
            return false;
        }

        ref var n = ref _nodes.At((int)found);
        var address = (uint)Volatile.Read(ref RowAddress(ref n));
        var chunk = _data.ChunkOf(address);
        var offset = RowArena.OffsetOf(address);
        var keyLength = KeyLength(ref n);
        row = StoredRow.Read(chunk, offset, keyLength, (ulong)Unsafe.Add(ref n, SeqSlot));
        if (!StoredRow.HasFold(chunk, offset) || Volatile.Read(ref _foldsOff))
        {
            step = new FoldStep(row.Seq, false, null, 0);
            return true;
        }

        var fold = StoredRow.FoldOffset(chunk, offset, keyLength);
        var flags = StoredFold.Flags(chunk, fold);
        var resolved = (flags & StoredFold.Resolved) != 0;
        row = new RowEntry(row.Key, StoredFold.Value(chunk, fold), resolved ? RowKind.Value : RowKind.Merge, row.Seq, StoredFold.CreateTs(chunk, fold), row.ExpireTs);
        step = new FoldStep(StoredFold.LowSeq(chunk, fold), (flags & StoredFold.ReachesBottom) != 0, resolved ? null : chunk, fold);
        return true;
    }

    /// <summary>
    /// Records that the partial fold <paramref name="step"/> came from covers its key's whole history (a read found no
    /// older version anywhere, which stays true: older sequences are never written again), so later reads take it as
    /// the value. Any thread.
    /// </summary>
    public static void MarkResolved(in FoldStep step)
    {
        if (step.MarkChunk is { } chunk)
        {
            StoredFold.MarkResolved(chunk, step.MarkOffset);
        }
    }

    private FoldPlan PlanFold(in RowEntry row, ulong prefix, long found, SearchHint hint, bool replaces, int[] preds)
    {
        if (_foldsOff)
        {
            return default;
        }

        var key = row.Key.Span;
        var newer = preds[0];
        if (newer != Head && CompareKey(ref _nodes.At(newer), prefix, key) == 0)
        {
            // A newer version of the key is already here: its fold does not cover this row.
            Volatile.Write(ref _foldsOff, true);
            return default;
        }

        if (row.Kind != RowKind.Merge)
        {
            return default;
        }

        var older = replaces ? NextOf((int)found) : (MayMatch(found, hint) ? (int)found : Head);
        if (older == Head || CompareKey(ref _nodes.At(older), prefix, key) != 0)
        {
            return default;
        }

        ref var n = ref _nodes.At(older);
        var address = (uint)RowAddress(ref n);
        var chunk = _data.ChunkOf(address);
        var offset = RowArena.OffsetOf(address);
        var keyLength = KeyLength(ref n);
        var below = StoredRow.Read(chunk, offset, keyLength, (ulong)Unsafe.Add(ref n, SeqSlot));
        var operand = row.Value;
        switch (below.Kind)
        {
            case RowKind.Tombstone:
                return Plan(key, hasBase: false, default, operand, StoredFold.Resolved, below.Seq, row.CreateTs);
            case RowKind.Value:
                return below.ExpireTs != row.ExpireTs
                    ? default
                    : Plan(key, hasBase: true, below.Value, operand, StoredFold.Resolved, below.Seq, MaxOf(row.CreateTs, below.CreateTs));
        }

        if (below.ExpireTs != row.ExpireTs)
        {
            return default;
        }

        if (StoredRow.HasFold(chunk, offset))
        {
            var fold = StoredRow.FoldOffset(chunk, offset, keyLength);
            var flags = StoredFold.Flags(chunk, fold);
            var createTs = MaxOf(row.CreateTs, StoredFold.CreateTs(chunk, fold));
            var lowSeq = StoredFold.LowSeq(chunk, fold);
            return (flags & StoredFold.Resolved) != 0
                ? Plan(key, hasBase: true, StoredFold.Value(chunk, fold), operand, StoredFold.Resolved, lowSeq, createTs)
                : Plan(key, hasBase: false, StoredFold.Value(chunk, fold), operand, (byte)(flags & StoredFold.ReachesBottom), lowSeq, createTs);
        }

        var next = NextOf(older);
        var bottom = next == Head || !SameKey(next, older) ? StoredFold.ReachesBottom : (byte)0;
        return Plan(key, hasBase: false, below.Value, operand, bottom, below.Seq, MaxOf(row.CreateTs, below.CreateTs));
    }

    /// <summary>
    /// Folds <paramref name="operand"/> over <paramref name="olderValue"/>: as a value over a base when
    /// <paramref name="hasBase"/>, else as two operands (or, with an empty older value and no base, the operand
    /// alone over a tombstone). No fold when it would break the size limits or the operator fails.
    /// </summary>
    private FoldPlan Plan(ReadOnlySpan<byte> key, bool hasBase, ReadOnlyMemory<byte> olderValue, ReadOnlyMemory<byte> operand, byte flags, ulong lowSeq, long? createTs)
    {
        var predicted = olderValue.Length + operand.Length;
        if (predicted > MaxFoldLength || _foldBytes + StoredFold.Length(predicted) > _size + FoldBudgetFloor)
        {
            return default;
        }

        var tombstoneBase = !hasBase && (flags & StoredFold.Resolved) != 0;
        ReadOnlyMemory<byte>[] operands;
        if (hasBase || tombstoneBase)
        {
            operands = _foldOne;
            operands[0] = operand;
        }
        else
        {
            operands = _foldTwo;
            operands[0] = olderValue;
            operands[1] = operand;
        }

        byte[] value;
        try
        {
            value = _folder!.Fold(key, hasBase, hasBase ? olderValue.Span : [], operands);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Writes must not fail here: the read that needs this operand calls the operator again and reports it.
            return default;
        }
        finally
        {
            Array.Clear(operands);
        }

        var length = StoredFold.Length(value.Length);
        if (value.Length > MaxFoldLength || _foldBytes + length > _size + FoldBudgetFloor)
        {
            return default;
        }

        Volatile.Write(ref _foldBytes, _foldBytes + length);
        return new FoldPlan(value, flags, lowSeq, createTs);
    }

    private static long? MaxOf(long? a, long? b) => a is { } x ? (b is { } y ? Math.Max(x, y) : x) : b;
}

/// <summary>
/// Where a fold-aware point read continues after one step (<see cref="KvTable.TryGetFolded(ReadOnlySpan{byte}, ulong, out RowEntry, out FoldStep)"/>): older versions of the
/// key lie below <see cref="LowSeq"/>; when <see cref="ReachesBottom"/>, none of them is in this table. A partial fold
/// carries where to mark it resolved (<see cref="KvTable.MarkResolved"/>).
/// </summary>
internal readonly record struct FoldStep(ulong LowSeq, bool ReachesBottom, byte[]? MarkChunk, int MarkOffset);
