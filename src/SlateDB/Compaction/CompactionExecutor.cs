using System.Buffers;
using System.Threading.Channels;
using SlateDB.Common;
using SlateDB.Format;
using SlateDB.Format.Compression;
using SlateDB.Iterators;
using SlateDB.Manifest;
using SlateDB.Merge;
using SlateDB.Sst;

namespace SlateDB.Compaction;

/// <summary>How the executor reads and writes.</summary>
/// <param name="Build">
/// How output SSTs are built; null takes the block compression of the newest input SST (so a standalone compactor
/// keeps the writer's codec) with SlateDB's default block and filter settings.
/// </param>
/// <param name="MaxSstSize">Output SSTs are cut once they reach this size (never between versions of one key).</param>
/// <param name="MaxFetchTasks">Block reads in flight per input SST.</param>
/// <param name="ReadAheadBytes">Bytes of adjacent blocks fetched by one read.</param>
/// <param name="MaxSubcompactions">
/// How many key ranges one compaction is split into at most, merged in parallel (RFC-0028); 1 or less: no split.
/// </param>
/// <param name="InferredMinFilterKeys">With <paramref name="Build"/> null: the filter threshold of the inferred settings (null: SlateDB's default).</param>
/// <param name="ShareReadBuffers">
/// Whether all the executor's compactions read into one pool of buffers (a database under a memory budget), rather than
/// each range into a pool of its own that becomes garbage when the range is done.
/// </param>
internal sealed record CompactionExecutorSettings(
    SstBuildSettings? Build, long MaxSstSize, int MaxFetchTasks, long ReadAheadBytes, int MaxSubcompactions = 1, int? InferredMinFilterKeys = null,
    bool ShareReadBuffers = false)
{
    /// <summary>The read size: 256 blocks of the default 4 KiB, as SlateDB fetches for compactions.</summary>
    public const long DefaultReadAheadBytes = 1024 * 1024;
}

