using System.Globalization;
using SlateDB.Storage;

namespace SlateDB.Manifest;

/// <summary>
/// A metadata object kept as a sequence of immutable, numbered files (<c>&lt;dir&gt;/&lt;20-digit id&gt;.&lt;suffix&gt;</c>),
/// as SlateDB keeps manifests and <c>.compactions</c>: version N+1 is written with create-if-absent, so of two
/// writers updating version N only one wins; the other rereads and reapplies its change. With a GC boundary file
/// (<paramref name="gcBoundaryPath"/>, RFC-0026), a create at or below the boundary counts as lost: the collector may
/// have deleted that version before, and a writer that stalled past the minimum age just recreated it.
/// </summary>
internal sealed class VersionedObjectStore(IObjectStore store, string directory, string suffix, string? gcBoundaryPath = null)
{
    private const int IdDigits = 20;

    public string Directory { get; } = directory;

    public string PathOf(ulong id) =>
        ObjectPath.Combine(Directory, id.ToString("D" + IdDigits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture) + "." + suffix);

    /// <summary>Parses the id out of a file name of this store; null for any other file.</summary>
    public ulong? ParseId(string path)
    {
        var name = path.AsSpan(path.LastIndexOf('/') + 1);
        var dot = name.IndexOf('.');
        if (dot <= 0 || !name[(dot + 1)..].SequenceEqual(suffix))
        {
            return null;
        }

        return ulong.TryParse(name[..dot], NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : null;
    }

    /// <summary>Lists the ids present, ascending.</summary>
    public async Task<List<(ulong Id, ObjectMetadata Metadata)>> ListAsync(CancellationToken cancellationToken)
    {
        var result = new List<(ulong, ObjectMetadata)>();
        await foreach (var item in store.ListAsync(Directory + "/", cancellationToken).ConfigureAwait(false))
        {
            if (ParseId(item.Path) is { } id)
            {
                result.Add((id, item));
            }
        }

        result.Sort(static (a, b) => a.Item1.CompareTo(b.Item1));
        return result;
    }

    /// <summary>Reads the newest version; null when there is none.</summary>
    public async Task<(ulong Id, ReadOnlyMemory<byte> Bytes)?> ReadLatestAsync(CancellationToken cancellationToken)
    {
        // A newer version may appear while we read, and garbage collection may delete an old one between the LIST and
        // the GET: list again until the newest listed version can be read.
        for (var attempt = 0; ; attempt++)
        {
            var versions = await ListAsync(cancellationToken).ConfigureAwait(false);
            if (versions.Count == 0)
            {
                return null;
            }

            var (id, _) = versions[^1];
            var probed = await ProbeForwardAsync(id, cancellationToken).ConfigureAwait(false);
            if (probed is not null)
            {
                return probed;
            }

            if (attempt >= 10)
            {
                throw new SlateDbException(SlateDbErrorKind.Unavailable, $"The newest version under '{Directory}' kept vanishing while being read.");
            }
        }
    }

    /// <summary>
    /// Reads version <paramref name="id"/> and then any newer consecutive versions; returns the newest one read, or null
    /// when <paramref name="id"/> itself is missing.
    /// </summary>
    public async Task<(ulong Id, ReadOnlyMemory<byte> Bytes)?> ProbeForwardAsync(ulong id, CancellationToken cancellationToken)
    {
        var content = await store.GetAsync(PathOf(id), cancellationToken).ConfigureAwait(false);
        if (content is null)
        {
            return null;
        }

        var latest = (id, content.Data);
        while (true)
        {
            var next = await store.GetAsync(PathOf(latest.id + 1), cancellationToken).ConfigureAwait(false);
            if (next is null)
            {
                return latest;
            }

            latest = (latest.id + 1, next.Data);
        }
    }

    /// <summary>Reads one version; null when it does not exist.</summary>
    public async Task<ReadOnlyMemory<byte>?> ReadAsync(ulong id, CancellationToken cancellationToken)
    {
        var content = await store.GetAsync(PathOf(id), cancellationToken).ConfigureAwait(false);
        return content?.Data;
    }

    /// <summary>Writes version <paramref name="id"/> if no one has; false when another writer got there first.</summary>
    public async Task<bool> TryCreateAsync(ulong id, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
        => await CreateAsync(id, bytes, PutMode.Create, cancellationToken).ConfigureAwait(false) == CreateOutcome.Created;

    /// <summary>
    /// Writes version <paramref name="id"/> if no one has, then checks the GC boundary: a version at or below it is a
    /// lost race even though the create succeeded.
    /// </summary>
    public Task<CreateOutcome> CreateAsync(ulong id, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
        => CreateAsync(id, bytes, PutMode.Create, cancellationToken);

    /// <summary>As above with <paramref name="mode"/>, a create (<see cref="PutMode.CreateTrustingConflict"/> for epoch claims).</summary>
    public async Task<CreateOutcome> CreateAsync(ulong id, ReadOnlyMemory<byte> bytes, PutMode mode, CancellationToken cancellationToken)
    {
        var result = await store.PutAsync(PathOf(id), bytes, mode, cancellationToken).ConfigureAwait(false);
        if (!result.IsWritten)
        {
            return CreateOutcome.Exists;
        }

        if (gcBoundaryPath is not null
            && id <= await GarbageCollection.GcBoundary.ReadAsync(store, gcBoundaryPath, cancellationToken).ConfigureAwait(false))
        {
            return CreateOutcome.BelowGcBoundary;
        }

        return CreateOutcome.Created;
    }
}

/// <summary>What a create-if-absent of a new version came to.</summary>
internal enum CreateOutcome
{
    /// <summary>The version is ours.</summary>
    Created,

    /// <summary>Another writer created it first: reread the newest version and reapply.</summary>
    Exists,

    /// <summary>
    /// Created, but at or below the GC boundary: a newer version exists that the collector kept; reread the newest
    /// version by listing (probing forward from the old version could stop at this one).
    /// </summary>
    BelowGcBoundary,
}
