using SlateDB.Manifest;

namespace SlateDB.Compaction;

/// <summary>
/// The manifest as a compactor holds it: the newest version it read and the compactor epoch it claimed. Updates go
/// through the shared compare-and-swap loop (<see cref="ManifestCas"/>): on a conflict the newest version is reread
/// and the change function applied to it again, so fields other processes own (the writer's) are always those of the
/// newest manifest; a change already in the reread version writes nothing. A newer compactor epoch fences this
/// compactor: every later refresh or update throws Closed/Fenced. Not thread-safe: the compactor serialises its calls.
/// </summary>
internal sealed class CompactorManifest(ManifestStore store, TimeProvider time, TimeSpan updateTimeout)
{
    private readonly ManifestCas _cas = new(store, time, updateTimeout, "compactor");

    public ulong Id => _cas.Id;

    public DbManifest Current => _cas.Current;

    /// <summary>The compactor epoch this process claimed; 0 before it claims one.</summary>
    public ulong Epoch { get; private set; }

    /// <summary>Reads the newest manifest and claims the next compactor epoch, fencing any other compactor.</summary>
    /// <exception cref="SlateDbException">Invalid: there is no database at this path.</exception>
    public async Task ClaimAsync(CancellationToken cancellationToken)
    {
        var latest = await store.ReadLatestAsync(cancellationToken).ConfigureAwait(false)
            ?? throw new SlateDbException(SlateDbErrorKind.Invalid, "There is no database here to compact: it has no manifest.");
        UnsupportedFeatures.ThrowIfUsed(latest.Manifest, store.Root, walStoreConfigured: true);
        _cas.Hold(latest.Id, latest.Manifest);
        ulong claimed = 0;
        await _cas.UpdateAsync(
            (_, current) =>
            {
                claimed = current.CompactorEpoch + 1;
                return current with { CompactorEpoch = claimed };
            },
            check: null,
            reread: null,
            cancellationToken,
            claim: true).ConfigureAwait(false);
        Epoch = claimed;
    }

    /// <summary>Rereads the newest manifest.</summary>
    /// <exception cref="SlateDbException">Closed/Fenced: a newer compactor claimed the database.</exception>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        await _cas.ReloadAsync(reread: null, listing: false, cancellationToken).ConfigureAwait(false);
        CheckNotFenced(Current);
    }

    /// <summary>
    /// Applies <paramref name="change"/> (given the version id it changes and that version) to the newest manifest and
    /// writes the result as the next version. A change that returns the manifest it was given (already applied)
    /// writes nothing.
    /// </summary>
    /// <exception cref="SlateDbException">Closed/Fenced: a newer compactor claimed the database.</exception>
    public Task UpdateAsync(Func<ulong, DbManifest, DbManifest> change, CancellationToken cancellationToken) =>
        _cas.UpdateAsync(change, CheckNotFenced, reread: null, cancellationToken);

    private void CheckNotFenced(DbManifest current)
    {
        if (Epoch == 0)
        {
            return;
        }

        if (current.CompactorEpoch > Epoch)
        {
            throw SlateDbException.Closed(CloseReason.Fenced, $"Another compactor took over this database (compactor epoch {current.CompactorEpoch} > {Epoch}); this one stops.");
        }

        if (current.CompactorEpoch < Epoch)
        {
            throw new SlateDbException(SlateDbErrorKind.Data, $"The manifest's compactor epoch went back from {Epoch} to {current.CompactorEpoch}.");
        }
    }
}
