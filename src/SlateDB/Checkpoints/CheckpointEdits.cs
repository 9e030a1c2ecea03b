using SlateDB.Manifest;

namespace SlateDB.Checkpoints;

/// <summary>
/// The manifest changes that add, refresh, replace and remove checkpoints, shared by the writer, the admin API and
/// managed readers. Each is a change for <see cref="ManifestCas"/>: it returns the manifest it was given (the same
/// instance) when the change is already there, so a reapplied change after a conflict writes nothing twice.
/// </summary>
internal static class CheckpointEdits
{
    /// <summary>
    /// Adds checkpoint <paramref name="id"/> to <paramref name="manifest"/> (version <paramref name="manifestId"/>): it
    /// pins the source checkpoint's version, or the version this change is written into (<paramref name="manifestId"/> + 1).
    /// </summary>
    /// <exception cref="SlateDbException">Invalid: the source checkpoint does not exist, or the database is an uninitialized clone.</exception>
    public static DbManifest Add(ulong manifestId, DbManifest manifest, Guid id, CheckpointOptions options, DateTimeOffset now)
    {
        var core = manifest.Core;
        if (core.Checkpoints.Any(checkpoint => checkpoint.Id == id))
        {
            return manifest;
        }

        ulong pinned;
        if (options.Source is { } source)
        {
            pinned = Find(core, source)?.ManifestId
                ?? throw Missing(source, "the source checkpoint");
        }
        else
        {
            if (!core.Initialized)
            {
                throw new SlateDbException(SlateDbErrorKind.Invalid, "A checkpoint cannot be made of a clone that was never initialized.");
            }

            pinned = manifestId + 1;
        }

        var created = Seconds(now);
        var checkpoint = new Checkpoint(id, pinned, options.Lifetime is { } lifetime ? Seconds(now + lifetime) : null, created, options.Name);
        return manifest with { Core = core with { Checkpoints = [.. core.Checkpoints, checkpoint] } };
    }

    /// <summary>Sets checkpoint <paramref name="id"/>'s expiry to <paramref name="now"/> + <paramref name="lifetime"/> (never, when null).</summary>
    /// <exception cref="SlateDbException">Invalid: no such checkpoint.</exception>
    public static DbManifest Refresh(DbManifest manifest, Guid id, TimeSpan? lifetime, DateTimeOffset now)
    {
        var core = manifest.Core;
        var existing = Find(core, id) ?? throw Missing(id, "the checkpoint");
        var expire = lifetime is { } span ? Seconds(now + span) : (DateTimeOffset?)null;
        if (existing.ExpireTime == expire)
        {
            return manifest;
        }

        var refreshed = existing with { ExpireTime = expire };
        return manifest with { Core = core with { Checkpoints = [.. core.Checkpoints.Select(c => c.Id == id ? refreshed : c)] } };
    }

    /// <summary>Removes checkpoint <paramref name="id"/>; the same manifest when it is not there.</summary>
    public static DbManifest Remove(DbManifest manifest, Guid id)
    {
        var core = manifest.Core;
        return Find(core, id) is null
            ? manifest
            : manifest with { Core = core with { Checkpoints = [.. core.Checkpoints.Where(c => c.Id != id)] } };
    }

    /// <summary>Removes <paramref name="old"/> (if still there) and adds <paramref name="replacement"/> in one version.</summary>
    public static DbManifest Replace(ulong manifestId, DbManifest manifest, Guid old, Guid replacement, CheckpointOptions options, DateTimeOffset now)
    {
        if (Find(manifest.Core, replacement) is not null)
        {
            return manifest;
        }

        return Add(manifestId, Remove(manifest, old), replacement, options, now);
    }

    public static Checkpoint? Find(ManifestCore core, Guid id) => core.Checkpoints.FirstOrDefault(checkpoint => checkpoint.Id == id);

    /// <summary>The checkpoint if it exists and has not expired at <paramref name="now"/>.</summary>
    /// <exception cref="SlateDbException">Invalid: no such checkpoint, or it expired.</exception>
    public static Checkpoint FindLive(ManifestCore core, Guid id, DateTimeOffset now)
    {
        var checkpoint = Find(core, id) ?? throw Missing(id, "the checkpoint");
        if (checkpoint.ExpireTime is { } expire && expire <= now)
        {
            throw new SlateDbException(SlateDbErrorKind.Invalid, $"Checkpoint {id} expired at {expire:O}.");
        }

        return checkpoint;
    }

    private static SlateDbException Missing(Guid id, string what) =>
        new(SlateDbErrorKind.Invalid, $"No checkpoint {id} exists in the database's manifest ({what}): it was never made, was deleted, or expired and was removed.");

    /// <summary>The manifest keeps checkpoint times in whole seconds.</summary>
    private static DateTimeOffset Seconds(DateTimeOffset time) => DateTimeOffset.FromUnixTimeSeconds(time.ToUnixTimeSeconds());
}
