using SlateDB.Checkpoints;
using SlateDB.Common;
using SlateDB.Composition;
using SlateDB.GarbageCollection;
using SlateDB.Manifest;
using SlateDB.Storage;

namespace SlateDB;

/// <summary>
/// Administration of a database by path, without opening a writer (SlateDB's <c>Admin</c>): it never claims an epoch
/// and never fences anyone. Manifest changes (checkpoints) are compare-and-swap writes of the next version, which a
/// running writer, compactor and collector reread and build on.
/// </summary>
public sealed partial class SlateDbAdmin
{
    private static readonly TimeSpan UpdateTimeout = TimeSpan.FromMinutes(5);

    private readonly IObjectStore _store;
    private readonly ManifestStore _manifests;
    private readonly TimeProvider _time;
    private readonly IdGenerator _ids;

    private SlateDbAdmin(string path, IObjectStore store, TimeProvider time, int? seed)
    {
        Path = path;
        _store = store;
        _time = time;
        _manifests = new ManifestStore(store, new DbPaths(path));
        _ids = new IdGenerator(time, seed ?? System.Security.Cryptography.RandomNumberGenerator.GetInt32(int.MaxValue));
    }

    /// <summary>The database's path.</summary>
    public string Path { get; }

    /// <summary>An admin for the database at <paramref name="path"/>. Nothing is read until a method is called.</summary>
    /// <param name="path">The database's path; not empty or white space.</param>
    /// <param name="objectStore">Where it lives.</param>
    /// <param name="timeProvider">The clock for checkpoint times and the collector (default: the system clock).</param>
    /// <param name="seed">Seeds the ids of new checkpoints (default: random).</param>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty or white space.</exception>
    public static SlateDbAdmin For(string path, IObjectStore objectStore, TimeProvider? timeProvider = null, int? seed = null)
    {
        DbPathArgument.Validate(path);
        ArgumentNullException.ThrowIfNull(objectStore);
        return new SlateDbAdmin(path, objectStore, timeProvider ?? TimeProvider.System, seed);
    }

    /// <summary>The newest manifest version, or version <paramref name="id"/>.</summary>
    /// <exception cref="SlateDbException">Invalid: no database at the path, or no such version.</exception>
    public async Task<ManifestInfo> ReadManifestAsync(ulong? id = null, CancellationToken cancellationToken = default)
    {
        if (id is { } wanted)
        {
            var manifest = await _manifests.ReadAsync(wanted, cancellationToken).ConfigureAwait(false)
                ?? throw new SlateDbException(SlateDbErrorKind.Invalid, $"Manifest version {wanted} of '{Path}' does not exist (never written, or collected).");
            return ManifestInfo.From(wanted, manifest);
        }

        var (latestId, latest) = await LatestAsync(cancellationToken).ConfigureAwait(false);
        return ManifestInfo.From(latestId, latest);
    }

    /// <summary>The ids of the manifest versions present, ascending.</summary>
    public async Task<IReadOnlyList<ulong>> ListManifestsAsync(CancellationToken cancellationToken = default)
    {
        var listed = await _manifests.Versions.ListAsync(cancellationToken).ConfigureAwait(false);
        return [.. listed.Select(version => version.Id).Order()];
    }

    /// <summary>The open checkpoints (expired ones included until the collector removes them), optionally only those named <paramref name="name"/>.</summary>
    /// <exception cref="SlateDbException">Invalid: no database at the path.</exception>
    public async Task<IReadOnlyList<CheckpointInfo>> ListCheckpointsAsync(string? name = null, CancellationToken cancellationToken = default)
    {
        var (_, latest) = await LatestAsync(cancellationToken).ConfigureAwait(false);
        return [.. latest.Core.Checkpoints.Where(c => name is null || string.Equals(c.Name, name, StringComparison.Ordinal)).Select(CheckpointInfo.From)];
    }

    /// <summary>
    /// Creates a checkpoint of the database's durable state in L0 and below, and of the WAL range the newest manifest
    /// names, without flushing anything (SlateDB's <c>create_detached_checkpoint</c>).
    /// </summary>
    /// <exception cref="SlateDbException">Invalid: no database at the path, or the source checkpoint does not exist.</exception>
    public async Task<CheckpointCreateResult> CreateDetachedCheckpointAsync(CheckpointOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new CheckpointOptions();
        options.Validate();
        var id = _ids.NewUuid();
        var (_, manifest) = await UpdateAsync((manifestId, m) => CheckpointEdits.Add(manifestId, m, id, options, _time.GetUtcNow()), cancellationToken).ConfigureAwait(false);
        return new CheckpointCreateResult(id, CheckpointEdits.Find(manifest.Core, id)!.ManifestId);
    }

