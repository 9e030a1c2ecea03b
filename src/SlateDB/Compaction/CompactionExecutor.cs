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
internal sealed record CompactionExecutorSettings(SstBuildSettings? Build, long MaxSstSize, int MaxFetchTasks, long ReadAheadBytes)
{
    /// <summary>The read size: 256 blocks of the default 4 KiB, as SlateDB fetches for compactions.</summary>
    public const long DefaultReadAheadBytes = 1024 * 1024;
}

/// <summary>
/// Executes compactions (SlateDB's <c>CompactionExecutor</c>): merges the inputs in key order (among versions of one
/// key, the highest sequence first), applies the retention rules to each key's versions, and writes the result as
/// compacted SSTs cut at <see cref="CompactionExecutorSettings.MaxSstSize"/>. Returns the new sorted run; nothing is
/// recorded anywhere, so the SSTs of a compaction that never commits are garbage no manifest refers to.
/// </summary>
internal sealed class CompactionExecutor(TableStore tables, IdGenerator ids, TimeProvider time, CompactionExecutorSettings settings, MergeFolder? merge = null)
{
    /// <summary>SST uploads allowed in flight while the next SST is being built.</summary>
    private const int MaxPendingUploads = 2;

    /// <summary>Row batches queued between the merge and the writer.</summary>
    private const int PipelineBatches = 8;

    public CompactionExecutorSettings Settings => settings;

