using System.Runtime.CompilerServices;
using SlateDB.Db;
using SlateDB.Format;
using SlateDB.Format.Blocks;
using SlateDB.Manifest;
using SlateDB.Memtable;
using SlateDB.Sst;

namespace SlateDB;

public sealed partial class SlateDb
{
    /// <summary>Reads a key's value; null when the key is absent, deleted or expired.</summary>
    /// <exception cref="ArgumentException">The key is empty or longer than 65,535 bytes.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public ValueTask<byte[]?> GetAsync(ReadOnlyMemory<byte> key, ReadOptions? options = null, CancellationToken cancellationToken = default)
    {
        // A get served from memory (memtables, cached blocks) completes here, without an async state machine.
        var pending = GetRowAsync(key, options ?? ReadOptions.Default, ulong.MaxValue, cancellationToken);
        return pending.IsCompletedSuccessfully ? new(ValueOf(pending.Result)) : ValueAsync(pending);

        static async ValueTask<byte[]?> ValueAsync(ValueTask<RowEntry?> pending) => ValueOf(await pending.ConfigureAwait(false));
    }

    private static byte[]? ValueOf(RowEntry? row) => row is { } found ? found.Value.ToArray() : null;

    /// <summary>Reads the value of a UTF-8 string key as a UTF-8 string; null when absent.</summary>
    public async ValueTask<string?> GetAsync(string key, ReadOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        var row = await GetRowAsync(System.Text.Encoding.UTF8.GetBytes(key), options ?? ReadOptions.Default, ulong.MaxValue, cancellationToken).ConfigureAwait(false);
        return row is { } found ? System.Text.Encoding.UTF8.GetString(found.Value.Span) : null;
    }

    /// <summary>Reads a key's value with its sequence number and timestamps; null when absent, deleted or expired.</summary>
    public async ValueTask<KeyValue?> GetKeyValueAsync(ReadOnlyMemory<byte> key, ReadOptions? options = null, CancellationToken cancellationToken = default)
    {
        var row = await GetRowAsync(key, options ?? ReadOptions.Default, ulong.MaxValue, cancellationToken).ConfigureAwait(false);
        return row is { } found ? PointReadResult(found) : null;
    }

    /// <summary>
    /// The public form of a row a point read found. The key is copied: a row found in an SST carries the caller's own
    /// key memory (see <see cref="BlockPointSearch"/>), which the caller may reuse.
    /// </summary>
    internal static KeyValue PointReadResult(in RowEntry row) => ToKeyValue(row with { Key = row.Key.ToArray() });

    internal static KeyValue ToKeyValue(in RowEntry row) => new(
        row.Key,
        row.Value,
        (long)row.Seq,
        FromUnixMillis(row.CreateTs ?? 0),
        row.ExpireTs is { } expire ? FromUnixMillis(expire) : null);

    // Stored timestamps are any i64 (a long TTL easily passes year 9999): clamp to what DateTimeOffset can hold.
    private static DateTimeOffset FromUnixMillis(long millis) =>
        millis >= s_maxUnixMillis ? DateTimeOffset.MaxValue
        : millis <= s_minUnixMillis ? DateTimeOffset.MinValue
        : DateTimeOffset.FromUnixTimeMilliseconds(millis);

    private static readonly long s_maxUnixMillis = DateTimeOffset.MaxValue.ToUnixTimeMilliseconds();
    private static readonly long s_minUnixMillis = DateTimeOffset.MinValue.ToUnixTimeMilliseconds();

    /// <summary>The highest sequence a read with these options may see.</summary>
    private ulong MaxVisibleSeq(DurabilityLevel durability, bool dirty)
    {
        var max = dirty ? _oracle.LastSeq : _oracle.CommittedSeq;
        if (durability == DurabilityLevel.Remote)
        {
            max = Math.Min(max, _oracle.DurableSeq);
        }

        return (ulong)max;
    }

