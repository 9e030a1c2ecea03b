using SlateDB.Manifest;

namespace SlateDB.Db;

/// <summary>
/// The manifest as the writer holds it: the newest version it knows and its writer epoch. Every update is a
/// compare-and-swap (create the next version); on a conflict it rereads and reapplies the change. Finding a newer
/// writer epoch fences this writer. Updates are serialised by an async lock.
/// </summary>
internal sealed class WriterManifest(ManifestStore store, ulong id, DbManifest manifest, TimeProvider time, TimeSpan updateTimeout) : IDisposable
{
    private readonly SemaphoreSlim _lock = new(1, 1);

    public ulong Id { get; private set; } = id;

    public DbManifest Current { get; private set; } = manifest;

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

    /// <summary>Applies <paramref name="change"/> to the newest manifest and writes the result as the next version.</summary>
    /// <exception cref="SlateDbException">Closed/Fenced when a newer writer claimed the database.</exception>
    public Task UpdateAsync(Func<DbManifest, DbManifest> change, CancellationToken cancellationToken) =>
        UpdateCoreAsync(change, checkFencing: true, cancellationToken);

    /// <summary>Rereads the newest manifest; returns true when it changed.</summary>
    /// <exception cref="SlateDbException">Closed/Fenced when a newer writer claimed the database.</exception>
    public async Task<bool> RefreshAsync(CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var changed = await ReloadAsync(cancellationToken).ConfigureAwait(false);
            CheckNotFenced();
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
            var deadline = time.GetTimestamp() + (long)(updateTimeout.TotalSeconds * time.TimestampFrequency);
            while (true)
            {
                if (checkFencing)
                {
                    CheckNotFenced();
                }

                var next = change(Current);
                if (await (checkFencing ? store.TryWriteAsync(Id + 1, next, cancellationToken) : store.TryWriteClaimAsync(Id + 1, next, cancellationToken)).ConfigureAwait(false))
                {
                    Id++;
                    Current = next;
                    return;
                }

                if (time.GetTimestamp() > deadline)
                {
                    throw new SlateDbException(SlateDbErrorKind.Unavailable, $"The manifest could not be updated within {updateTimeout}: other writers kept winning.");
                }

                await ReloadAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _lock.Release();
        }
    }

    private async Task<bool> ReloadAsync(CancellationToken cancellationToken)
    {
        var latest = await store.ReadFromAsync(Id, cancellationToken).ConfigureAwait(false)
            ?? await store.ReadLatestAsync(cancellationToken).ConfigureAwait(false)
            ?? throw new SlateDbException(SlateDbErrorKind.Data, "The database's manifest disappeared.");
        if (latest.Id < Id)
        {
            throw new SlateDbException(SlateDbErrorKind.Data, $"The newest manifest ({latest.Id}) is older than one this writer already read ({Id}).");
        }

        var changed = latest.Id != Id;
        Id = latest.Id;
        Current = KeepSequenceTrackerState(latest.Manifest);
        return changed;
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

    private void CheckNotFenced()
    {
        if (Epoch != 0 && Current.WriterEpoch > Epoch)
        {
            throw SlateDbException.Closed(CloseReason.Fenced, $"Another writer opened this database (writer epoch {Current.WriterEpoch} > {Epoch}); this instance can no longer write.");
        }
    }
}
