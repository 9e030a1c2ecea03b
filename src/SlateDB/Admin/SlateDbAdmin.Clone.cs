using SlateDB.Checkpoints;
using SlateDB.Clones;
using SlateDB.Composition;
using SlateDB.Manifest;
using SlateDB.Storage;

namespace SlateDB;

/// <summary>Creating a clone (SlateDB's <c>Admin::create_clone</c>, RFC-0004).</summary>
public sealed partial class SlateDbAdmin
{
    /// <summary>How long the checkpoint made in the parent for a clone without a given checkpoint lives (SlateDB: 5 minutes).</summary>
    internal static readonly TimeSpan CloneSourceCheckpointLifetime = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Makes the database at <see cref="Path"/> a clone of the database at <paramref name="parentPath"/>, as it is at
    /// checkpoint <paramref name="parentCheckpointId"/> (or at a new five-minute checkpoint of its newest state). The
    /// clone reads the parent's SSTs where they are (its manifest lists them under <c>external_dbs</c>, with a
    /// checkpoint it holds on the parent so the parent's collector keeps them), copies the parent's unflushed WAL
    /// range, and from then on writes only under its own path. Compacting the clone rewrites what it borrows; its
    /// collector then releases the parent checkpoint. Running it again after a failure resumes; running it again on
    /// a finished clone of the same parent changes nothing. SSTs the parent borrows itself (a clone of a clone) are
    /// borrowed from their owner, which also gets a checkpoint.
    /// </summary>
    /// <param name="parentPath">The parent database's path; not this one.</param>
    /// <param name="parentCheckpointId">A live checkpoint of the parent to clone (default: its newest state).</param>
    /// <param name="cancellationToken">Cancels the work (running it again resumes).</param>
    /// <exception cref="ArgumentException"><paramref name="parentPath"/> is empty, white space or not a valid path.</exception>
    /// <exception cref="SlateDbException">
    /// Invalid, with nothing changed: the parent is this path; no database at the parent (or one never initialized);
    /// the checkpoint does not exist or has expired; this path already holds a database that is not a clone of that
    /// parent (at that checkpoint); the parent keeps its WAL in a separate object store. Data: a parent WAL object the
    /// checkpoint names is missing.
    /// </exception>
    public async Task<CloneCreateResult> CreateCloneAsync(string parentPath, Guid? parentCheckpointId = null, CancellationToken cancellationToken = default)
    {
        DbPathArgument.Validate(parentPath);
        var parentPaths = new DbPaths(parentPath);
        if (string.Equals(parentPaths.Root, _manifests.Root, StringComparison.Ordinal))
        {
            throw new SlateDbException(SlateDbErrorKind.Invalid, $"A database cannot be cloned into its own path ('{Path}').");
        }

        var parentManifests = new ManifestStore(_store, parentPaths);
        var existing = await _manifests.ReadLatestAsync(cancellationToken).ConfigureAwait(false);
        (ulong Id, DbManifest Manifest) clone;
        if (existing is { } found)
        {
            ThrowIfNotCloneOf(found.Manifest, parentPaths.Root, parentCheckpointId);
            clone = found;
        }
        else
        {
            clone = await WriteUninitializedCloneAsync(parentManifests, parentPaths.Root, parentCheckpointId, cancellationToken).ConfigureAwait(false);
        }

        await EnsureFinalCheckpointsAsync(clone.Manifest, cancellationToken).ConfigureAwait(false);
        if (!clone.Manifest.Core.Initialized)
        {
            await CopyWalAsync(parentPaths, clone.Manifest.Core, cancellationToken).ConfigureAwait(false);
            clone = await UpdateAsync(
                _manifests,
                clone.Id,
                clone.Manifest,
                (_, m) => m.Core.Initialized ? m : m with { Core = m.Core with { Initialized = true } },
                cancellationToken).ConfigureAwait(false);
        }

        var entry = clone.Manifest.ExternalDbs.LastOrDefault(db => SameRoot(db.Path, parentPaths.Root));
        return new CloneCreateResult(parentPaths.Root, entry?.SourceCheckpointId ?? Guid.Empty, entry?.FinalCheckpointId, ExternalSsts.BorrowedCount(clone.Manifest));
    }

