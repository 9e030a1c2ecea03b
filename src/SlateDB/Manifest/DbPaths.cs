using System.Collections.Immutable;
using System.Globalization;
using SlateDB.Common;
using SlateDB.Storage;

namespace SlateDB.Manifest;

/// <summary>
/// Object names of one database, exactly as SlateDB lays them out under its root (an object key prefix, possibly
/// empty): <c>manifest/&lt;20-digit id&gt;.manifest</c>, <c>compactions/&lt;20-digit id&gt;.compactions</c>,
/// <c>wal/&lt;20-digit id&gt;.sst</c>, <c>compacted/&lt;ULID&gt;.sst</c> and <c>gc/&lt;name&gt;.boundary</c>.
/// Parsing reads the id from the file name up to its first '.'; names that do not fit are not parsed.
/// <para>
/// A clone reads SSTs of the databases it was cloned from where they are (risk R4): <see cref="SstPath"/> resolves
/// an SST a manifest lists under an external database (<c>external_dbs</c>) under that database's root. The manifest
/// store teaches each manifest's external SSTs to its paths as it reads them (<see cref="AddExternalSsts"/>); SST ids
/// are unique, so what is learnt stays true.
/// </para>
/// </summary>
internal sealed class DbPaths
{
    /// <summary>Folder of manifest versions, and the name of its GC boundary.</summary>
    public const string ManifestFolder = "manifest";

    /// <summary>Folder of compactor state versions, and the name of its GC boundary.</summary>
    public const string CompactionsFolder = "compactions";

    /// <summary>Folder of WAL SSTs.</summary>
    public const string WalFolder = "wal";

    /// <summary>Folder of L0 and sorted-run SSTs.</summary>
    public const string CompactedFolder = "compacted";

    /// <summary>Folder of GC boundary files.</summary>
    public const string GcFolder = "gc";

    private const string ManifestSuffix = "manifest";
    private const string CompactionsSuffix = "compactions";
    private const string SstSuffix = "sst";
    private const int IdDigits = 20;

    private readonly Lock _externalLock = new();
    private ImmutableDictionary<SsTableId, DbPaths> _externalSsts = ImmutableDictionary<SsTableId, DbPaths>.Empty;

    /// <summary>Paths under <paramref name="root"/> (empty: objects at the top level).</summary>
    /// <exception cref="ArgumentException"><paramref name="root"/> is not a valid object path.</exception>
    public DbPaths(string root)
    {
        ArgumentNullException.ThrowIfNull(root);
        var trimmed = root.Trim('/');
        if (trimmed.Length > 0)
        {
            ObjectPath.Validate(trimmed, nameof(root));
        }

        Root = trimmed;
        ManifestDirectory = Folder(ManifestFolder);
        CompactionsDirectory = Folder(CompactionsFolder);
        WalDirectory = Folder(WalFolder);
        CompactedDirectory = Folder(CompactedFolder);
    }

    /// <summary>The database root, without leading or trailing '/'.</summary>
    public string Root { get; }

    /// <summary>The listing prefix of manifest versions (ends with '/').</summary>
    public string ManifestDirectory { get; }

    /// <summary>The listing prefix of compactor state versions (ends with '/').</summary>
    public string CompactionsDirectory { get; }

    /// <summary>The listing prefix of WAL SSTs (ends with '/').</summary>
    public string WalDirectory { get; }

    /// <summary>The listing prefix of compacted SSTs (ends with '/').</summary>
    public string CompactedDirectory { get; }

    /// <summary>The manifest version <paramref name="id"/>.</summary>
    public string ManifestPath(ulong id) => ObjectPath.Combine(Root, ManifestFolder, IdFileName(id, ManifestSuffix));

    /// <summary>The compactor state version <paramref name="id"/>.</summary>
    public string CompactionsPath(ulong id) => ObjectPath.Combine(Root, CompactionsFolder, IdFileName(id, CompactionsSuffix));

    /// <summary>The WAL SST <paramref name="walId"/>.</summary>
    public string WalSstPath(ulong walId) => ObjectPath.Combine(Root, WalFolder, IdFileName(walId, SstSuffix));

    /// <summary>The compacted SST <paramref name="id"/>.</summary>
    public string CompactedSstPath(Ulid id) => ObjectPath.Combine(Root, CompactedFolder, $"{id}.{SstSuffix}");

