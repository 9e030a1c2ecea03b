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
        var writer = new OutputWriter(tables, ids, settings.Build ?? InferBuildSettings(job), settings.MaxSstSize, cancellationToken);

        var retention = job.Retention;
        var versions = new List<RowEntry>();
        var kept = new List<RowEntry>();
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

                await WriteKeyAsync().ConfigureAwait(false);
            }

            versions.Add(row);
        }

        if (versions.Count > 0)
        {
            await WriteKeyAsync().ConfigureAwait(false);
        }

        var outputs = await writer.FinishAsync().ConfigureAwait(false);
        var run = new SortedRun(job.Destination, outputs.Select(SsTableView.Identity).ToArray());
        return new CompactionOutput(run, job.InputBytes, writer.BytesWritten, rowsRead, writer.RowsWritten, time.GetElapsedTime(started));

        async ValueTask WriteKeyAsync()
        {
            kept.Clear();
            RetentionFilter.Apply(versions, retention, kept, merge);
            versions.Clear();
            if (kept.Count > 0)
            {
                await writer.AddKeyAsync(kept).ConfigureAwait(false);
            }
        }
    }

    /// <summary>The writer's codec, read off the newest input SST; default block and filter settings.</summary>
    internal static SstBuildSettings InferBuildSettings(CompactionJob job)
    {
        var newest = job.L0Views.Count > 0 ? job.L0Views[0].Sst : job.SortedRuns.SelectMany(run => run.Views).Select(view => view.Sst).FirstOrDefault();
        var codec = newest is null ? BlockCodec.None : (BlockCodec)(byte)newest.Info.Compression;
        return SstBuildSettings.From(SlateDbOptions.Default) with { Codec = codec };
    }

    /// <summary>Builds output SSTs one after the other and uploads each while the next is built.</summary>
    private sealed class OutputWriter(TableStore tables, IdGenerator ids, SstBuildSettings build, long maxSstSize, CancellationToken cancellationToken)
    {
        private readonly List<Task<SsTableHandle>> _uploads = [];
        private SstBuilder _builder = new(build, SstKind.Compacted);
        private int _awaited;

        /// <summary>The encoded size of the SSTs written (known after <see cref="FinishAsync"/>).</summary>
        public long BytesWritten { get; private set; }

        public long RowsWritten { get; private set; }

        /// <summary>Adds all kept versions of one key, starting a new SST first when the current one is full.</summary>
        public async ValueTask AddKeyAsync(List<RowEntry> rows)
        {
            if (_builder.RowCount > 0 && _builder.EstimatedSize >= maxSstSize)
            {
                await CutAsync().ConfigureAwait(false);
            }

            foreach (var row in rows)
            {
                _builder.Add(row);
            }

            RowsWritten += rows.Count;
        }

        public async Task<IReadOnlyList<SsTableHandle>> FinishAsync()
        {
            if (_builder.RowCount > 0)
            {
                Upload();
            }

            var handles = await Task.WhenAll(_uploads).ConfigureAwait(false);
            BytesWritten = handles.Sum(handle => (long)handle.EstimatedSize);
            return handles;
        }

        private async ValueTask CutAsync()
        {
            Upload();
            _builder = new SstBuilder(build, SstKind.Compacted);

            // Bound memory: wait for the oldest uploads beyond the allowance.
            while (_uploads.Count - _awaited > MaxPendingUploads)
            {
                await _uploads[_awaited++].ConfigureAwait(false);
            }
        }

        private void Upload()
        {
            _uploads.Add(tables.WriteCompactedAsync(ids.NewUlid(), _builder, cancellationToken));
        }
    }
}
