using SlateDB.Caching;
using Microsoft.Extensions.Logging;
using SlateDB.Common;
using SlateDB.Manifest;

namespace SlateDB;

public sealed partial class SlateDb
{
    private readonly AsyncSignal _walFlushSignal = new();
    private readonly AsyncSignal _flushSignal = new();
    private readonly SemaphoreSlim _walFlushLock = new(1, 1);
    private readonly SemaphoreSlim _l0FlushLock = new(1, 1);
    private TaskCompletionSource _flushProgress = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task[] _loops = [];
    private Wal.WalBuffer? _spareWalBuffer;

    private void StartBackgroundWork()
    {
        var token = _stop.Token;
        var loops = new List<Task> { StartEmbeddedCompactor(token), Task.Run(() => FlushLoopAsync(token), CancellationToken.None), Task.Run(() => PollLoopAsync(token), CancellationToken.None) };
        if (_c.Options.WalEnabled)
        {
            loops.Add(Task.Run(() => WalLoopAsync(token), CancellationToken.None));
        }

        if (_c.Store is DiskCachedObjectStore diskCache && _c.Options.ObjectStoreCacheOptions.PreloadDiskCacheOnStartup is { } preload)
        {
            loops.Add(Task.Run(() => PreloadDiskCacheAsync(diskCache, preload, token), CancellationToken.None));
        }

        _loops = [.. loops];
        StartGarbageCollector();
        if (!State.Frozen.IsEmpty)
        {
            _flushSignal.Set();
        }
    }

    private void RequestWalFlush() => _walFlushSignal.Set();

