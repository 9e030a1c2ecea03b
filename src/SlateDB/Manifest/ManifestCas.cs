namespace SlateDB.Manifest;

/// <summary>
/// The one manifest compare-and-swap loop the writer, the compactor and the garbage collector share: apply a change
/// to the newest version held, create the next version if absent, and on a conflict (or a create at or below the GC
/// boundary, RFC-0026) reread the newest version and apply the change again. A change that returns the version it
/// was given unchanged (the same instance) means "already in this version": nothing is written. Changes must be
/// idempotent in that way, because a store can report a conflict for a create that in fact succeeded, and the
/// reread then shows our own change. Not thread-safe: callers serialise their calls.
/// </summary>
internal sealed class ManifestCas(ManifestStore store, TimeProvider time, TimeSpan updateTimeout, string owner)
{
    /// <summary>The id of the newest version held.</summary>
    public ulong Id { get; private set; }

    /// <summary>The newest version held.</summary>
    public DbManifest Current { get; private set; } = DbManifest.Initial(new ManifestCore());

    /// <summary>Takes <paramref name="manifest"/> (version <paramref name="id"/>) as the newest version held.</summary>
    public void Hold(ulong id, DbManifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        (Id, Current) = (id, manifest);
    }

    /// <summary>
    /// Applies <paramref name="change"/> (given the id of the version it changes, and that version) to the newest
    /// version and writes the result as the next one. <paramref name="check"/> runs before each attempt on the
    /// version held (fencing); <paramref name="reread"/> adjusts each reread version. An epoch <paramref name="claim"/>
    /// believes a conflict without reading the version back (a rival claiming from the same version writes the same
    /// bytes, so a read-back could not tell the two apart).
    /// </summary>
    /// <returns>True when a version was written; false when the change was already in the newest version.</returns>
    /// <exception cref="SlateDbException">Unavailable: other writers kept winning for longer than the update timeout.</exception>
    public async Task<bool> UpdateAsync(
        Func<ulong, DbManifest, DbManifest> change,
        Action<DbManifest>? check,
        Func<DbManifest, DbManifest>? reread,
        CancellationToken cancellationToken,
        bool claim = false)
    {
        ArgumentNullException.ThrowIfNull(change);
        var deadline = time.GetTimestamp() + (long)(updateTimeout.TotalSeconds * time.TimestampFrequency);
        while (true)
        {
            check?.Invoke(Current);
            var next = change(Id, Current);
            if (ReferenceEquals(next, Current))
            {
                return false;
            }

            var mode = claim ? Storage.PutMode.CreateTrustingConflict : Storage.PutMode.Create;
            var outcome = await store.WriteAsync(Id + 1, next, mode, cancellationToken).ConfigureAwait(false);
            if (outcome == CreateOutcome.Created)
            {
                Id++;
                Current = next;
                return true;
            }

            if (time.GetTimestamp() > deadline)
            {
                throw new SlateDbException(SlateDbErrorKind.Unavailable, $"The manifest could not be updated within {updateTimeout}: other writers kept winning.");
            }

            await ReloadAsync(reread, listing: outcome == CreateOutcome.BelowGcBoundary, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Rereads the newest version: probing forward from the one held, or by listing when <paramref name="listing"/>
    /// is set or the held one was garbage-collected. Returns true when the id changed.
    /// </summary>
    /// <exception cref="SlateDbException">Data: the manifest disappeared or went back in time.</exception>
    public async Task<bool> ReloadAsync(Func<DbManifest, DbManifest>? reread, bool listing, CancellationToken cancellationToken)
    {
        var latest = (listing ? null : await store.ReadFromAsync(Id, cancellationToken).ConfigureAwait(false))
            ?? await store.ReadLatestAsync(cancellationToken).ConfigureAwait(false)
            ?? throw new SlateDbException(SlateDbErrorKind.Data, "The database's manifest disappeared.");
        if (latest.Id < Id)
        {
            throw new SlateDbException(SlateDbErrorKind.Data, $"The newest manifest ({latest.Id}) is older than one this {owner} already read ({Id}).");
        }

        var changed = latest.Id != Id;
        Id = latest.Id;
        Current = reread is null ? latest.Manifest : reread(latest.Manifest);
        return changed;
    }
}
