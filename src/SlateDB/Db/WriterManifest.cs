using SlateDB.Manifest;

namespace SlateDB.Db;

/// <summary>
/// The manifest as the writer holds it: the newest version it knows and its writer epoch. Every update goes through
/// the shared compare-and-swap loop (<see cref="ManifestCas"/>): on a conflict it rereads and reapplies the change,
/// and a change already in the reread version writes nothing. Finding a newer writer epoch fences this writer.
/// Updates are serialised by an async lock.
/// </summary>
internal sealed class WriterManifest : IDisposable
{
    private readonly SemaphoreSlim _lock = new(1, 1);
    private readonly ManifestCas _cas;

    public WriterManifest(ManifestStore store, ulong id, DbManifest manifest, TimeProvider time, TimeSpan updateTimeout)
    {
        _cas = new ManifestCas(store, time, updateTimeout, "writer");
        _cas.Hold(id, manifest);
    }

    public ulong Id => _cas.Id;

    public DbManifest Current => _cas.Current;

    /// <summary>The writer epoch this process claimed; 0 before it claims one.</summary>
    public ulong Epoch { get; private set; }

    /// <summary>Claims the next writer epoch (fencing older writers at their next manifest update).</summary>
    public async Task ClaimWriterEpochAsync(CancellationToken cancellationToken)
    {
        ulong claimed = 0;
        await UpdateCoreAsync(
            current =>
            {
                claimed = current.WriterEpoch + 1;
                return current with { WriterEpoch = claimed };
            },
            checkFencing: false,
            cancellationToken).ConfigureAwait(false);
        Epoch = claimed;
    }

    /// <summary>
    /// Applies <paramref name="change"/> to the newest manifest and writes the result as the next version. A change
    /// that returns the manifest it was given (already applied) writes nothing.
    /// </summary>
    /// <exception cref="SlateDbException">Closed/Fenced when a newer writer claimed the database.</exception>
    public Task UpdateAsync(Func<DbManifest, DbManifest> change, CancellationToken cancellationToken) =>
        UpdateCoreAsync(change, checkFencing: true, cancellationToken);

    /// <summary>As <see cref="UpdateAsync(Func{DbManifest, DbManifest}, CancellationToken)"/>, given also the id of the version changed.</summary>
    /// <exception cref="SlateDbException">Closed/Fenced when a newer writer claimed the database.</exception>
    public async Task UpdateWithIdAsync(Func<ulong, DbManifest, DbManifest> change, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _cas.UpdateAsync(change, CheckNotFenced, KeepSequenceTrackerState, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>Rereads the newest manifest; returns true when it changed.</summary>
    /// <exception cref="SlateDbException">Closed/Fenced when a newer writer claimed the database.</exception>
    public Task<bool> RefreshAsync(CancellationToken cancellationToken) => RefreshAsync(listing: false, cancellationToken);

    /// <summary>
    /// Rereads the newest manifest; with <paramref name="listing"/> by listing the manifests instead of probing forward
    /// from the one held (which finds nothing newer when the versions after it were collected, e.g. when the one held
    /// is an old version a slow opener read or recreated).
    /// </summary>
    public async Task<bool> RefreshAsync(bool listing, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var changed = await _cas.ReloadAsync(KeepSequenceTrackerState, listing, cancellationToken).ConfigureAwait(false);
            CheckNotFenced(Current);
            return changed;
        }
        finally
        {
            _lock.Release();
        }
    }

    private async Task UpdateCoreAsync(Func<DbManifest, DbManifest> change, bool checkFencing, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Without fencing checks this is the epoch claim.
            await _cas.UpdateAsync((_, current) => change(current), checkFencing ? CheckNotFenced : null, KeepSequenceTrackerState, cancellationToken, claim: !checkFencing)
                .ConfigureAwait(false);
        }
        finally
        {
            _lock.Release();
        }
    }

    public void Dispose() => _lock.Dispose();

    /// <summary>
    /// A reread tracker with the same pairs as ours is replaced by ours, which also knows when it last recorded a pair:
    /// as SlateDB's writer keeps its own tracker across manifest refreshes, so a flush within the tracker's interval
    /// of the previous one adds no pair.
    /// </summary>
    private DbManifest KeepSequenceTrackerState(DbManifest reread)
    {
        var ours = Current.Core.SequenceTracker;
        return ReferenceEquals(reread.Core.SequenceTracker, ours) || !reread.Core.SequenceTracker.Equals(ours)
            ? reread
            : reread with { Core = reread.Core with { SequenceTracker = ours } };
    }

    private void CheckNotFenced(DbManifest current)
    {
        if (Epoch != 0 && current.WriterEpoch > Epoch)
        {
            throw SlateDbException.Closed(CloseReason.Fenced, $"Another writer opened this database (writer epoch {current.WriterEpoch} > {Epoch}); this instance can no longer write.");
        }
    }

    /// <summary>
    /// True when an L0 flush is already in <paramref name="manifest"/>: its SST is in the tree, or (compacted away
    /// since) the manifest already covers the flushed memtable's last sequence number and WAL id. Makes the flush's
    /// manifest change idempotent, so a reread after a create the store wrongly reported as a conflict does not list
    /// the SST twice.
    /// </summary>
    public static bool HasL0Flush(DbManifest manifest, SsTableId sstId, ulong lastSeq, ulong flushedWalId)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        var core = manifest.Core;
        return core.Tree.AllViews.Any(view => view.Sst.Id == sstId)
            || (lastSeq > 0 && core.LastL0Seq >= lastSeq && core.ReplayAfterWalId >= flushedWalId);
    }
}
