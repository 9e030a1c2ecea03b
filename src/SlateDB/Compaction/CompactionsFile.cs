using SlateDB.Manifest;
using SlateDB.Manifest.Codec;
using SlateDB.Storage;

namespace SlateDB.Compaction;

/// <summary>
/// The compactor's state file (<c>compactions/&lt;id&gt;.compactions</c>) as a compactor holds it, fenced by the same
/// compactor epoch as the manifest. Versions are written with create-if-absent like manifests; changes are functions
/// reapplied to the newest version on a conflict. Written as version 1, the format SlateDB 0.12.1 reads: only the
/// statuses Submitted, Running, Completed and Failed, tiered specs without stored destinations. A create at or below
/// the GC boundary (<c>gc/compactions.boundary</c>, RFC-0026) counts as lost, and the newest version is then found by
/// listing. Not thread-safe.
/// </summary>
internal sealed class CompactionsFile(IObjectStore store, DbPaths paths, TimeProvider time, TimeSpan updateTimeout)
{
    private readonly VersionedObjectStore _versions = new(
        store, paths.CompactionsDirectory.TrimEnd('/'), DbPaths.CompactionsFolder, paths.GcBoundaryPath(DbPaths.CompactionsFolder));

    public ulong Id { get; private set; }

    public CompactionsState Current { get; private set; } = new(0, []);

    public ulong Epoch { get; private set; }

    /// <summary>The newest state, or null when the database never had a compactor.</summary>
    public async Task<(ulong Id, CompactionsState State)?> ReadLatestAsync(CancellationToken cancellationToken)
    {
        var latest = await _versions.ReadLatestAsync(cancellationToken).ConfigureAwait(false);
        return latest is { } found ? (found.Id, CompactionsCodec.Decode(found.Bytes, _versions.PathOf(found.Id))) : null;
    }

    /// <summary>
    /// Takes the file over for <paramref name="epoch"/> (already claimed in the manifest): writes the next version with
    /// that epoch and the records <paramref name="recover"/> makes of the previous compactor's.
    /// </summary>
    /// <exception cref="SlateDbException">Closed/Fenced: the file already carries a newer epoch.</exception>
    public async Task ClaimAsync(ulong epoch, Func<IReadOnlyList<CompactionRecord>, IReadOnlyList<CompactionRecord>> recover, CancellationToken cancellationToken)
    {
        var deadline = Deadline();
        while (true)
        {
            var latest = await ReadLatestAsync(cancellationToken).ConfigureAwait(false);
            var (id, state) = latest ?? (0UL, new CompactionsState(0, []));
            if (state.CompactorEpoch > epoch)
            {
                throw Fenced(state.CompactorEpoch, epoch);
            }

            var next = new CompactionsState(epoch, recover(state.Compactions));
            if (await TryWriteAsync(id + 1, next, cancellationToken).ConfigureAwait(false) == CreateOutcome.Created)
            {
                (Id, Current, Epoch) = (id + 1, next, epoch);
                return;
            }

            ThrowIfPast(deadline);
        }
    }

    /// <summary>Rereads the newest version.</summary>
    /// <exception cref="SlateDbException">Closed/Fenced: a newer compactor took the file over.</exception>
    public Task RefreshAsync(CancellationToken cancellationToken) => RefreshAsync(listing: false, cancellationToken);

    private async Task RefreshAsync(bool listing, CancellationToken cancellationToken)
    {
        // Probe forward from the version held (no listing); list only when it was garbage-collected meanwhile, or
        // after a create below the GC boundary (probing could stop at that version).
        var probed = listing ? null : await _versions.ProbeForwardAsync(Id, cancellationToken).ConfigureAwait(false);
        var latest = probed is { } found
            ? (found.Id, CompactionsCodec.Decode(found.Bytes, _versions.PathOf(found.Id)))
            : await ReadLatestAsync(cancellationToken).ConfigureAwait(false)
                ?? throw new SlateDbException(SlateDbErrorKind.Data, "The compactor state file disappeared.");
        if (latest.Item1 < Id)
        {
            throw new SlateDbException(SlateDbErrorKind.Data, $"The newest compactor state ({latest.Item1}) is older than one this compactor already read ({Id}).");
        }

        (Id, Current) = latest;
        CheckNotFenced();
    }

    /// <summary>Applies <paramref name="change"/> to the newest records and writes the next version.</summary>
    /// <exception cref="SlateDbException">Closed/Fenced: a newer compactor took the file over.</exception>
    public async Task UpdateAsync(Func<IReadOnlyList<CompactionRecord>, IReadOnlyList<CompactionRecord>> change, CancellationToken cancellationToken)
    {
        var deadline = Deadline();
        while (true)
        {
            CheckNotFenced();
            var next = new CompactionsState(Epoch, change(Current.Compactions));
            var outcome = await TryWriteAsync(Id + 1, next, cancellationToken).ConfigureAwait(false);
            if (outcome == CreateOutcome.Created)
            {
                Id++;
                Current = next;
                return;
            }

            ThrowIfPast(deadline);
            await RefreshAsync(listing: outcome == CreateOutcome.BelowGcBoundary, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Keeps the active records and the newest finished one (the file stays small; GC reads the rest).</summary>
    public static IReadOnlyList<CompactionRecord> Trim(IEnumerable<CompactionRecord> records)
    {
        var list = records.ToList();
        var newestFinished = list.Where(record => IsFinished(record.Status)).Select(record => record.Id).DefaultIfEmpty().Max();
        return list.Where(record => !IsFinished(record.Status) || record.Id == newestFinished).OrderBy(record => record.Id).ToArray();
    }

    public static bool IsFinished(CompactionStatus status) => status is CompactionStatus.Completed or CompactionStatus.Failed;

    private Task<CreateOutcome> TryWriteAsync(ulong id, CompactionsState state, CancellationToken cancellationToken) =>
        _versions.CreateAsync(id, CompactionsCodec.Encode(state, CompactionsCodec.Version1), cancellationToken);

    private void CheckNotFenced()
    {
        if (Current.CompactorEpoch > Epoch)
        {
            throw Fenced(Current.CompactorEpoch, Epoch);
        }
    }

    private static SlateDbException Fenced(ulong stored, ulong mine) =>
        SlateDbException.Closed(CloseReason.Fenced, $"Another compactor took over this database (compactor epoch {stored} > {mine}); this one stops.");

    private long Deadline() => time.GetTimestamp() + (long)(updateTimeout.TotalSeconds * time.TimestampFrequency);

    private void ThrowIfPast(long deadline)
    {
        if (time.GetTimestamp() > deadline)
        {
            throw new SlateDbException(SlateDbErrorKind.Unavailable, $"The compactor state could not be updated within {updateTimeout}: other writers kept winning.");
        }
    }
}
