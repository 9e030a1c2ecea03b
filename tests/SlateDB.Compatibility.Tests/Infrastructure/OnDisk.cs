using SlateDB.Compatibility.Tests.Engines;
using SlateDB.Manifest;
using SlateDB.Sst;
using SlateDB.Storage;

namespace SlateDB.Compatibility.Tests.Infrastructure;

/// <summary>Looks at what the engines left in the shared folder, with our decoders (read-only).</summary>
internal static class OnDisk
{
    /// <summary>The newest manifest and its id.</summary>
    public static async Task<(ulong Id, DbManifest Manifest)> LatestManifestAsync(TestDatabase database)
    {
        var store = new ManifestStore(new LocalFileSystemObjectStore(database.Root), new DbPaths(database.Path));
        return await store.ReadLatestAsync(default) ?? throw new InvalidOperationException($"No manifest under {database.Folder}.");
    }

    /// <summary>Every row stored in the newest L0 SST the manifest lists, in stored order.</summary>
    public static async Task<IReadOnlyList<Format.RowEntry>> NewestL0RowsAsync(TestDatabase database)
    {
        var (_, manifest) = await LatestManifestAsync(database);
        var newest = manifest.Core.Tree.L0.Count > 0 ? manifest.Core.Tree.L0[0] : throw new InvalidOperationException("The manifest lists no L0 SST.");
        var path = new DbPaths(database.Path).CompactedSstPath(newest.Sst.Id.CompactedId);
        var bytes = await File.ReadAllBytesAsync(Path.Combine(database.Root, path));
        return SstFile.Open(bytes, path).ReadAllRows(bytes);
    }

    /// <summary>True for a WAL fence: an SST holding no rows (SlateDB 0.12.1 writes an empty compacted-type SST).</summary>
    public static bool IsFence(byte[] bytes) => bytes.Length == 0 || SstFile.Open(bytes, "wal").BlockCount == 0;

    /// <summary>The SST files of a folder (<c>wal</c> or <c>compacted</c>), decoded; zero-byte fences are skipped.</summary>
    public static IReadOnlyList<SstFile> Ssts(TestDatabase database, string folder)
    {
        var ssts = new List<SstFile>();
        foreach (var name in database.ObjectsIn(folder))
        {
            var bytes = File.ReadAllBytes(Path.Combine(database.Folder, folder, name));
            if (bytes.Length > 0)
            {
                ssts.Add(SstFile.Open(bytes, $"{database.Path}/{folder}/{name}"));
            }
        }

        return ssts;
    }
}
