using SlateDB.Manifest;
using SlateDB.Storage;

namespace SlateDB.GarbageCollection;

/// <summary>The manifest versions present and the newest one, read together.</summary>
/// <param name="Listed">The versions listed, ascending by id, with their store metadata.</param>
/// <param name="LatestId">The newest version (at least the newest listed one).</param>
/// <param name="Latest">The newest version's content, as stored (expired checkpoints included).</param>
internal sealed record ManifestListing(IReadOnlyList<(ulong Id, ObjectMetadata Metadata)> Listed, ulong LatestId, DbManifest Latest);

/// <summary>The manifests whose references a task must keep, for one run.</summary>
/// <param name="LatestId">The newest manifest version.</param>
/// <param name="Current">
/// The manifests readers may be using now: the newest (and any newer one found while reading), and every version that
/// was superseded less than the task's window ago.
/// </param>
/// <param name="Checkpointed">The manifests pinned by the newest manifest's unexpired checkpoints.</param>
internal sealed record ReferencingManifests(ulong LatestId, IReadOnlyList<DbManifest> Current, IReadOnlyList<DbManifest> Checkpointed);

/// <summary>
/// Reads manifest versions for the garbage collector. A version never changes once written, so decoded versions are
/// kept and only versions not seen before are fetched; versions no longer listed are forgotten.
/// </summary>
internal sealed class ManifestHistory(ManifestStore manifests)
{
    private const int MaxAttempts = 10;
    private readonly Dictionary<ulong, DbManifest> _decoded = [];

    /// <summary>Lists the versions and reads the newest.</summary>
    /// <exception cref="SlateDbException">Invalid: no manifest exists. Unavailable: the newest version kept vanishing.</exception>
    public async Task<ManifestListing> ListAsync(CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var listed = await manifests.Versions.ListAsync(cancellationToken).ConfigureAwait(false);
            if (listed.Count == 0)
            {
                throw new SlateDbException(SlateDbErrorKind.Invalid, $"There is no manifest under '{manifests.Versions.Directory}': no database to collect garbage from.");
            }

            Forget(listed);

            // Probing forward from the newest listed version also finds versions written since the listing.
            var latest = await manifests.ReadFromAsync(listed[^1].Id, cancellationToken).ConfigureAwait(false);
            if (latest is { } found)
            {
                _decoded[found.Id] = found.Manifest;
                return new ManifestListing(listed, found.Id, found.Manifest);
            }
        }

        throw new SlateDbException(SlateDbErrorKind.Unavailable, $"The newest manifest under '{manifests.Versions.Directory}' kept vanishing while being read.");
    }

    /// <summary>Reads one version, which must exist.</summary>
    /// <exception cref="SlateDbException">Unavailable: the version does not exist (any more).</exception>
    public async Task<DbManifest> ReadAsync(ulong id, CancellationToken cancellationToken)
    {
        if (_decoded.TryGetValue(id, out var known))
        {
            return known;
        }

        var manifest = await manifests.ReadAsync(id, cancellationToken).ConfigureAwait(false)
            ?? throw new SlateDbException(SlateDbErrorKind.Unavailable, $"Manifest {id} is referenced but does not exist; nothing it may reference is collected.");
        _decoded[id] = manifest;
        return manifest;
    }

    /// <summary>
    /// Reads the manifests whose SSTs and WAL objects must be kept at <paramref name="now"/>: see
    /// <see cref="ReferencingManifests"/>. <paramref name="window"/> is how long readers may keep using a superseded
    /// version (the task's minimum age).
    /// </summary>
    public async Task<ReferencingManifests> ReadReferencingAsync(DateTimeOffset now, TimeSpan window, CancellationToken cancellationToken)
    {
        var listing = await ListAsync(cancellationToken).ConfigureAwait(false);
        var current = new List<DbManifest> { listing.Latest };
        foreach (var id in RecentlySuperseded(listing.Listed, listing.LatestId, now, window))
        {
            current.Add(await ReadAsync(id, cancellationToken).ConfigureAwait(false));
        }

        var checkpointed = new List<DbManifest>();
        foreach (var id in LiveCheckpoints(listing.Latest.Core, now).Select(c => c.ManifestId).Distinct())
        {
            checkpointed.Add(id == listing.LatestId ? listing.Latest : await ReadAsync(id, cancellationToken).ConfigureAwait(false));
        }

        return new ReferencingManifests(listing.LatestId, current, checkpointed);
    }

    /// <summary>The checkpoints of <paramref name="core"/> that have not expired at <paramref name="now"/>.</summary>
    public static IEnumerable<Checkpoint> LiveCheckpoints(ManifestCore core, DateTimeOffset now) =>
        core.Checkpoints.Where(checkpoint => checkpoint.ExpireTime is not { } expires || expires > now);

    /// <summary>
    /// The listed versions older than <paramref name="latestId"/> that stopped being the newest less than
    /// <paramref name="window"/> before <paramref name="now"/>. A version stops being the newest when the next one is
    /// written; the next listed version's time is used (later than or equal to the real successor's, so this errs on
    /// the side of keeping). The newest listed version below <paramref name="latestId"/> has no listed successor when
    /// the newest was found only by probing: it counts as just superseded.
    /// </summary>
    public static IEnumerable<ulong> RecentlySuperseded(IReadOnlyList<(ulong Id, ObjectMetadata Metadata)> listed, ulong latestId, DateTimeOffset now, TimeSpan window)
    {
        for (var i = 0; i < listed.Count; i++)
        {
            var (id, _) = listed[i];
            if (id >= latestId)
            {
                yield break;
            }

            var supersededAt = i + 1 < listed.Count ? listed[i + 1].Metadata.LastModified : now;
            if (now - supersededAt <= window)
            {
                yield return id;
            }
        }
    }

    private void Forget(List<(ulong Id, ObjectMetadata Metadata)> listed)
    {
        if (_decoded.Count == 0)
        {
            return;
        }

        var present = listed.Select(entry => entry.Id).ToHashSet();
        foreach (var id in _decoded.Keys.Where(id => !present.Contains(id)).ToList())
        {
            _decoded.Remove(id);
        }
    }
}