    /// <summary>Writes the clone's first, uninitialized manifest; when another process wrote one first, checks and takes that.</summary>
    private async Task<(ulong Id, DbManifest Manifest)> WriteUninitializedCloneAsync(ManifestStore parentManifests, string parentRoot, Guid? parentCheckpointId, CancellationToken cancellationToken)
    {
        var parentLatest = await parentManifests.ReadLatestAsync(cancellationToken).ConfigureAwait(false)
            ?? throw new SlateDbException(SlateDbErrorKind.Invalid, $"There is no database at '{parentRoot}' to clone (no manifest).");
        if (!parentLatest.Manifest.Core.Initialized)
        {
            throw new SlateDbException(SlateDbErrorKind.Invalid, $"The database at '{parentRoot}' is a clone that was never initialized; it cannot be cloned.");
        }

        if (parentLatest.Manifest.Core.WalObjectStoreUri is { } walStore)
        {
            throw new SlateDbException(SlateDbErrorKind.Invalid, $"The database at '{parentRoot}' keeps its WAL in a separate object store ('{walStore}'), which this admin cannot reach; it cannot be cloned here.");
        }

        Checkpoint source;
        if (parentCheckpointId is { } wanted)
        {
            source = CheckpointEdits.Find(parentLatest.Manifest.Core, wanted)
                ?? throw new SlateDbException(SlateDbErrorKind.Invalid, $"Checkpoint {wanted} does not exist in '{parentRoot}' (never made, deleted, or expired and removed).");
            if (source.ExpireTime is { } expires && expires <= _time.GetUtcNow())
            {
                throw new SlateDbException(SlateDbErrorKind.Invalid, $"Checkpoint {wanted} of '{parentRoot}' expired at {expires:O}; it cannot be cloned.");
            }
        }
        else
        {
            var id = _ids.NewUuid();
            var options = new CheckpointOptions { Lifetime = CloneSourceCheckpointLifetime };
            var (_, withCheckpoint) = await UpdateAsync(
                parentManifests,
                parentLatest.Id,
                parentLatest.Manifest,
                (manifestId, m) => CheckpointEdits.Add(manifestId, m, id, options, _time.GetUtcNow()),
                cancellationToken).ConfigureAwait(false);
            source = CheckpointEdits.Find(withCheckpoint.Core, id)!;
        }

        var atCheckpoint = await parentManifests.ReadAsync(source.ManifestId, cancellationToken).ConfigureAwait(false)
            ?? throw new SlateDbException(SlateDbErrorKind.Invalid, $"Manifest {source.ManifestId} of '{parentRoot}', which checkpoint {source.Id} pins, no longer exists.");
        var first = CloneManifest.Create(atCheckpoint, parentRoot, source.Id, _ids);
        if (await _manifests.TryWriteAsync(1, first, cancellationToken).ConfigureAwait(false))
        {
            return (1, first);
        }

        // Another process created a database here meanwhile: take it only if it is the same clone.
        var raced = await _manifests.ReadLatestAsync(cancellationToken).ConfigureAwait(false)
            ?? throw new SlateDbException(SlateDbErrorKind.Unavailable, $"The first manifest of '{Path}' exists but cannot be read.");
        ThrowIfNotCloneOf(raced.Manifest, parentRoot, parentCheckpointId ?? source.Id);
        return raced;
    }

    /// <summary>Makes sure every database the clone borrows from holds the clone's final checkpoint (pinning what its source checkpoint pins).</summary>
    private async Task EnsureFinalCheckpointsAsync(DbManifest clone, CancellationToken cancellationToken)
    {
        foreach (var external in clone.ExternalDbs)
        {
            if (external.FinalCheckpointId is not { } final)
            {
                continue;
            }

            var manifests = ParentManifests(external.Path);
            var latest = await manifests.ReadLatestAsync(cancellationToken).ConfigureAwait(false)
                ?? throw new SlateDbException(SlateDbErrorKind.Invalid, $"The database '{external.Path}' that '{Path}' borrows SSTs from does not exist.");
            if (CheckpointEdits.Find(latest.Manifest.Core, final) is not null)
            {
                continue;
            }

            if (clone.Core.Initialized)
            {
                // SlateDB refuses a finished clone whose checkpoint on a parent is gone: its borrowed SSTs are unprotected.
                throw new SlateDbException(SlateDbErrorKind.Invalid, $"The clone at '{Path}' no longer holds its checkpoint {final} on '{external.Path}'.");
            }

            var options = new CheckpointOptions { Source = external.SourceCheckpointId };
            await UpdateAsync(manifests, latest.Id, latest.Manifest, (manifestId, m) => CheckpointEdits.Add(manifestId, m, final, options, _time.GetUtcNow()), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Copies the parent's WAL objects the clone's state names (after its replay point) under the clone's path.</summary>
    private async Task CopyWalAsync(DbPaths parentPaths, ManifestCore core, CancellationToken cancellationToken)
    {
        var own = new DbPaths(Path);
        for (var walId = core.ReplayAfterWalId + 1; walId < core.NextWalSstId; walId++)
        {
            var from = parentPaths.WalSstPath(walId);
            var content = await _store.GetAsync(from, cancellationToken).ConfigureAwait(false)
                ?? throw SlateDbException.Corrupt(from, "the WAL object the cloned checkpoint names is missing in the parent");
            await _store.PutAsync(own.WalSstPath(walId), content.Data, PutMode.Overwrite, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Throws unless <paramref name="manifest"/> is a clone of <paramref name="parentRoot"/> (from checkpoint <paramref name="checkpointId"/>, when given).</summary>
    private void ThrowIfNotCloneOf(DbManifest manifest, string parentRoot, Guid? checkpointId)
    {
        if (manifest.ExternalDbs.Count == 0)
        {
            throw new SlateDbException(SlateDbErrorKind.Invalid, $"'{Path}' already holds a database that is not a clone; nothing was changed.");
        }

        if (!manifest.ExternalDbs.Any(db => SameRoot(db.Path, parentRoot) && (checkpointId is not { } id || db.SourceCheckpointId == id)))
        {
            var at = checkpointId is { } cp ? $" at checkpoint {cp}" : string.Empty;
            throw new SlateDbException(SlateDbErrorKind.Invalid, $"'{Path}' already holds a database that is not a clone of '{parentRoot}'{at}; nothing was changed.");
        }
    }

    private static bool SameRoot(string path, string root) => string.Equals(path.Trim('/'), root, StringComparison.Ordinal);
}
