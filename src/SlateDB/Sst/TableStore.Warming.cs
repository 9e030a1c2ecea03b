using System.Collections.Concurrent;
using SlateDB.Diagnostics;
using SlateDB.Manifest;

namespace SlateDB.Sst;

/// <summary>
/// Cache warming on random reads (<see cref="SlateDbOptions.WarmCacheOnRandomReads"/>): an SST that point reads keep
/// missing blocks in is read whole into the block cache in the background, in large ranged reads, while the cache has
/// room for all of it.
/// </summary>
internal sealed partial class TableStore
{
    /// <summary>The size of each warming read (the blocks it covers, whole).</summary>
    internal const long WarmChunkBytes = 1024 * 1024;

    /// <summary>The fewest point-read misses in an SST that queue it for warming.</summary>
    internal const int WarmMinMisses = 64;

    private readonly ConcurrentQueue<(SsTableHandle Handle, SstFile Sst)> _toWarm = new();
    private volatile bool _warmStopped;
    private readonly Lock _warmerLock = new();
    private Task _warmer = Task.CompletedTask;
    private bool _warmerRunning;

    /// <summary>
    /// The point-read misses after which an SST of <paramref name="blockCount"/> blocks is warmed: a 64th of its
    /// blocks, at least <see cref="WarmMinMisses"/> (a few reads after a restart warm nothing).
    /// </summary>
    internal static int WarmAfterMisses(int blockCount) => Math.Max(WarmMinMisses, blockCount / 64);

    /// <summary>Counts a point read's block miss in <paramref name="sst"/>; the miss that reaches the threshold queues the SST.</summary>
    private void CountMiss(SsTableHandle handle, SstFile sst)
    {
        if (!options.WarmCacheOnRandomReads || cache is null || _warmStopped)
        {
            return;
        }

        if (sst.CountMiss() != WarmAfterMisses(sst.BlockCount) || InstrumentedBlockCache.MemoryCacheOf(cache) is null)
        {
            return;
        }

        _toWarm.Enqueue((handle, sst));
        lock (_warmerLock)
        {
            if (!_warmerRunning && !_warmStopped)
            {
                _warmerRunning = true;
                _warmer = Task.Run(WarmQueuedAsync, CancellationToken.None);
            }
        }
    }

    /// <summary>Warms the queued SSTs one at a time; one warming read is in flight at most.</summary>
    private async Task WarmQueuedAsync()
    {
        while (true)
        {
            while (_toWarm.TryDequeue(out var next) && !_warmStopped)
            {
                try
                {
                    await WarmAsync(next.Handle, next.Sst).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    // Best effort (the SST was deleted, the store failed, the cache was disposed under it): the reads
                    // that need these blocks read them and report what is wrong.
                }
            }

            lock (_warmerLock)
            {
                if (_toWarm.IsEmpty || _warmStopped)
                {
                    _warmerRunning = false;
                    return;
                }
            }
        }
    }

    /// <summary>
    /// Reads <paramref name="sst"/>'s data blocks into the cache, <see cref="WarmChunkBytes"/> at a time, skipping the
    /// cached ones at each read's ends. Stops when the cache no longer has room for what is left of the SST, or when
    /// the SST left the cache's metadata (compacted away or evicted): warming must not evict what reads use.
    /// </summary>
    private async Task WarmAsync(SsTableHandle handle, SstFile sst)
    {
        var memory = InstrumentedBlockCache.MemoryCacheOf(cache)!;
        for (var first = 0; first < sst.BlockCount && !_warmStopped;)
        {
            var start = sst.BlockRange(first).Offset;
            if (memory.DataCapacityBytes - memory.DataSizeBytes < (long)sst.DataEnd - start
                || !TryGetOpened(handle, out var current) || !ReferenceEquals(current, sst))
            {
                return;
            }

            var next = sst.RunEnd(first, sst.BlockCount, WarmChunkBytes);
            await ReadBlocksAsync(sst, first, next - first, cacheBlocks: true, CancellationToken.None, slab: true).ConfigureAwait(false);
            metrics?.CacheWarmedBlocks.Add(next - first);
            first = next;
        }
    }

    /// <summary>Stops the warming (the database or reader is closing) and waits for the read under way (one of about 1 MiB).</summary>
    public async Task StopWarmingAsync()
    {
        await CancelWarming().ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    /// <summary>Stops the warming without waiting; returns the warming task, which ends soon.</summary>
    public Task CancelWarming()
    {
        lock (_warmerLock)
        {
            _warmStopped = true;
            return _warmer;
        }
    }
}
