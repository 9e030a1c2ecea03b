using Microsoft.Extensions.Logging;
using SlateDB.Composition;
using SlateDB.Db;
using SlateDB.Manifest;

namespace SlateDB.Flush;

/// <summary>
/// The L0 flush (SlateDB's memtable flusher): writes frozen memtables as L0 SSTs and records them in the manifest.
/// Up to <see cref="SlateDbOptions.L0FlushParallelism"/> memtables are uploaded at once (oldest first, while L0 has
/// room), but their manifest updates are applied one by one in memtable order, oldest first: a failed upload stops the
/// flush before any newer memtable is recorded. The WAL is flushed before memtables are dispatched.
/// </summary>
internal sealed class MemtableFlusher(DbComponents c, WriterManifest manifest, IMemtableFlushHost host, ILogger logger) : IDisposable
{
    private readonly SemaphoreSlim _lock = new(1, 1);
    private readonly FlushCollectionNudge _collection = new(c.Options.MemoryBudgetBytes is not null);

    /// <summary>
    /// Flushes the frozen memtables, oldest first, until none is left or (unless <paramref name="ignoreL0Limit"/>) L0
    /// is full.
    /// </summary>
    public async Task FlushAsync(bool ignoreL0Limit, CancellationToken token)
    {
        await _lock.WaitAsync(token).ConfigureAwait(false);
        var inFlight = new Queue<(FrozenMemtable Memtable, Task<SsTableHandle> Upload)>();
        using var uploads = CancellationTokenSource.CreateLinkedTokenSource(token);
        try
        {
            while (true)
            {
                await DispatchAsync(inFlight, ignoreL0Limit, uploads.Token, token).ConfigureAwait(false);
                if (inFlight.Count == 0)
                {
                    var state = host.State;
                    if (state.Frozen.Count > 0)
                    {
                        Log.L0Full(logger, state.Core.Tree.L0.Count);
                    }

                    return;
                }

                var (oldest, upload) = inFlight.Peek();
                var sst = await upload.ConfigureAwait(false);
                inFlight.Dequeue();
                await RecordAsync(oldest, sst, token).ConfigureAwait(false);
            }
        }
        finally
        {
            if (inFlight.Count > 0)
            {
                // A failure: newer uploads are abandoned unrecorded (their SSTs are garbage for the collector).
                await uploads.CancelAsync().ConfigureAwait(false);
                await Task.WhenAll(inFlight.Select(f => (Task)f.Upload)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }

            _lock.Release();
        }
    }

    /// <summary>Starts uploads of the oldest frozen memtables not uploading yet, while there is room.</summary>
    private async Task DispatchAsync(Queue<(FrozenMemtable Memtable, Task<SsTableHandle> Upload)> inFlight, bool ignoreL0Limit, CancellationToken uploadToken, CancellationToken token)
    {
        if (!HasRoom(host.State, inFlight.Count, ignoreL0Limit))
        {
            return;
        }

        // Every committed write reaches the WAL before its memtable reaches L0.
        await host.FlushWalAsync(token).ConfigureAwait(false);
        var state = host.State;
        while (HasRoom(state, inFlight.Count, ignoreL0Limit))
        {
            // Frozen memtables are newest first, and the ones uploading are the oldest.
            var memtable = state.Frozen[state.Frozen.Count - 1 - inFlight.Count];
            var id = c.Ids.NewUlid();
            var snapshots = host.LiveSnapshotSeqs();
            inFlight.Enqueue((memtable, Task.Run(() => Diagnostics.DbTracing.TraceAsync("slatedb.l0.flush", c.Metrics.DbName, () => L0SstWriter.WriteAsync(c.Tables, id, memtable.Table, snapshots, c.Merge, uploadToken, logger)), uploadToken)));
        }
    }

    /// <summary>
    /// True when a frozen memtable waits, an upload slot is free and L0 (with the uploads in flight) has room: fewer
    /// than <c>l0_max_ssts</c> SSTs, and fewer than <c>l0_max_ssts_per_key</c> covering any one key (an upload in
    /// flight, whose range is not known yet, counts at every key).
    /// </summary>
    private bool HasRoom(DbState state, int inFlight, bool ignoreL0Limit) =>
        state.Frozen.Count > inFlight
        && inFlight < c.Options.L0FlushParallelism
        && (ignoreL0Limit
            || (state.Core.Tree.L0.Count + inFlight < c.Options.L0MaxSsts && L0Overlap.Max(state.Core.Tree.L0) + inFlight < c.Options.L0MaxSstsPerKey));

    /// <summary>Records an uploaded memtable in the manifest (L0, replay point, sequences) and hands it to the host.</summary>
    private async Task RecordAsync(FrozenMemtable flushed, SsTableHandle sst, CancellationToken token)
    {
        var retentionSeq = host.MinLiveSnapshotSeq() ?? flushed.LastSeq;
        var view = SsTableView.Identity(sst);
        var lastSeq = flushed.LastSeq;
        var lastTick = flushed.Table.LastTick;
        var nextWalId = host.NextWalId;
        await manifest.UpdateAsync(
            current =>
            {
                var core = current.Core;
                if (WriterManifest.HasL0Flush(current, sst.Id, lastSeq, flushed.RecentFlushedWalId))
                {
                    // Already recorded (a create the store reported as a conflict had landed): change nothing.
                    return current;
                }

                return current with
                {
                    Core = core with
                    {
                        Tree = core.Tree with { L0 = [view, .. core.Tree.L0] },
                        ReplayAfterWalId = Math.Max(core.ReplayAfterWalId, flushed.RecentFlushedWalId),
                        NextWalSstId = Math.Max(core.NextWalSstId, nextWalId),
                        LastL0Seq = Math.Max(core.LastL0Seq, lastSeq),
                        LastL0ClockTick = Math.Max(core.LastL0ClockTick, lastTick),
                        RecentSnapshotMinSeq = retentionSeq,
                        SequenceTracker = WithSequences(core.SequenceTracker, flushed.Sequences),
                    },
                };
            },
            token).ConfigureAwait(false);
        c.Metrics.ManifestUpdates.Add(1);
        c.Metrics.L0Flushes.Add(1);
        c.Metrics.L0FlushBytes.Add((long)sst.EstimatedSize);
        Log.L0Flushed(logger, sst.Id.ToString(), (long)sst.EstimatedSize, manifest.Id);
        host.Flushed(flushed, sst);
        _collection.AfterFlush();
    }

    /// <summary>The manifest's tracker extended with a flushed memtable's pairs; unchanged if a pair would go back in time.</summary>
    private SequenceTracker WithSequences(SequenceTracker current, SequenceTracker? flushed)
    {
        if (flushed is null || flushed.Count == 0)
        {
            return current;
        }

        try
        {
            return current.ExtendFrom(flushed);
        }
        catch (ArgumentException e)
        {
            // Another writer's clock ran ahead of ours: keep its pairs rather than fail the flush.
            logger.LogWarning(e, "The flushed memtable's sequence-time pairs were not added to the manifest's tracker.");
            return current;
        }
    }

    /// <summary>Releases the flush lock; call once no flush runs any more.</summary>
    public void Dispose() => _lock.Dispose();
}