/// <summary>
/// Executes compactions (SlateDB's <c>CompactionExecutor</c>): merges the inputs in key order (among versions of one
/// key, the highest sequence first), applies the retention rules and the compaction filter to each key's versions, and
/// writes the result as compacted SSTs cut at <see cref="CompactionExecutorSettings.MaxSstSize"/>. A compaction is
/// split into key ranges (subcompactions) merged in parallel, each writing its own SSTs; with an
/// <see cref="ICompactionProgress"/> the ranges and each SST written are recorded, so a later attempt resumes every
/// range after the last key it wrote. Returns the new sorted run: the ranges' SSTs in key order.
/// </summary>
internal sealed class CompactionExecutor(
    TableStore tables, IdGenerator ids, TimeProvider time, CompactionExecutorSettings settings, MergeFolder? merge = null, ICompactionFilterSupplier? filters = null)
{
    /// <summary>SST uploads allowed in flight while the next SST is being built.</summary>
    private const int MaxPendingUploads = 2;

    /// <summary>
    /// Block reads in flight across all the inputs of one range, the reads a single input may have in flight
    /// (<see cref="CompactionExecutorSettings.MaxFetchTasks"/>) shared out among the inputs.
    /// </summary>
    private const int MaxReadsInFlight = 8;

    /// <summary>Row batches queued between the merge and the writer.</summary>
    private const int PipelineBatches = 8;

    public CompactionExecutorSettings Settings => settings;

    /// <summary>
    /// The buffers each range's inputs are read and decoded into (tests: one that poisons what comes back, or none to
    /// decode every block into new arrays as a compaction with a filter does).
    /// </summary>
    internal Func<BlockBuffers?>? NewBlockBuffers { get; init; }

    /// <summary>The pool every range reads into when <see cref="CompactionExecutorSettings.ShareReadBuffers"/> is set.</summary>
    /// <remarks>
    /// Idle arrays kept per size: up to 4 compactions × 8 reads in flight, and about as many again behind queued rows,
    /// are in use at once; more than that only come back to the GC.
    /// </remarks>
    private readonly System.Buffers.ArrayPool<byte>? _sharedReads = settings.ShareReadBuffers ? BlockBuffers.NewSharedPool(maxArraysPerBucket: 64) : null;

    public Task<CompactionOutput> ExecuteAsync(CompactionJob job, CancellationToken cancellationToken) => ExecuteAsync(job, progress: null, cancellationToken);

    public async Task<CompactionOutput> ExecuteAsync(CompactionJob job, ICompactionProgress? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        var started = time.GetTimestamp();
        var context = progress?.Resumed is { Subcompactions.Count: > 0 } resumed ? resumed : null;
        if (context is null)
        {
            var planned = await SubcompactionPlanner.PlanAsync(tables, job, settings.MaxSubcompactions, cancellationToken).ConfigureAwait(false);
            context = new CompactionContext(planned.Select(range => new Subcompaction(range, [])).ToArray(), job.Retention.RetentionMinSeq);
            if (progress is not null)
            {
                await progress.RecordAsync(context, cancellationToken).ConfigureAwait(false);
            }
        }
        else
        {
            // Resumed: the rows already written were kept by the retention sequence the compaction started with.
            job = job with { Retention = job.Retention with { RetentionMinSeq = context.RetentionMinSeq } };
        }

        using var tracker = new SubcompactionTracker(context, progress);
        var build = settings.Build ?? InferBuildSettings(job) with { MinFilterKeys = settings.InferredMinFilterKeys ?? SlateDbOptions.Default.MinFilterKeys };
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var ranges = Enumerable.Range(0, tracker.Ranges.Count).Select(index => Task.Run(
            async () =>
            {
                try
                {
                    return await ExecuteRangeAsync(job, build, tracker, index, stop.Token).ConfigureAwait(false);
                }
                catch
                {
                    // One range failing fails the compaction: stop the others.
                    await stop.CancelAsync().ConfigureAwait(false);
                    throw;
                }
            },
            CancellationToken.None)).ToArray();
        RangeResult[] results;
        try
        {
            results = await Task.WhenAll(ranges).ConfigureAwait(false);
        }
        catch
        {
            // The first failure that is not a cancellation caused by another range's failure.
            var failure = ranges.Where(task => task.IsFaulted).Select(task => task.Exception!.InnerException!).FirstOrDefault(e => e is not OperationCanceledException);
            if (failure is not null && !cancellationToken.IsCancellationRequested)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
            }

            throw;
        }

        var outputs = Enumerable.Range(0, tracker.Ranges.Count).SelectMany(tracker.OutputsOf).ToArray();
        var run = new SortedRun(job.Destination, outputs.Select(SsTableView.Identity).ToArray());
        return new CompactionOutput(
            run,
            job.InputBytes,
            outputs.Sum(sst => (long)sst.EstimatedSize),
            results.Sum(result => result.RowsRead),
            results.Sum(result => result.RowsWritten),
            time.GetElapsedTime(started))
        {
            Subcompactions = tracker.Ranges.Count,
            ResumedSubcompactions = results.Count(result => result.Resumed),
        };
    }

    /// <summary>Merges one key range of the job (after what an earlier attempt wrote of it) into SSTs.</summary>
    private async Task<RangeResult> ExecuteRangeAsync(CompactionJob job, SstBuildSettings build, SubcompactionTracker tracker, int index, CancellationToken cancellationToken)
    {
        var range = SubcompactionRanges.ToKeyRange(tracker.Ranges[index]);
        var written = tracker.OutputsOf(index);
        var resumed = written.Count > 0;
        if (resumed)
        {
            if (written[^1].Info.LastEntry is { } lastKey)
            {
                range = SubcompactionRanges.Intersect(range, KeyRange.After(lastKey));
            }
            else
            {
                // The last key of what was written is unknown: write the range again (the old SSTs become garbage).
                tracker.Reset(index);
                resumed = false;
            }
        }

        var filterContext = new CompactionJobContext
        {
            Destination = job.Destination,
            IsDestinationLastRun = job.Retention.DropTombstones,
            CompactionClockTick = job.Retention.CompactionClockTick,
            RetentionMinSequence = job.Retention.RetentionMinSeq,
            Range = range,
            Time = time,
        };
        var filter = filters is null ? null : await filters.CreateFilterAsync(filterContext, cancellationToken).ConfigureAwait(false);
        if (filters is not null && filter is null)
        {
            throw new InvalidOperationException("The compaction filter supplier returned no filter.");
        }

        var l0 = new List<(SsTableView View, KeyRange Within)>(job.L0Views.Count);
        if (!range.IsEmpty)
        {
            foreach (var view in job.L0Views)
            {
                var within = SubcompactionRanges.Intersect(ViewRanges.Of(view), range);
                if (!within.IsEmpty)
                {
                    l0.Add((view, within));
                }
            }
        }

        var sourceCount = range.IsEmpty ? 0 : l0.Count + job.SortedRuns.Count;
        // Without a compaction filter (user code that might keep the rows it is shown), blocks are read and decoded
        // into reused buffers, each returned once the writer is done with the rows over it.
        var buffers = filter is null ? (NewBlockBuffers is { } make ? make() : new BlockBuffers(_sharedReads, poisonReturned: false)) : null;
        var fetch = new BlockFetch(Math.Max(1, settings.ReadAheadBytes), FetchTasksPerSource(settings.MaxFetchTasks, sourceCount), CacheBlocks: false, Buffers: buffers);
        var sources = new List<IRowIterator>(sourceCount);
        if (!range.IsEmpty)
        {
            sources.AddRange(l0.Select(input => (IRowIterator)new SstRowIterator(tables, input.View, input.Within, IterationOrder.Ascending, fetch)));
            sources.AddRange(job.SortedRuns.Select(run => ViewRanges.SortedRun(tables, run, fetch, range)));
        }

        using var merged = new MergeRowIterator(sources, IterationOrder.Ascending);
        var writer = new OutputWriter(
            tables, ids, build, settings.MaxSstSize, job.InputBytes / tracker.Ranges.Count, (sst, token) => tracker.AddAsync(index, sst, token), cancellationToken);

        // Two stages on two threads: this one reads, merges and applies retention and the filter; the writer's builds
        // blocks, compresses, checksums and uploads. Rows pass in batches (their keys and values are slices of
        // decoded blocks, not written while the rows are in flight: a batch carries the block buffers retired before
        // it was sent, and they go back to the pool only once the writer returns the batch).
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var batches = Channel.CreateBounded<RowBatch>(new BoundedChannelOptions(PipelineBatches) { SingleReader = true, SingleWriter = true });
        var pool = new RowBatchPool(buffers);
        var writing = Task.Run(() => WriteBatchesAsync(batches.Reader, writer, pool, stop), CancellationToken.None);
        long rowsRead;
        try
        {
            rowsRead = await MergeAsync(merged, job.Retention, merge, filter, buffers, batches.Writer, pool, stop.Token).ConfigureAwait(false);
            batches.Writer.Complete();
        }
        catch (Exception e)
        {
            batches.Writer.TryComplete(e);
            await stop.CancelAsync().ConfigureAwait(false);
            try
            {
                await writing.ConfigureAwait(false);
            }
            catch (Exception writerFailure) when (writerFailure is not OperationCanceledException && !ReferenceEquals(writerFailure, e))
            {
                // The writer failed first (an upload): that is the cause, the merge only stopped because of it.
                throw;
            }
            catch (Exception) when (writing.IsFaulted || writing.IsCanceled)
            {
                // The writer stopped because the merge did.
            }

            throw;
        }

        await writing.ConfigureAwait(false);
        return new RangeResult(rowsRead, writer.RowsWritten, resumed);
    }

    /// <summary>
    /// Merges the inputs, groups each key's versions, applies retention and the filter, and queues the kept rows in
    /// batches. Calls the filter's end hook after the last row.
    /// </summary>
    /// <remarks>
    /// The hot loop: a key with one version (most keys) that is a live value, or a tombstone without expiry, is decided
    /// in place and copied once, into the batch; only keys with several versions, merge operands, expiring rows or a
    /// filter go through <see cref="RetentionFilter"/>. Steps of the merge that complete synchronously (the next row is
    /// in a decoded block) are not awaited.
    /// </remarks>
    private static async Task<long> MergeAsync(
        MergeRowIterator merged,
        RetentionPolicy retention,
        MergeFolder? merge,
        ICompactionFilter? filter,
        BlockBuffers? buffers,
        ChannelWriter<RowBatch> output,
        RowBatchPool pool,
        CancellationToken cancellationToken)
    {
        var versions = new List<RowEntry>();
        var kept = new List<RowEntry>();
        var scratch = filter is null ? null : new List<RowEntry>();
        var batch = pool.Rent();
        long rowsRead = 0;

        // The first version of the key being gathered; `versions` holds it and the others once a second one comes.
        var first = default(RowEntry);
        var gathering = false;
        while (true)
        {
            var step = merged.MoveNextAsync(cancellationToken);
            if (!(step.IsCompletedSuccessfully ? step.Result : await step.ConfigureAwait(false)))
            {
                break;
            }

            ref readonly var row = ref merged.CurrentRef;
            rowsRead++;
            if (gathering)
            {
                if (row.Key.Span.SequenceEqual(first.Key.Span))
                {
                    if (versions.Count == 0)
                    {
                        versions.Add(first);
                    }

                    // The same version can only appear twice if two inputs hold a copy; write it once.
                    if (row.Seq != versions[^1].Seq)
                    {
                        versions.Add(row);
                    }

                    continue;
                }

                if (filter is null && versions.Count == 0 && TryKeepAlone(first, retention, batch))
                {
                    // Decided in place.
                }
                else
                {
                    await FinishKeyAsync().ConfigureAwait(false);
                }

                // Every row taken before this one is in a batch now: the block buffers the inputs left so far go
                // with this batch (the current row lies in a block still in use).
                if (buffers is { HasRetired: true })
                {
                    buffers.MoveRetiredTo(batch.Held);
                }

                if (batch.IsFull)
                {
                    await output.WriteAsync(batch, cancellationToken).ConfigureAwait(false);
                    batch = pool.Rent();
                }
            }

            first = merged.CurrentRef;
            gathering = true;
        }

        if (gathering && !(filter is null && versions.Count == 0 && TryKeepAlone(first, retention, batch)))
        {
            await FinishKeyAsync().ConfigureAwait(false);
        }

        if (filter is not null)
        {
            await filter.OnCompactionEndAsync(cancellationToken).ConfigureAwait(false);
        }

        if (batch.Count > 0)
        {
            await output.WriteAsync(batch, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            pool.Return(batch);
        }

        return rowsRead;

        // Applies retention (and the filter) to the gathered key, adding what to write to the batch.
        async ValueTask FinishKeyAsync()
        {
            if (versions.Count == 0)
            {
                versions.Add(first);
            }

            kept.Clear();
            RetentionFilter.Apply(versions, retention, kept, merge);
            versions.Clear();
            if (filter is not null && kept.Count > 0)
            {
                await FilterRows.ApplyAsync(filter, kept, scratch!, cancellationToken).ConfigureAwait(false);
            }

            foreach (var kept in kept)
            {
                batch.Add(kept);
            }
        }
    }

    /// <summary>
    /// Decides a key that has a single version without <see cref="RetentionFilter"/> when that is simple: a value that has
    /// not expired is kept; a tombstone without expiry is kept unless tombstones are dropped. False for anything else
    /// (merge operands, expiring rows): the caller applies the full rules.
    /// </summary>
    private static bool TryKeepAlone(in RowEntry row, in RetentionPolicy retention, RowBatch batch)
    {
        switch (row.Kind)
        {
            case RowKind.Value when row.ExpireTs is not { } expire || expire > retention.CompactionClockTick:
                batch.Add(row);
                return true;
            case RowKind.Tombstone when row.ExpireTs is null:
                if (!retention.DropTombstones)
                {
                    batch.Add(row);
                }

                return true;
            default:
                return false;
        }
    }

    /// <summary>Writes the queued rows to output SSTs; on a failure cancels the merge (which then stops waiting to queue).</summary>
    private static async Task<IReadOnlyList<SsTableHandle>> WriteBatchesAsync(ChannelReader<RowBatch> batches, OutputWriter writer, RowBatchPool pool, CancellationTokenSource stop)
    {
        try
        {
            while (await batches.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false))
            {
                while (batches.TryRead(out var batch))
                {
                    try
                    {
                        await writer.AddBatchAsync(batch).ConfigureAwait(false);
                    }
                    finally
                    {
                        pool.Return(batch);
                    }
                }
            }

            return await writer.FinishAsync().ConfigureAwait(false);
        }
        catch
        {
            writer.Abandon();
            await stop.CancelAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Reads each input may have in flight: <paramref name="maxFetchTasks"/>, but no more than an equal share of
    /// <see cref="MaxReadsInFlight"/> (at least one). Every read is decoded into blocks as it lands, so reads far ahead
    /// of the merge across many inputs only hold memory: a profile of an 8-input compaction spent a quarter of its time
    /// in the collector, most of it on blocks read ahead (LZ4: about 100 MB decompressed in flight).
    /// </summary>
    internal static int FetchTasksPerSource(int maxFetchTasks, int sources) =>
        Math.Clamp(MaxReadsInFlight / Math.Max(1, sources), 1, Math.Max(1, maxFetchTasks));

    /// <summary>The writer's codec, read off the newest input SST; default block and filter settings.</summary>
    internal static SstBuildSettings InferBuildSettings(CompactionJob job)
    {
        var newest = job.L0Views.Count > 0 ? job.L0Views[0].Sst : job.SortedRuns.SelectMany(run => run.Views).Select(view => view.Sst).FirstOrDefault();
        var codec = newest is null ? BlockCodec.None : (BlockCodec)(byte)newest.Info.Compression;
        return SstBuildSettings.From(SlateDbOptions.Default) with { Codec = codec };
    }

    /// <summary>
    /// Batches passed from the merge to the writer and back, so a compaction allocates only as many as are in flight
    /// (at most the queue's capacity plus the two the stages hold). A returned batch is cleared of the rows it held, so
    /// it keeps no block alive, and the block buffers it carried go back to <paramref name="buffers"/>: the writer has
    /// returned this batch and every one before it, which hold all the rows over those buffers.
    /// </summary>
    private sealed class RowBatchPool(BlockBuffers? buffers)
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<RowBatch> _free = new();

        public RowBatch Rent() => _free.TryDequeue(out var batch) ? batch : new RowBatch();

        public void Return(RowBatch batch)
        {
            batch.Clear();
            if (buffers is not null)
            {
                foreach (var buffer in batch.Held)
                {
                    buffers.Return(buffer);
                }
            }

            batch.Held.Clear();
            _free.Enqueue(batch);
        }
    }

    /// <summary>Rows queued from the merge to the writer.</summary>
    private sealed class RowBatch
    {
        /// <summary>Rows per batch: an array of this many rows stays below the large object heap's threshold.</summary>
        private const int Capacity = 512;

        public RowEntry[] Rows { get; private set; } = new RowEntry[Capacity];

        public int Count { get; private set; }

        /// <summary>Block buffers the inputs left before the batch was sent, free once the writer returns it.</summary>
        public List<byte[]> Held { get; } = [];

        /// <summary>Whether the batch should be queued (it may exceed its capacity by one key's versions).</summary>
        public bool IsFull => Count >= Capacity;

        public void Add(in RowEntry row)
        {
            if (Count == Rows.Length)
            {
                // One key's versions may run past the capacity.
                var bigger = new RowEntry[2 * Rows.Length];
                Rows.AsSpan(0, Count).CopyTo(bigger);
                Rows = bigger;
            }

            Rows[Count++] = row;
        }

        public void Clear()
        {
            Rows.AsSpan(0, Count).Clear();
            Count = 0;
        }
    }

    /// <summary>What one range of a compaction did.</summary>
    private readonly record struct RangeResult(long RowsRead, long RowsWritten, bool Resumed);

    /// <summary>
    /// Builds output SSTs one after the other and uploads each while the next is built; reports each finished upload
    /// in the order the SSTs were cut. An SST is cut only between keys, so all versions of a key land in one SST.
    /// </summary>
    private sealed class OutputWriter(
        TableStore tables,
        IdGenerator ids,
        SstBuildSettings build,
        long maxSstSize,
        long inputBytes,
        Func<SsTableHandle, CancellationToken, ValueTask> uploaded,
        CancellationToken cancellationToken)
    {
        private readonly List<Task<SsTableHandle>> _uploads = [];
        private SstBuilder? _builder;

        /// <summary>The id of the SST <see cref="_builder"/> builds (minted with it: a streaming builder writes to its path).</summary>
        private Ulid _builderId;
        private ReadOnlyMemory<byte> _lastKey;

        /// <summary>The last key of the previous batch, copied: that batch's block buffers are reused once it is returned.</summary>
        private byte[] _lastKeyCopy = new byte[64];
        private long _built;
        private int _reported;

        public long RowsWritten { get; private set; }

        /// <summary>Adds a batch of kept rows; rows go straight to the builder while the current SST is below its size.</summary>
        public async ValueTask AddBatchAsync(RowBatch batch)
        {
            var rows = batch.Rows;
            var count = batch.Count;
            for (var i = 0; i < count; i++)
            {
                var builder = _builder ??= NewBuilder();
                if (builder.EstimatedSize < maxSstSize)
                {
                    builder.Add(rows[i]);
                    RowsWritten++;
                    continue;
                }

                // The SST is full: it is cut before the next row that starts a key.
                if (i > 0)
                {
                    _lastKey = rows[i - 1].Key;
                }

                await AddAsync(rows[i]).ConfigureAwait(false);
            }

            if (count > 0)
            {
                var last = rows[count - 1].Key.Span;
                if (_lastKeyCopy.Length < last.Length)
                {
                    _lastKeyCopy = new byte[Math.Max(last.Length, 2 * _lastKeyCopy.Length)];
                }

                last.CopyTo(_lastKeyCopy);
                _lastKey = _lastKeyCopy.AsMemory(0, last.Length);
            }
        }

        /// <summary>Adds one kept row, starting a new SST first when the current one is full and the row starts a key.</summary>
        public ValueTask AddAsync(in RowEntry row)
        {
            var builder = _builder ??= NewBuilder();
            if (builder.RowCount > 0 && builder.EstimatedSize >= maxSstSize && !row.Key.Span.SequenceEqual(_lastKey.Span))
            {
                var pending = CutAsync();
                if (!pending.IsCompletedSuccessfully)
                {
                    return AddAfterCutAsync(pending, row);
                }

                pending.GetAwaiter().GetResult();
            }

            AddToBuilder(row);
            return ValueTask.CompletedTask;
        }

        /// <summary>Uploads the last SST and waits for (and reports) every upload.</summary>
        public async Task<IReadOnlyList<SsTableHandle>> FinishAsync()
        {
            if (_builder is { RowCount: > 0 })
            {
                Upload();
            }

            try
            {
                await ReportAsync(waitFor: 0).ConfigureAwait(false);
            }
            catch
            {
                // Let later uploads finish or fail before the compaction fails (nothing refers to them).
                await Task.WhenAll(_uploads).ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default).ConfigureAwait(false);
                throw;
            }

            return await Task.WhenAll(_uploads).ConfigureAwait(false);
        }

        private async ValueTask AddAfterCutAsync(ValueTask pending, RowEntry row)
        {
            await pending.ConfigureAwait(false);
            AddToBuilder(row);
        }

        private void AddToBuilder(in RowEntry row)
        {
            (_builder ??= NewBuilder()).Add(row);
            _lastKey = row.Key;
            RowsWritten++;
        }

        /// <summary>
        /// A builder whose buffer is sized once for what is likely to come (the input not yet written, at most one
        /// SST), rather than grown by doubling and copying.
        /// </summary>
        private SstBuilder NewBuilder()
        {
            _builderId = ids.NewUlid();
            return tables.NewCompactedBuilder(_builderId, build, Math.Clamp(inputBytes - _built, 64 * 1024, Math.Max(64 * 1024, maxSstSize)));
        }

        /// <summary>The compaction failed: ends the SST being built (a streaming one leaves nothing in the store).</summary>
        public void Abandon()
        {
            if (_builder is { } builder)
            {
                _builder = null;
                TableStore.Abandon(builder);
            }
        }

        private async ValueTask CutAsync()
        {
            // The next SST's builder is made with its first row.
            Upload();

            // Bound memory: wait for the oldest uploads beyond the allowance; report those already done.
            await ReportAsync(waitFor: MaxPendingUploads).ConfigureAwait(false);
        }

        /// <summary>Reports finished uploads in order, waiting until at most <paramref name="waitFor"/> are pending.</summary>
        private async ValueTask ReportAsync(int waitFor)
        {
            while (_reported < _uploads.Count && (_uploads.Count - _reported > waitFor || _uploads[_reported].IsCompleted))
            {
                var handle = await _uploads[_reported].ConfigureAwait(false);
                _reported++;
                await uploaded(handle, cancellationToken).ConfigureAwait(false);
            }
        }

        private void Upload()
        {
            var builder = _builder!;
            _builder = null;
            _built += builder.EstimatedSize;
            _uploads.Add(tables.WriteCompactedAsync(_builderId, builder, cancellationToken));
        }
    }
}