    /// <summary>
    /// A point read's row. Behaves as an async method (failures, including bad arguments, are reported through the
    /// returned task), but a read served from memory completes without an async state machine.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal ValueTask<RowEntry?> GetRowAsync(ReadOnlyMemory<byte> key, ReadOptions options, ulong seqCap, CancellationToken cancellationToken)
    {
        Diagnostics.TimedOperation timed;
        System.Diagnostics.Activity? caller;
        ValueTask<RowEntry?> pending;
        try
        {
            WriteBatch.ValidateKey(key.Span);
            cancellationToken.ThrowIfCancellationRequested();
            ThrowIfClosed();
        }
        catch (Exception e)
        {
            return Failed(e);
        }

        _c.Metrics.Gets.Add(1);
        caller = System.Diagnostics.Activity.Current;
        timed = new Diagnostics.TimedOperation("slatedb.get", _c.Metrics, _c.Metrics.GetDuration);
        try
        {
            var maxSeq = Math.Min(seqCap, MaxVisibleSeq(options.DurabilityFilter, options.Dirty));
            pending = FindVisibleAsync(State, key, maxSeq, options.CacheBlocks, cancellationToken);
        }
        catch (Exception e)
        {
            timed.Dispose();
            return Failed(e);
        }

        if (pending.IsCompleted)
        {
            timed.Dispose();
            return pending;
        }

        var awaiting = TimedAsync(pending, timed);
        if (timed.Activity is not null)
        {
            System.Diagnostics.Activity.Current = caller; // As an async method leaves its caller's current span.
        }

        return awaiting;

        static async ValueTask<RowEntry?> TimedAsync(ValueTask<RowEntry?> pending, Diagnostics.TimedOperation timed)
        {
            using (timed)
            {
                return await pending.ConfigureAwait(false);
            }
        }

        static ValueTask<RowEntry?> Failed(Exception e) => e is OperationCanceledException canceled && canceled.CancellationToken.IsCancellationRequested
            ? ValueTask.FromCanceled<RowEntry?>(canceled.CancellationToken)
            : ValueTask.FromException<RowEntry?>(e);
    }

    /// <summary>
    /// The key's newest version in <paramref name="state"/> at or below <paramref name="maxSeq"/>, as a read returns it;
    /// completed at once when memory serves it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private ValueTask<RowEntry?> FindVisibleAsync(DbState state, ReadOnlyMemory<byte> key, ulong maxSeq, bool cacheBlocks, CancellationToken cancellationToken)
    {
        if (FindInMemory(state, key.Span, maxSeq, out var hit) is { } inMemory)
        {
            return inMemory.Kind == RowKind.Merge
                ? ResolveMergeAsync(state, key, maxSeq, cacheBlocks, hit, cancellationToken)
                : new(Visible(inMemory));
        }

        var pending = FindInTreeAsync(state.Core.Tree, key, maxSeq, cacheBlocks, cancellationToken);
        return pending.IsCompletedSuccessfully
            ? VisibleInTree(state, key, maxSeq, cacheBlocks, pending.Result, cancellationToken)
            : FindVisibleInTreeAsync(state, key, maxSeq, cacheBlocks, pending, cancellationToken);
    }

