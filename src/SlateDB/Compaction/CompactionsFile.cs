using SlateDB.Manifest;
using SlateDB.Manifest.Codec;
using SlateDB.Storage;

namespace SlateDB.Compaction;

/// <summary>
/// The compactor's state file (<c>compactions/&lt;id&gt;.compactions</c>) as a compactor holds it, fenced by the same
/// compactor epoch as the manifest. Versions are written with create-if-absent like manifests; changes are functions
/// reapplied to the newest version on a conflict. Written as version 1 (<see cref="Format"/>), the format SlateDB
/// 0.12.1 reads: only the statuses Submitted, Running, Completed and Failed, tiered specs without stored destinations;
/// a coordinator handing jobs to compaction workers (RFC-0025) writes version 2, as SlateDB 0.15 does. Workers and the
/// admin attach to the file (<see cref="AttachAsync"/>): they write under the epoch they find and are never fenced by
/// it (only the coordinator's epoch fences). A create at or below
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

    /// <summary>The format version written: 1 (SlateDB 0.12.1 reads it) or 2 (workers in use).</summary>
    public ushort Format { get; set; } = CompactionsCodec.Version1;

    /// <summary>Write each version in the format of the newest one read (the admin: it adds to whatever the coordinator writes).</summary>
    public bool FollowReadFormat { get; set; }

    /// <summary>The format version of the newest version read (0 before any read).</summary>
    public ushort LastReadFormat { get; private set; }

    /// <summary>True for a worker or the admin: versions keep the epoch found, and nothing fences.</summary>
    public bool Attached { get; private set; }

    /// <summary>
    /// Reads the newest version to write after it as a worker or the admin (never claiming an epoch). False when the
    /// database has no compactor state yet.
    /// </summary>
    public async Task<bool> AttachAsync(CancellationToken cancellationToken)
    {
        var latest = await ReadLatestAsync(cancellationToken).ConfigureAwait(false);
        if (latest is not { } found)
        {
            return false;
        }

        (Id, Current, Epoch, Attached) = (found.Id, found.State, found.State.CompactorEpoch, true);
        return true;
    }

    /// <summary>The version read when the file holds <paramref name="bytes"/>, or 0 when too short.</summary>
    public static ushort FormatOf(ReadOnlyMemory<byte> bytes) =>
        bytes.Length < 2 ? (ushort)0 : System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(bytes.Span);

    /// <summary>The newest state, or null when the database never had a compactor.</summary>
    public async Task<(ulong Id, CompactionsState State)?> ReadLatestAsync(CancellationToken cancellationToken)
    {
        var latest = await _versions.ReadLatestAsync(cancellationToken).ConfigureAwait(false);
        if (latest is not { } found)
        {
            return null;
        }

        LastReadFormat = FormatOf(found.Bytes);
        return (found.Id, CompactionsCodec.Decode(found.Bytes, _versions.PathOf(found.Id)));
    }

    /// <summary>Version <paramref name="id"/> and its format version, or null when it does not exist (never written, or collected).</summary>
    public async Task<(CompactionsState State, ushort Format)?> ReadVersionAsync(ulong id, CancellationToken cancellationToken)
    {
        var bytes = await _versions.ReadAsync(id, cancellationToken).ConfigureAwait(false);
        return bytes is { } found ? (CompactionsCodec.Decode(found, _versions.PathOf(id)), FormatOf(found)) : null;
    }

    /// <summary>The ids of the versions present, ascending.</summary>
    public async Task<IReadOnlyList<ulong>> ListIdsAsync(CancellationToken cancellationToken)
    {
        var listed = await _versions.ListAsync(cancellationToken).ConfigureAwait(false);
        return [.. listed.Select(version => version.Id).Order()];
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
        if (probed is { } read)
        {
            LastReadFormat = FormatOf(read.Bytes);
        }

        var latest = probed is { } found
            ? (found.Id, CompactionsCodec.Decode(found.Bytes, _versions.PathOf(found.Id)))
            : await ReadLatestAsync(cancellationToken).ConfigureAwait(false)
                ?? throw new SlateDbException(SlateDbErrorKind.Data, "The compactor state file disappeared.");
        if (latest.Item1 < Id)
        {
            throw new SlateDbException(SlateDbErrorKind.Data, $"The newest compactor state ({latest.Item1}) is older than one this compactor already read ({Id}).");
        }

        (Id, Current) = latest;
        if (Attached)
        {
            Epoch = Current.CompactorEpoch;
        }

        CheckNotFenced();
    }

    /// <summary>Applies <paramref name="change"/> to the newest records and writes the next version.</summary>
    /// <exception cref="SlateDbException">Closed/Fenced: a newer compactor took the file over.</exception>
    public Task UpdateAsync(Func<IReadOnlyList<CompactionRecord>, IReadOnlyList<CompactionRecord>> change, CancellationToken cancellationToken) =>
        TryUpdateAsync(change, cancellationToken);

    /// <summary>
    /// Applies <paramref name="change"/> to the newest records and writes the next version; when the change returns
    /// null (nothing to do on the newest records), nothing is written and the result is false.
    /// </summary>
    /// <exception cref="SlateDbException">Closed/Fenced: a newer compactor took the file over (not for attached writers).</exception>
    public async Task<bool> TryUpdateAsync(Func<IReadOnlyList<CompactionRecord>, IReadOnlyList<CompactionRecord>?> change, CancellationToken cancellationToken)
    {
        var deadline = Deadline();
        while (true)
        {
            CheckNotFenced();
            var records = change(Current.Compactions);
            if (records is null)
            {
                return false;
            }

            var next = new CompactionsState(Attached ? Current.CompactorEpoch : Epoch, records);
            var outcome = await TryWriteAsync(Id + 1, next, cancellationToken).ConfigureAwait(false);
            if (outcome == CreateOutcome.Created)
            {
                Id++;
                Current = next;
                return true;
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
        _versions.CreateAsync(id, CompactionsCodec.Encode(state, FollowReadFormat && LastReadFormat != 0 ? LastReadFormat : Format), cancellationToken);

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