    /// <summary>
    /// Where SST <paramref name="id"/> is read from: under the root of the external database that owns it (a clone's
    /// parent), otherwise under this root.
    /// </summary>
    public string SstPath(SsTableId id)
    {
        var external = _externalSsts;
        if (!external.IsEmpty && external.TryGetValue(id, out var owner))
        {
            return owner.SstPath(id);
        }

        return id.IsWal ? WalSstPath(id.WalId) : CompactedSstPath(id.CompactedId);
    }

    /// <summary>True when SST <paramref name="id"/> belongs to an external database (it is read under that database's root).</summary>
    public bool IsExternal(SsTableId id) => _externalSsts.ContainsKey(id);

    /// <summary>Records which SSTs the external databases of a manifest own, so <see cref="SstPath"/> resolves them there.</summary>
    /// <exception cref="ArgumentException">An external database's path is not a valid object path.</exception>
    public void AddExternalSsts(IReadOnlyList<ExternalDb> externalDbs)
    {
        ArgumentNullException.ThrowIfNull(externalDbs);
        var known = _externalSsts;
        if (externalDbs.All(db => db.SstIds.All(known.ContainsKey)))
        {
            return;
        }

        lock (_externalLock)
        {
            var builder = _externalSsts.ToBuilder();
            foreach (var db in externalDbs)
            {
                var owner = new DbPaths(db.Path);
                foreach (var id in db.SstIds)
                {
                    builder.TryAdd(id, owner);
                }
            }

            _externalSsts = builder.ToImmutable();
        }
    }

    /// <summary>The GC boundary file of a versioned object kind (<see cref="ManifestFolder"/> or <see cref="CompactionsFolder"/>).</summary>
    public string GcBoundaryPath(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return ObjectPath.Combine(Root, GcFolder, $"{name}.boundary");
    }

    /// <summary>Reads the version id of a manifest object name (full path or file name).</summary>
    public static bool TryParseManifestId(string objectName, out ulong id) => TryParseNumberedFile(objectName, ManifestSuffix, out id);

    /// <summary>Reads the version id of a compactor state object name (full path or file name).</summary>
    public static bool TryParseCompactionsId(string objectName, out ulong id) => TryParseNumberedFile(objectName, CompactionsSuffix, out id);

    /// <summary>
    /// Reads the SST id of an object under this root's <c>wal/</c> or <c>compacted/</c> folder; anything else
    /// (other folders, other roots, unparsable names) is not an SST of this database.
    /// </summary>
    public bool TryParseSstId(string objectName, out SsTableId id)
    {
        ArgumentNullException.ThrowIfNull(objectName);
        id = default;
        if (TryFileNameIn(objectName, WalDirectory, out var walFile))
        {
            if (TryParseDecimal(IdPart(walFile), out var walId))
            {
                id = SsTableId.Wal(walId);
                return true;
            }

            return false;
        }

        if (TryFileNameIn(objectName, CompactedDirectory, out var compactedFile) && Ulid.TryParse(IdPart(compactedFile), out var ulid))
        {
            id = SsTableId.Compacted(ulid);
            return true;
        }

        return false;
    }

    private static string IdFileName(ulong id, string suffix)
        => string.Concat(id.ToString("D20", CultureInfo.InvariantCulture), ".", suffix);

    private static ReadOnlySpan<char> IdPart(ReadOnlySpan<char> fileName)
    {
        var dot = fileName.IndexOf('.');
        return dot < 0 ? fileName : fileName[..dot];
    }

    private static bool TryParseNumberedFile(string objectName, string suffix, out ulong id)
    {
        ArgumentNullException.ThrowIfNull(objectName);
        id = 0;
        var slash = objectName.LastIndexOf('/');
        var fileName = objectName.AsSpan(slash + 1);
        var lastDot = fileName.LastIndexOf('.');
        if (lastDot < 0 || !fileName[(lastDot + 1)..].SequenceEqual(suffix))
        {
            return false;
        }

        return TryParseDecimal(IdPart(fileName), out id);
    }

    private static bool TryParseDecimal(ReadOnlySpan<char> digits, out ulong value)
    {
        value = 0;
        if (digits.IsEmpty || digits.Length > IdDigits)
        {
            return false;
        }

        foreach (var c in digits)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }
        }

        return ulong.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }

    private static bool TryFileNameIn(string objectName, string directory, out ReadOnlySpan<char> fileName)
    {
        fileName = default;
        if (!objectName.StartsWith(directory, StringComparison.Ordinal))
        {
            return false;
        }

        var rest = objectName.AsSpan(directory.Length);
        if (rest.IsEmpty || rest.Contains('/'))
        {
            return false;
        }

        fileName = rest;
        return true;
    }

    private string Folder(string name) => ObjectPath.Combine(Root, name) + "/";
}
