using Microsoft.Extensions.Logging;
using SlateDB.Caching;
using SlateDB.Common;
using SlateDB.Db;
using SlateDB.Flush;
using SlateDB.Manifest;

namespace SlateDB;

public sealed partial class SlateDb
{
    private readonly AsyncSignal _flushSignal = new();
    private TaskCompletionSource _flushProgress = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task[] _loops = [];

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

        loops.Add(_c.Tables.AwaitMetadataPreloadAsync(token)); // Started by recovery; stopped by close.
        _loops = [.. loops];
        StartGarbageCollector();
        if (!State.Frozen.IsEmpty)
        {
            _flushSignal.Set();
        }
    }

    private void RequestWalFlush() => _wal.RequestFlush();

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
            await _wal.RunAsync(token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            Fail(e, "writing the WAL");
        }
    }

    /// <summary>
    /// After each WAL object: wake waiters, and freeze the memtable once <see cref="SlateDbOptions.MaxWalFlushesBeforeL0Flush"/>
    /// WAL objects were written since the last freeze point (the newest frozen memtable's last flushed WAL id, or the
    /// manifest's replay point), as SlateDB does, so that replay after a crash stays bounded.
    /// </summary>
    private void OnWalFlushed(ulong walId)
    {
        var state = State;
        var lastFreeze = state.Frozen.IsEmpty ? state.Core.ReplayAfterWalId : state.Frozen[0].RecentFlushedWalId;
        if (walId >= lastFreeze && walId - lastFreeze >= (ulong)_c.Options.MaxWalFlushesBeforeL0Flush)
        {
            lock (_writeLock)
            {
                if (Volatile.Read(ref _closedError) is null && !_closing)
                {
                    FreezeMemtableLocked();
                }
            }
        }

        SignalProgress();
    }

    /// <summary>How long the L0 flush waits after the merge operator failed before it tries again.</summary>
    internal static readonly TimeSpan MergeFlushRetryDelay = TimeSpan.FromSeconds(1);

    /// <summary>The merge operator's failure in the last L0 flush; null once a flush succeeds.</summary>
    private Exception? _mergeFlushFailure;

    private async Task FlushLoopAsync(CancellationToken token)
    {
        try
        {
            while (!token.IsCancellationRequested)
            {
                _flushSignal.Reset();
                try
                {
                    await _flusher.FlushAsync(ignoreL0Limit: false, token).ConfigureAwait(false);
                    Volatile.Write(ref _mergeFlushFailure, null);
                }
                catch (Exception e) when (Merge.MergeFolder.IsOperatorFailure(e))
                {
                    // The merge operator failed: nothing was recorded, the frozen memtables stay readable (and their
                    // rows in the WAL), and the flush is tried again later.
                    Volatile.Write(ref _mergeFlushFailure, e);
                    _logger.LogError(e, "The L0 flush failed in the merge operator; it is tried again in {Delay}.", MergeFlushRetryDelay);
                    SignalProgress();
                    await Task.Delay(MergeFlushRetryDelay, _c.TimeProvider, token).ConfigureAwait(false);
                    continue;
                }

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

    /// <summary>The database as the memtable flusher sees it.</summary>
    private sealed class FlushHost(SlateDb db) : IMemtableFlushHost
    {
        public DbState State => db.State;

        public ulong NextWalId => db._wal.NextWalId;

        // Through the transaction manager: a transaction past its maximum age gives up its snapshot here, before the
        // flush decides what to keep, and one beginning now is either seen or reads above every row flushed.
        public ulong[] LiveSnapshotSeqs() => db._transactions.LiveSnapshotSeqs();

        public ulong? MinLiveSnapshotSeq() => db._transactions.MinLiveSnapshotSeq();

        public Task FlushWalAsync(CancellationToken cancellationToken) =>
            db._c.Options.WalEnabled ? db._wal.FlushOnceAsync(cancellationToken) : Task.CompletedTask;

        public void Flushed(FrozenMemtable memtable, SsTableHandle sst)
        {
            // The rows are durable in L0 now, WAL or not. Raise the durable mark before the memtable leaves the
            // read state: a Remote read must never see the L0 SST (newest version per key only) with a mark
            // below its rows.
            db._oracle.AdvanceDurable((long)memtable.LastSeq);
            db.SwapState(s => s with { Frozen = s.Frozen.Remove(memtable), Core = db._manifest.Current.Core });
            db.SignalProgress();
            db.WakeCompactor();
        }
    }

    private async Task PollLoopAsync(CancellationToken token)
    {
        try
        {
            while (!token.IsCancellationRequested)
            {
                await Task.Delay(_c.Options.ManifestPollInterval, _c.TimeProvider, token).ConfigureAwait(false);
                await RefreshManifestCoreAsync(token).ConfigureAwait(false);
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
    internal async Task RefreshManifestCoreAsync(CancellationToken token)
    {
        if (await _manifest.RefreshAsync(token).ConfigureAwait(false))
        {
            SwapState(s => s with { Core = _manifest.Current.Core });
            _flushSignal.Set();
            SignalProgress();
        }
    }
}