    private async ValueTask<RowEntry?> FindVisibleInTreeAsync(DbState state, ReadOnlyMemory<byte> key, ulong maxSeq, bool cacheBlocks, ValueTask<RowEntry?> pending, CancellationToken cancellationToken)
    {
        var found = await pending.ConfigureAwait(false);
        return await VisibleInTree(state, key, maxSeq, cacheBlocks, found, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>What the SSTs' newest version <paramref name="found"/> reads as: a merge operand is resolved, the rest as <see cref="Visible"/> says.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private ValueTask<RowEntry?> VisibleInTree(DbState state, ReadOnlyMemory<byte> key, ulong maxSeq, bool cacheBlocks, RowEntry? found, CancellationToken cancellationToken)
    {
        if (found is { Kind: RowKind.Merge })
        {
            return ResolveMergeAsync(state, key, maxSeq, cacheBlocks, null, cancellationToken);
        }

        return new(found is { } row ? Visible(row) : null);
    }

    /// <summary>
    /// The key's newest version in the memtables at or below <paramref name="maxSeq"/>, as its memtable fold when it
    /// has one (a resolved fold is a value; see KvTable.Folds.cs); <paramref name="hit"/> says where it was found.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static RowEntry? FindInMemory(DbState state, ReadOnlySpan<byte> key, ulong maxSeq, out MemtableHit hit)
    {
        // Hashed once for every memtable's key filter.
        var keyHash = MemtableKeyFilter.Hash(key);
        if (state.Memtable.TryGetFolded(key, keyHash, maxSeq, out var row, out var step))
        {
            hit = new MemtableHit(row, 0, step);
            return row;
        }

        var frozen = state.Frozen;
        for (var i = 0; i < frozen.Count; i++)
        {
            if (frozen[i].Table.TryGetFolded(key, keyHash, maxSeq, out row, out step))
            {
                hit = new MemtableHit(row, i + 1, step);
                return row;
            }
        }

        hit = default;
        return null;
    }

    /// <summary>
    /// The newest visible version in the SSTs, newest SST first, reading what the cache misses (SSTs already ruled out
    /// from memory are not probed again). Served without awaiting when every SST it probes has its metadata and blocks
    /// cached, or the store completes the reads at once (a local file); otherwise the search goes on once the first
    /// read still under way is done.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private ValueTask<RowEntry?> FindInTreeAsync(LsmTreeState tree, ReadOnlyMemory<byte> key, ulong maxSeq, bool cacheBlocks, CancellationToken cancellationToken)
    {
        var lookup = new PointLookup(key, maxSeq);
        var views = new PointProbeOrder(tree, key);
        while (views.MoveNext())
        {
            switch (_c.Tables.TryGetCached(views.Current, lookup, out var row))
            {
                case CachedLookup.Found:
                    return new(row);
                case CachedLookup.NeedsRead:
                    // The view is read without a second cache probe. A read the store completed at once (a local
                    // file's) goes on here; otherwise the search goes on once it is done.
                    var reading = _c.Tables.GetAfterMissAsync(views.Current, lookup, cacheBlocks, cancellationToken);
                    if (!reading.IsCompletedSuccessfully)
                    {
                        return FindInTreeSlowAsync(views, lookup, cacheBlocks, reading, cancellationToken); // A copy, at the current view.
                    }

                    if (reading.Result is { } read)
                    {
                        return new(read);
                    }

                    break;
            }
        }

        return new((RowEntry?)null);
    }

    /// <summary>
    /// The search from <paramref name="views"/>' current view, which <see cref="TableStore.TryGetCached"/> found needs a
    /// read (a cold block miss) that is under way: once it is done, the views after it as usual.
    /// </summary>
    private async ValueTask<RowEntry?> FindInTreeSlowAsync(PointProbeOrder views, PointLookup lookup, bool cacheBlocks, ValueTask<RowEntry?> reading, CancellationToken cancellationToken)
    {
        var first = await reading.ConfigureAwait(false);
        if (first is not null)
        {
            return first;
        }

        while (views.MoveNext())
        {
            var row = await _c.Tables.GetAsync(views.Current, lookup, cacheBlocks, cancellationToken).ConfigureAwait(false);
            if (row is not null)
            {
                return row;
            }
        }

        return null;
    }

    /// <summary>The row as a read returns it: null for tombstones and expired rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private RowEntry? Visible(in RowEntry row)
    {
        switch (row.Kind)
        {
            case RowKind.Tombstone:
                return null;
            case RowKind.Merge:
                throw Merge.MergeFolder.MissingOperator();
            default:
                if (row.ExpireTs is { } expire && expire <= _clock.Now())
                {
                    return null;
                }

                return row;
        }
    }
}
