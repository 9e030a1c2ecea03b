using SlateDB.Checkpoints;
using SlateDB.Manifest;
using SlateDB.Storage;

namespace SlateDB;

/// <summary>Deleting a database (SlateDB's <c>Admin::delete_db</c>).</summary>
public sealed partial class SlateDbAdmin
{
    /// <summary>The deletion marker's name under the database root (SlateDB's <c>.deleting</c>).</summary>
    internal const string DeletionMarkerName = ".deleting";

    /// <summary>
    /// Deletes the database: every object under its path, after releasing the checkpoints it holds in the databases
    /// it was cloned from (their <c>final_checkpoint_id</c>s). Without <paramref name="confirm"/> this is a dry run
    /// that lists what would be deleted and released and changes nothing. As SlateDB does, a confirmed delete first
    /// releases the parent checkpoints, then writes the deletion marker (<c>&lt;path&gt;/.deleting</c>) while the
    /// manifest still proves the path holds a database, deletes every other object, and the marker last: a delete
    /// cut short leaves the marker, and running it again finishes the job. Deleting a database that is gone is a
    /// no-op. Like SlateDB, it does not check for a running writer: close writers, readers and compactors first.
    /// </summary>
    /// <param name="confirm">True to delete; false (the default) for a dry run.</param>
    /// <param name="cancellationToken">Cancels the listing and deletes (a cancelled delete can be run again).</param>
    /// <returns>The objects deleted (or that would be) and the parent checkpoints released (or that would be).</returns>
    /// <exception cref="SlateDbException">
    /// Invalid: a confirmed delete of a path that holds objects but neither a manifest nor a deletion marker (not a
    /// database: nothing is deleted), or of a database whose WAL is in a separate object store, which this admin
    /// cannot reach (nothing is deleted).
    /// </exception>
    public async Task<DeleteDatabaseResult> DeleteDatabaseAsync(bool confirm = false, CancellationToken cancellationToken = default)
    {
        var root = _manifests.Root;
        var marker = ObjectPath.Combine(root, DeletionMarkerName);
        var latest = await _manifests.ReadLatestAsync(cancellationToken).ConfigureAwait(false);
        if (latest?.Manifest.Core.WalObjectStoreUri is { } walStore)
        {
            throw new SlateDbException(
                SlateDbErrorKind.Invalid,
                $"The database at '{Path}' keeps its WAL in a separate object store ('{walStore}'), which this admin cannot reach; nothing was deleted.");
        }

        var objects = await ListObjectsAsync(cancellationToken).ConfigureAwait(false);
        var markerExists = objects.Contains(marker, StringComparer.Ordinal);
        if (confirm && latest is null && !markerExists && objects.Count > 0)
        {
            throw new SlateDbException(
                SlateDbErrorKind.Invalid,
                $"'{Path}' holds {objects.Count} object(s) but no database (no manifest and no deletion marker); nothing was deleted.");
        }

        var released = new List<ParentCheckpoint>();
        foreach (var external in latest?.Manifest.ExternalDbs ?? [])
        {
            if (external.FinalCheckpointId is { } final
                && await ReleaseParentCheckpointAsync(external.Path, final, confirm, cancellationToken).ConfigureAwait(false))
            {
                released.Add(new ParentCheckpoint(external.Path, final));
            }
        }

        if (!confirm)
        {
            return new DeleteDatabaseResult { DryRun = true, Objects = objects, ReleasedParentCheckpoints = released };
        }

        if (!markerExists && (latest is not null || objects.Count > 0))
        {
            await _store.PutAsync(marker, ReadOnlyMemory<byte>.Empty, PutMode.Overwrite, cancellationToken).ConfigureAwait(false);
        }

        var deleted = new List<string>();
        foreach (var path in objects)
        {
            if (!string.Equals(path, marker, StringComparison.Ordinal))
            {
                await _store.DeleteAsync(path, cancellationToken).ConfigureAwait(false);
                deleted.Add(path);
            }
        }

        // Objects written after the listing (a writer still running) would outlive the marker: delete them too.
        foreach (var path in await ListObjectsAsync(cancellationToken).ConfigureAwait(false))
        {
            if (!string.Equals(path, marker, StringComparison.Ordinal))
            {
                await _store.DeleteAsync(path, cancellationToken).ConfigureAwait(false);
                deleted.Add(path);
            }
        }

        if (markerExists || latest is not null || objects.Count > 0)
        {
            await _store.DeleteAsync(marker, cancellationToken).ConfigureAwait(false);
            deleted.Add(marker);
        }

        deleted.Sort(StringComparer.Ordinal);
        return new DeleteDatabaseResult { DryRun = false, Objects = deleted, ReleasedParentCheckpoints = released };
    }

    /// <summary>Every object under the database's path, in ordinal order.</summary>
    private async Task<List<string>> ListObjectsAsync(CancellationToken cancellationToken)
    {
        var root = _manifests.Root;
        var objects = new List<string>();
        await foreach (var entry in _store.ListAsync(root.Length == 0 ? string.Empty : root + "/", cancellationToken).ConfigureAwait(false))
        {
            objects.Add(entry.Path);
        }

        objects.Sort(StringComparer.Ordinal);
        return objects;
    }

    /// <summary>
    /// Removes checkpoint <paramref name="id"/> from the database at <paramref name="parentPath"/> (only looks, when
    /// <paramref name="confirm"/> is false). False when the parent or the checkpoint is gone already.
    /// </summary>
    private async Task<bool> ReleaseParentCheckpointAsync(string parentPath, Guid id, bool confirm, CancellationToken cancellationToken)
    {
        var parent = ParentManifests(parentPath);
        if (await parent.ReadLatestAsync(cancellationToken).ConfigureAwait(false) is not { } latest
            || CheckpointEdits.Find(latest.Manifest.Core, id) is null)
        {
            return false;
        }

        if (confirm)
        {
            await UpdateAsync(parent, latest.Id, latest.Manifest, (_, m) => CheckpointEdits.Remove(m, id), cancellationToken).ConfigureAwait(false);
        }

        return true;
    }

    /// <summary>The manifests of the database at <paramref name="parentPath"/>, as an external database entry names it.</summary>
    /// <exception cref="SlateDbException">Data: the path is not a valid object path.</exception>
    private ManifestStore ParentManifests(string parentPath)
    {
        try
        {
            return new ManifestStore(_store, new DbPaths(parentPath));
        }
        catch (ArgumentException e)
        {
            throw new SlateDbException(SlateDbErrorKind.Data, $"The manifest of '{Path}' names an external database at '{parentPath}', which is not a valid path.", e);
        }
    }
}