    public async Task<CompactionOutput> ExecuteAsync(CompactionJob job, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        var started = time.GetTimestamp();
        var fetch = new BlockFetch(Math.Max(1, settings.ReadAheadBytes), Math.Max(1, settings.MaxFetchTasks), CacheBlocks: false);
        var sources = new List<IRowIterator>(job.L0Views.Count + job.SortedRuns.Count);
        sources.AddRange(job.L0Views.Select(view => ViewRanges.View(tables, view, fetch)));
        sources.AddRange(job.SortedRuns.Select(run => ViewRanges.SortedRun(tables, run, fetch)));
        using var merged = new MergeRowIterator(sources, IterationOrder.Ascending);
        var writer = new OutputWriter(tables, ids, settings.Build ?? InferBuildSettings(job), settings.MaxSstSize, job.InputBytes, cancellationToken);

        // Two stages on two threads: this one reads, merges and applies retention; the writer's builds blocks,
        // compresses, checksums and uploads. Rows pass in batches (their keys and values are slices of immutable
        // decoded blocks, safe to read from another thread).
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var batches = Channel.CreateBounded<RowBatch>(new BoundedChannelOptions(PipelineBatches) { SingleReader = true, SingleWriter = true });
        var writing = Task.Run(() => WriteBatchesAsync(batches.Reader, writer, stop), CancellationToken.None);
        long rowsRead;
        try
        {
            rowsRead = await MergeAsync(merged, job.Retention, merge, batches.Writer, stop.Token).ConfigureAwait(false);
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

        var outputs = await writing.ConfigureAwait(false);
        var run = new SortedRun(job.Destination, outputs.Select(SsTableView.Identity).ToArray());
        return new CompactionOutput(run, job.InputBytes, writer.BytesWritten, rowsRead, writer.RowsWritten, time.GetElapsedTime(started));
    }

    /// <summary>Merges the inputs, groups each key's versions, applies retention and queues the kept rows in batches.</summary>
    private static async Task<long> MergeAsync(MergeRowIterator merged, RetentionPolicy retention, MergeFolder? merge, ChannelWriter<RowBatch> output, CancellationToken cancellationToken)
    {
        var versions = new List<RowEntry>();
        var kept = new List<RowEntry>();
        var batch = RowBatch.Rent();
        long rowsRead = 0;
        while (await merged.MoveNextAsync(cancellationToken).ConfigureAwait(false))
        {
            var row = merged.Current;
            rowsRead++;
            if (versions.Count > 0)
            {
                if (row.Key.Span.SequenceEqual(versions[0].Key.Span))
                {
                    // The same version can only appear twice if two inputs hold a copy; write it once.
                    if (row.Seq != versions[^1].Seq)
                    {
                        versions.Add(row);
                    }

                    continue;
                }

                if (Retain() && batch.IsFull)
                {
                    await output.WriteAsync(batch, cancellationToken).ConfigureAwait(false);
                    batch = RowBatch.Rent();
                }
            }

            versions.Add(row);
        }

        if (versions.Count > 0)
        {
            Retain();
        }

        if (batch.Count > 0)
        {
            await output.WriteAsync(batch, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            batch.Return();
        }

        return rowsRead;

        // Moves the kept versions of the key in `versions` to the batch; true when rows were added.
        bool Retain()
        {
            kept.Clear();
            RetentionFilter.Apply(versions, retention, kept, merge);
            versions.Clear();
            foreach (var row in kept)
            {
                batch.Add(row);
            }

            return kept.Count > 0;
        }
    }

    /// <summary>Writes the queued rows to output SSTs; on a failure cancels the merge (which then stops waiting to queue).</summary>
    private static async Task<IReadOnlyList<SsTableHandle>> WriteBatchesAsync(ChannelReader<RowBatch> batches, OutputWriter writer, CancellationTokenSource stop)
    {
        try
        {
            while (await batches.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false))
            {
                while (batches.TryRead(out var batch))
                {
                    try
                    {
                        for (var i = 0; i < batch.Count; i++)
                        {
                            await writer.AddAsync(batch.Rows[i]).ConfigureAwait(false);
                        }
                    }
                    finally
                    {
                        batch.Return();
                    }
                }
            }

            return await writer.FinishAsync().ConfigureAwait(false);
        }
        catch
        {
            await stop.CancelAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The writer's codec, read off the newest input SST; default block and filter settings.</summary>
    internal static SstBuildSettings InferBuildSettings(CompactionJob job)
    {
        var newest = job.L0Views.Count > 0 ? job.L0Views[0].Sst : job.SortedRuns.SelectMany(run => run.Views).Select(view => view.Sst).FirstOrDefault();
        var codec = newest is null ? BlockCodec.None : (BlockCodec)(byte)newest.Info.Compression;
        return SstBuildSettings.From(SlateDbOptions.Default) with { Codec = codec };
    }

    /// <summary>Rows queued from the merge to the writer; the array comes from the shared pool.</summary>
    private sealed class RowBatch
    {
        /// <summary>Rows per batch: a pooled array of this many rows stays below the large object heap's threshold.</summary>
        private const int Capacity = 1024;

        private RowBatch(RowEntry[] rows) => Rows = rows;

        public RowEntry[] Rows { get; private set; }

        public int Count { get; private set; }

        /// <summary>Whether the batch should be queued (it may exceed its capacity by one key's versions).</summary>
        public bool IsFull => Count >= Capacity;

        public static RowBatch Rent() => new(ArrayPool<RowEntry>.Shared.Rent(Capacity));

        public void Add(in RowEntry row)
        {
            if (Count == Rows.Length)
            {
                // One key's versions may run past the capacity.
                var bigger = ArrayPool<RowEntry>.Shared.Rent(2 * Rows.Length);
                Rows.AsSpan(0, Count).CopyTo(bigger);
                ArrayPool<RowEntry>.Shared.Return(Rows, clearArray: true);
                Rows = bigger;
            }

            Rows[Count++] = row;
        }

        /// <summary>Gives the array back, cleared so it keeps no block alive.</summary>
        public void Return() => ArrayPool<RowEntry>.Shared.Return(Rows, clearArray: true);
    }

    /// <summary>
    /// Builds output SSTs one after the other and uploads each while the next is built. An SST is cut only between
    /// keys, so all versions of a key land in one SST.
    /// </summary>
    private sealed class OutputWriter(TableStore tables, IdGenerator ids, SstBuildSettings build, long maxSstSize, long inputBytes, CancellationToken cancellationToken)
    {
        private readonly List<Task<SsTableHandle>> _uploads = [];
        private SstBuilder? _builder;
        private ReadOnlyMemory<byte> _lastKey;
        private long _built;
        private int _awaited;

        /// <summary>The encoded size of the SSTs written (known after <see cref="FinishAsync"/>).</summary>
        public long BytesWritten { get; private set; }

        public long RowsWritten { get; private set; }

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

        public async Task<IReadOnlyList<SsTableHandle>> FinishAsync()
        {
            if (_builder is { RowCount: > 0 })
            {
                Upload();
            }

            var handles = await Task.WhenAll(_uploads).ConfigureAwait(false);
            BytesWritten = handles.Sum(handle => (long)handle.EstimatedSize);
            return handles;
        }

        private async ValueTask AddAfterCutAsync(ValueTask pending, RowEntry row)
        {
            await pending.ConfigureAwait(false);
            AddToBuilder(row);
        }

        private void AddToBuilder(in RowEntry row)
        {
            _builder!.Add(row);
            _lastKey = row.Key;
            RowsWritten++;
        }

        /// <summary>
        /// A builder whose buffer is sized once for what is likely to come (the input not yet written, at most one
        /// SST), rather than grown by doubling and copying.
        /// </summary>
        private SstBuilder NewBuilder() =>
            new(build, SstKind.Compacted, Math.Clamp(inputBytes - _built, 64 * 1024, Math.Max(64 * 1024, maxSstSize)));

        private async ValueTask CutAsync()
        {
            Upload();
            _builder = NewBuilder();

            // Bound memory: wait for the oldest uploads beyond the allowance.
            while (_uploads.Count - _awaited > MaxPendingUploads)
            {
                await _uploads[_awaited++].ConfigureAwait(false);
            }
        }

        private void Upload()
        {
            _built += _builder!.EstimatedSize;
            _uploads.Add(tables.WriteCompactedAsync(ids.NewUlid(), _builder, cancellationToken));
        }
    }
}