    /// <summary>Sets checkpoint <paramref name="id"/> to expire <paramref name="lifetime"/> from now (never, when null).</summary>
    /// <exception cref="SlateDbException">Invalid: no such checkpoint (never made, deleted, or expired and removed).</exception>
    public async Task<CheckpointInfo> RefreshCheckpointAsync(Guid id, TimeSpan? lifetime, CancellationToken cancellationToken = default)
    {
        if (lifetime is { } span && span <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(lifetime), lifetime, "A checkpoint's lifetime must be positive.");
        }

        var (_, manifest) = await UpdateAsync((_, m) => CheckpointEdits.Refresh(m, id, lifetime, _time.GetUtcNow()), cancellationToken).ConfigureAwait(false);
        return CheckpointInfo.From(CheckpointEdits.Find(manifest.Core, id)!);
    }

    /// <summary>Deletes checkpoint <paramref name="id"/>; false when there is no such checkpoint (nothing is written then).</summary>
    public async Task<bool> DeleteCheckpointAsync(Guid id, CancellationToken cancellationToken = default)
    {
        var found = false;
        await UpdateAsync(
            (_, m) =>
            {
                var next = CheckpointEdits.Remove(m, id);
                found |= !ReferenceEquals(next, m);
                return next;
            },
            cancellationToken).ConfigureAwait(false);
        return found;
    }

    /// <summary>
    /// The time recorded for sequence number <paramref name="sequence"/> by the manifest's sequence tracker
    /// (RFC-0012; one pair per L0 flush, at most one a minute), or the nearest recorded one above
    /// (<paramref name="roundUp"/>) or below; null when there is none.
    /// </summary>
    public async Task<DateTimeOffset?> GetTimestampForSequenceAsync(long sequence, bool roundUp = false, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(sequence);
        var (_, latest) = await LatestAsync(cancellationToken).ConfigureAwait(false);
        return latest.Core.SequenceTracker.FindTimestamp((ulong)sequence, roundUp ? SequenceLookup.RoundUp : SequenceLookup.RoundDown);
    }

    /// <summary>The sequence number recorded at <paramref name="time"/>, or the nearest recorded one after (<paramref name="roundUp"/>) or before; null when there is none.</summary>
    public async Task<long?> GetSequenceForTimestampAsync(DateTimeOffset time, bool roundUp = false, CancellationToken cancellationToken = default)
    {
        var (_, latest) = await LatestAsync(cancellationToken).ConfigureAwait(false);
        return latest.Core.SequenceTracker.FindSequenceNumber(time, roundUp ? SequenceLookup.RoundUp : SequenceLookup.RoundDown) is { } found ? (long)found : null;
    }

    /// <summary>Runs every garbage collector task once (expired checkpoints first) with <paramref name="options"/> (default: SlateDB's).</summary>
    /// <exception cref="SlateDbException">Invalid: no database at the path.</exception>
    public async Task<GarbageCollectionSummary> RunGarbageCollectionOnceAsync(GarbageCollectorOptions? options = null, CancellationToken cancellationToken = default)
    {
        await LatestAsync(cancellationToken).ConfigureAwait(false);
        options ??= new GarbageCollectorOptions();

        // One run, no background loops: every task without an interval.
        static GarbageCollectorDirectoryOptions? Once(GarbageCollectorDirectoryOptions? task) => task is null ? null : task with { Interval = null };
        var once = options with
        {
            ManifestOptions = Once(options.ManifestOptions),
            WalOptions = Once(options.WalOptions),
            WalFenceOptions = Once(options.WalFenceOptions),
            CompactedOptions = Once(options.CompactedOptions),
            CompactionsOptions = Once(options.CompactionsOptions),
        };
        var collector = await GarbageCollector.StartAsync(Path, _store, once, _time, cancellationToken: cancellationToken).ConfigureAwait(false);
        await using (collector.ConfigureAwait(false))
        {
            return await collector.RunOnceAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<(ulong Id, DbManifest Manifest)> LatestAsync(CancellationToken cancellationToken) =>
        await _manifests.ReadLatestAsync(cancellationToken).ConfigureAwait(false)
            ?? throw new SlateDbException(SlateDbErrorKind.Invalid, $"There is no database at '{Path}' (no manifest).");

    private async Task<(ulong Id, DbManifest Manifest)> UpdateAsync(Func<ulong, DbManifest, DbManifest> change, CancellationToken cancellationToken)
    {
        var (id, latest) = await LatestAsync(cancellationToken).ConfigureAwait(false);
        var cas = new ManifestCas(_manifests, _time, UpdateTimeout, "admin");
        cas.Hold(id, latest);
        await cas.UpdateAsync(change, check: null, reread: null, cancellationToken).ConfigureAwait(false);
        return (cas.Id, cas.Current);
    }
}