    private async Task PreloadDiskCacheAsync(DiskCachedObjectStore cache, PreloadLevel level, CancellationToken token)
    {
        try
        {
            var tree = State.Core.Tree;
            var views = level == PreloadLevel.L0Sst ? tree.L0 : tree.AllViews;
            await cache.PreloadAsync(views.Select(view => _c.Paths.SstPath(view.Sst.Id)).ToList(), token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
        catch (Exception e) when (e is SlateDbException or IOException)
        {
            // A failed preload only leaves the cache colder.
            Log.PreloadFailed(_logger, e);
        }
    }

    /// <summary>Wakes writers waiting for memory or L0 room.</summary>
    private void SignalProgress()
    {
        var previous = Interlocked.Exchange(ref _flushProgress, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        previous.TrySetResult();
    }

    private async Task WalLoopAsync(CancellationToken token)
    {
        try
        {
            while (!token.IsCancellationRequested)
            {
                _walFlushSignal.Reset();

                // The next tick is due one interval after this pass starts, not after it ends: the WAL is written at
                // a fixed rate (as SlateDB's ticker does), so the PUT's latency does not stretch the interval.
                var tick = _c.Options.FlushInterval is { } interval ? Task.Delay(interval, _c.TimeProvider, token) : null;
                await FlushWalOnceAsync(token).ConfigureAwait(false);
                var signal = _walFlushSignal.WaitAsync();
                if (tick is not null)
                {
                    await Task.WhenAny(signal, tick).ConfigureAwait(false);
                }
                else
                {
                    await signal.WaitAsync(token).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            Fail(e, "writing the WAL");
        }
    }

    /// <summary>Writes the WAL buffer, if it holds anything, as the next WAL object.</summary>
    private async Task FlushWalOnceAsync(CancellationToken token)
    {
        await _walFlushLock.WaitAsync(token).ConfigureAwait(false);
        try
        {
            Wal.WalBuffer buffer;
            ulong walId;
            lock (_writeLock)
            {
                if (_walBuffer.IsEmpty)
                {
                    return;
                }

                buffer = _walBuffer;
                _walBuffer = _spareWalBuffer ?? new Wal.WalBuffer();
                _spareWalBuffer = null;
                walId = _nextWalId++;
            }

            var size = await _c.Tables.WriteWalAsync(walId, buffer.Rows, token, buffer.EstimatedSize).ConfigureAwait(false);
            if (size is null)
            {
                throw SlateDbException.Closed(CloseReason.Fenced, $"WAL object {walId} was written by another writer: this instance was fenced.");
            }

            Volatile.Write(ref _lastFlushedWalId, walId);
            _oracle.AdvanceDurable((long)buffer.LastSeq);
            buffer.Clear();
            lock (_writeLock)
            {
                _spareWalBuffer = buffer;
            }

            _c.Metrics.WalFlushes.Add(1);
            _c.Metrics.WalFlushBytes.Add(size.Value);
            SignalProgress();
        }
        finally
        {
            _walFlushLock.Release();
        }
    }

    private async Task FlushLoopAsync(CancellationToken token)
    {
        try
        {
            while (!token.IsCancellationRequested)
            {
                _flushSignal.Reset();
                await FlushFrozenMemtablesAsync(ignoreL0Limit: false, token).ConfigureAwait(false);
                await _flushSignal.WaitAsync().WaitAsync(token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            Fail(e, "flushing a memtable to L0");
        }
    }

    /// <summary>Writes frozen memtables, oldest first, as L0 SSTs and records each in the manifest.</summary>
    private async Task FlushFrozenMemtablesAsync(bool ignoreL0Limit, CancellationToken token)
    {
        await _l0FlushLock.WaitAsync(token).ConfigureAwait(false);
        try
        {
            while (State.Frozen.Count > 0)
            {
                var state = State;
                if (!ignoreL0Limit && state.Core.Tree.L0.Count >= _c.Options.L0MaxSsts)
                {
                    Log.L0Full(_logger, state.Core.Tree.L0.Count);
                    return;
                }

                var oldest = state.Frozen[^1];
                var id = _c.Ids.NewUlid();
                var sst = await _c.Tables.WriteMemtableAsync(id, oldest.Table, _snapshots.LiveSeqs(), token).ConfigureAwait(false);
                var retentionSeq = _snapshots.MinLive() ?? oldest.LastSeq;
                var view = SsTableView.Identity(sst);
                var lastSeq = oldest.LastSeq;
                var lastTick = oldest.Table.LastTick;
                await _manifest.UpdateAsync(
                    manifest =>
                    {
                        var core = manifest.Core;
                        if (Db.WriterManifest.HasL0Flush(manifest, sst.Id, lastSeq, oldest.RecentFlushedWalId))
                        {
                            return manifest;
                        }

                        return manifest with
                        {
                            Core = core with
                            {
                                Tree = core.Tree with { L0 = [view, .. core.Tree.L0] },
                                ReplayAfterWalId = Math.Max(core.ReplayAfterWalId, oldest.RecentFlushedWalId),
                                NextWalSstId = Math.Max(core.NextWalSstId, Volatile.Read(ref _nextWalId)),
                                LastL0Seq = Math.Max(core.LastL0Seq, lastSeq),
                                LastL0ClockTick = Math.Max(core.LastL0ClockTick, lastTick),
                                RecentSnapshotMinSeq = retentionSeq,
                                SequenceTracker = WithSequences(core.SequenceTracker, oldest.Sequences),
                            },
                        };
                    },
                    token).ConfigureAwait(false);
                _c.Metrics.ManifestUpdates.Add(1);

                // The rows are durable in L0 now, WAL or not. Raise the durable mark before the memtable leaves the
                // read state: a Remote read must never see the L0 SST (newest version per key only) with a mark
                // below its rows.
                _oracle.AdvanceDurable((long)lastSeq);
                SwapState(s => s with { Frozen = s.Frozen.Remove(oldest), Core = _manifest.Current.Core });

                _c.Metrics.L0Flushes.Add(1);
                _c.Metrics.L0FlushBytes.Add((long)sst.EstimatedSize);
                SignalProgress();
                WakeCompactor();
            }
        }
        finally
        {
            _l0FlushLock.Release();
        }
    }

    /// <summary>The manifest's tracker extended with a flushed memtable's pairs; unchanged if a pair would go back in time.</summary>
    private SequenceTracker WithSequences(SequenceTracker manifest, SequenceTracker? flushed)
    {
        if (flushed is null || flushed.Count == 0)
        {
            return manifest;
        }

        try
        {
            return manifest.ExtendFrom(flushed);
        }
        catch (ArgumentException e)
        {
            // Another writer's clock ran ahead of ours: keep its pairs rather than fail the flush.
            _logger.LogWarning(e, "The flushed memtable's sequence-time pairs were not added to the manifest's tracker.");
            return manifest;
        }
    }

    private async Task PollLoopAsync(CancellationToken token)
    {
        try
        {
            while (!token.IsCancellationRequested)
            {
                await Task.Delay(_c.Options.ManifestPollInterval, _c.TimeProvider, token).ConfigureAwait(false);
                await RefreshManifestAsync(token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            Fail(e, "polling the manifest");
        }
    }

    /// <summary>Rereads the manifest now: notices fencing and picks up compactions.</summary>
    internal async Task RefreshManifestAsync(CancellationToken token)
    {
        if (await _manifest.RefreshAsync(token).ConfigureAwait(false))
        {
            SwapState(s => s with { Core = _manifest.Current.Core });
            _flushSignal.Set();
            SignalProgress();
        }
    }
}
