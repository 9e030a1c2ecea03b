using System.Diagnostics;
using SlateDB.Manifest;

namespace SlateDB.GarbageCollection;

public sealed partial class GarbageCollector
{
    /// <summary>
    /// Runs one task: removes expired checkpoints (not in a dry run: the candidates are chosen as if they were
    /// removed) and, for the compacted SST task, detaches a clone from parents it no longer borrows from, chooses the obsolete objects, then deletes them (advancing the kind's GC boundary first for
    /// versioned metadata) or, in a dry run, logs them.
    /// </summary>
    private async Task<(GarbageCollectionTaskResult Result, int ExpiredCheckpoints)> RunTaskAsync(GarbageKind kind, GarbageCollectorDirectoryOptions options, CancellationToken token)
    {
        await _runLock.WaitAsync(token).ConfigureAwait(false);
        try
        {
            var now = _env.Time.GetUtcNow();
            var result = new GarbageCollectionTaskResult { Kind = kind, DryRun = options.DryRun };
            var expired = 0;
            List<(ulong Id, string Path)> candidates;
            try
            {
                if (!options.DryRun)
                {
                    expired = await CheckpointExpiry.RemoveExpiredAsync(_env, now, token).ConfigureAwait(false);
                    if (kind == GarbageKind.Compacted && DetachDue(now))
                    {
                        // A clone that no longer borrows from a parent lets go of it (SlateDB's detach task).
                        _lastDetach = now;
                        await Clones.CloneDetach.RunAsync(_env, now, ReaderWindow(), token).ConfigureAwait(false);
                    }
                }

                candidates = await FindAsync(kind, options, now, token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException || !token.IsCancellationRequested)
            {
                GcLog.TaskFailed(_env.Logger, kind, e);
                return (result with { Error = e }, expired);
            }

            GcLog.Candidates(_env.Logger, kind, candidates.Count);
            _env.Metrics.GcCandidates.Add(candidates.Count, "kind", MetricKind(kind));
            result = result with { Candidates = candidates.Select(candidate => candidate.Path).ToList() };
            if (options.DryRun)
            {
                foreach (var path in result.Candidates)
                {
                    GcLog.WouldDelete(_env.Logger, kind, path);
                }

                return (result, expired);
            }

            if (candidates.Count > 0 && _extras.BoundaryFilesEnabled && BoundaryName(kind) is { } boundaryName)
            {
                try
                {
                    var boundaryPath = _env.Paths.GcBoundaryPath(boundaryName);
                    var boundary = candidates.Max(candidate => candidate.Id);
                    await GcBoundary.AdvanceAsync(_env.Store, boundaryPath, boundary, token).ConfigureAwait(false);
                    GcLog.BoundaryAdvanced(_env.Logger, boundaryPath, boundary);
                }
                catch (Exception e) when (e is not OperationCanceledException || !token.IsCancellationRequested)
                {
                    GcLog.TaskFailed(_env.Logger, kind, e);
                    return (result with { Error = e }, expired);
                }
            }

            var (deleted, failed) = await DeleteAllAsync(kind, candidates, token).ConfigureAwait(false);
            GcLog.Collected(_env.Logger, kind, deleted, failed);
            return (result with { Deleted = deleted, Failed = failed }, expired);
        }
        finally
        {
            _runLock.Release();
        }
    }

    /// <summary>
    /// Whether the clone-detach pass runs with this compacted SST task (<c>detach_options</c>): never when it is null,
    /// else at most once per its interval (SlateDB's default, 10 min, when the interval is null).
    /// </summary>
    private bool DetachDue(DateTimeOffset now) =>
        _extras.DetachEnabled
        && (_lastDetach is not { } last || now - last >= (_extras.DetachInterval ?? GarbageCollectorSettingsExtras.Default.DetachInterval!.Value));

    /// <summary>The obsolete objects of one kind, ascending by id, with their ids (versions; 0 for SSTs).</summary>
    private async Task<List<(ulong Id, string Path)>> FindAsync(GarbageKind kind, GarbageCollectorDirectoryOptions options, DateTimeOffset now, CancellationToken token)
    {
        var paths = _env.Paths;
        switch (kind)
        {
            case GarbageKind.Manifest:
                var manifests = await ManifestGarbage.FindAsync(_env, options, ReaderWindow(), now, token).ConfigureAwait(false);
                return manifests.Select(id => (id, paths.ManifestPath(id))).ToList();
            case GarbageKind.Wal:
                var wal = await WalGarbage.FindAsync(_env, options, fences: false, now, token).ConfigureAwait(false);
                return wal.Select(id => (id, _env.Wal.LocationOf(id))).ToList();
            case GarbageKind.WalFence:
                var fences = await WalGarbage.FindAsync(_env, options, fences: true, now, token).ConfigureAwait(false);
                return fences.Select(id => (id, _env.Wal.LocationOf(id))).ToList();
            case GarbageKind.Compacted:
                var compacted = await CompactedGarbage.FindAsync(_env, options, now, token).ConfigureAwait(false);
                return compacted.Select(id => (0UL, paths.CompactedSstPath(id))).ToList();
            default:
                var compactions = await CompactionsGarbage.FindAsync(_env, options, now, token).ConfigureAwait(false);
                return compactions.Select(id => (id, paths.CompactionsPath(id))).ToList();
        }
    }

    /// <summary>
    /// How long a superseded manifest version is kept: the longest minimum age of the tasks that protect what such a
    /// version references, so they can still read it (the fence task only when it deletes).
    /// </summary>
    private TimeSpan ReaderWindow() =>
        new[] { Options.ManifestOptions, Options.WalOptions, Options.WalFenceOptions is { DryRun: false } fences ? fences : null, Options.CompactedOptions }
            .Where(options => options is not null)
            .Select(options => options!.MinAge)
            .DefaultIfEmpty(TimeSpan.Zero)
            .Max();

    private static string? BoundaryName(GarbageKind kind) => kind switch
    {
        GarbageKind.Manifest => DbPaths.ManifestFolder,
        GarbageKind.Compactions => DbPaths.CompactionsFolder,
        _ => null,
    };

    private static string MetricKind(GarbageKind kind) => kind switch
    {
        GarbageKind.Manifest => "manifest",
        GarbageKind.Wal => "wal",
        GarbageKind.WalFence => "wal_fence",
        GarbageKind.Compacted => "compacted",
        _ => "compactions",
    };

    /// <summary>Deletes <paramref name="paths"/>, at most <see cref="DeleteConcurrency"/> at a time; a failed delete is logged and counted.</summary>
    private async Task<(int Deleted, int Failed)> DeleteAllAsync(GarbageKind kind, IReadOnlyList<(ulong Id, string Path)> paths, CancellationToken token)
    {
        var deleted = 0;
        var failed = 0;
        var tags = new TagList { { "kind", MetricKind(kind) } };
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = DeleteConcurrency, CancellationToken = token };
        await Parallel.ForEachAsync(paths, parallel, async (candidate, ct) =>
        {
            var path = candidate.Path;
            try
            {
                if (kind is GarbageKind.Wal or GarbageKind.WalFence)
                {
                    await _env.Wal.DeleteAsync(candidate.Id, ct).ConfigureAwait(false);
                }
                else
                {
                    await _env.Store.DeleteAsync(path, ct).ConfigureAwait(false);
                }

                Interlocked.Increment(ref deleted);
                _env.Metrics.GcDeletedObjects.Add(1, tags);
                GcLog.DeletedObject(_env.Logger, kind, path);
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                Interlocked.Increment(ref failed);
                GcLog.DeleteFailed(_env.Logger, kind, path, e);
            }
        }).ConfigureAwait(false);
        return (deleted, failed);
    }
}
