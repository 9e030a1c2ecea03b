using SlateDB.Manifest;

namespace SlateDB.Compaction;

/// <summary>
/// The manifest as a compactor holds it: the newest version it read and the compactor epoch it claimed. Updates are
/// compare-and-swap writes of the next version; on a conflict the newest version is reread and the change function
/// applied to it again, so fields other processes own (the writer's) are always those of the newest manifest. A newer
/// compactor epoch fences this compactor: every later refresh or update throws Closed/Fenced. Not thread-safe: the
/// compactor serialises its calls.
/// </summary>
internal sealed class CompactorManifest(ManifestStore store, TimeProvider time, TimeSpan updateTimeout)
{
    public ulong Id { get; private set; }

    public DbManifest Current { get; private set; } = DbManifest.Initial(new ManifestCore());

    /// <summary>The compactor epoch this process claimed; 0 before it claims one.</summary>
    public ulong Epoch { get; private set; }

    /// <summary>Reads the newest manifest and claims the next compactor epoch, fencing any other compactor.</summary>
    /// <exception cref="SlateDbException">Invalid: there is no database at this path.</exception>
    public async Task ClaimAsync(CancellationToken cancellationToken)
    {
        var latest = await store.ReadLatestAsync(cancellationToken).ConfigureAwait(false)
            ?? throw new SlateDbException(SlateDbErrorKind.Invalid, "There is no database here to compact: it has no manifest.");
        (Id, Current) = latest;
        ulong claimed = 0;
        await UpdateCoreAsync(
            (_, current) =>
            {
                claimed = current.CompactorEpoch + 1;
                return current with { CompactorEpoch = claimed };
            },
            checkFencing: false,
            cancellationToken).ConfigureAwait(false);
        Epoch = claimed;
    }

    /// <summary>Rereads the newest manifest.</summary>
    /// <exception cref="SlateDbException">Closed/Fenced: a newer compactor claimed the database.</exception>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        await ReloadAsync(cancellationToken).ConfigureAwait(false);
        CheckNotFenced();
    }

    /// <summary>
    /// Applies <paramref name="change"/> (given the version id it changes and that version) to the newest manifest and
    /// writes the result as the next version.
    /// </summary>
    /// <exception cref="SlateDbException">Closed/Fenced: a newer compactor claimed the database.</exception>
    public Task UpdateAsync(Func<ulong, DbManifest, DbManifest> change, CancellationToken cancellationToken) =>
        UpdateCoreAsync(change, checkFencing: true, cancellationToken);

    private async Task UpdateCoreAsync(Func<ulong, DbManifest, DbManifest> change, bool checkFencing, CancellationToken cancellationToken)
    {
        var deadline = time.GetTimestamp() + (long)(updateTimeout.TotalSeconds * time.TimestampFrequency);
        while (true)
        {
            if (checkFencing)
            {
                CheckNotFenced();
            }

            var next = change(Id, Current);
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

    private async Task ReloadAsync(CancellationToken cancellationToken)
    {
        var latest = await store.ReadFromAsync(Id, cancellationToken).ConfigureAwait(false)
            ?? await store.ReadLatestAsync(cancellationToken).ConfigureAwait(false)
            ?? throw new SlateDbException(SlateDbErrorKind.Data, "The database's manifest disappeared.");
        if (latest.Id < Id)
        {
            throw new SlateDbException(SlateDbErrorKind.Data, $"The newest manifest ({latest.Id}) is older than one this compactor already read ({Id}).");
        }

        (Id, Current) = latest;
    }

    private void CheckNotFenced()
    {
        if (Epoch == 0)
        {
            return;
        }

        if (Current.CompactorEpoch > Epoch)
        {
            throw SlateDbException.Closed(CloseReason.Fenced, $"Another compactor took over this database (compactor epoch {Current.CompactorEpoch} > {Epoch}); this one stops.");
        }

        if (Current.CompactorEpoch < Epoch)
        {
            throw new SlateDbException(SlateDbErrorKind.Data, $"The manifest's compactor epoch went back from {Epoch} to {Current.CompactorEpoch}.");
        }
    }
}
