using System.Text;
using SlateDB.Storage;

namespace SlateDB.Tests.Read;

/// <summary>Helpers shared by the read tests: options, stores, byte comparisons, collecting scans.</summary>
internal static class ReadTestKit
{
    /// <summary>Options for tests: no compactor or GC, the WAL written only on demand, room for many L0 SSTs.</summary>
    public static SlateDbOptions TestOptions(long l0SstSizeBytes = 64L * 1024 * 1024, int minFilterKeys = 1000) => SlateDbOptions.Default with
    {
        FlushInterval = null,
        CompactorOptions = null,
        GarbageCollectorOptions = null,
        L0SstSizeBytes = l0SstSizeBytes,
        L0MaxSsts = 100_000,
        L0MaxSstsPerKey = 100_000,
        MinFilterKeys = minFilterKeys,
        MaxUnflushedBytes = 1L << 40,
    };

    public static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    public static string S(ReadOnlyMemory<byte> b) => Encoding.UTF8.GetString(b.Span);

    /// <summary>Bytes shown as hex, for failure messages.</summary>
    public static string Hex(ReadOnlySpan<byte> b) => b.IsEmpty ? "<empty>" : Convert.ToHexString(b);

    public static string Hex(byte[]? b) => b is null ? "<none>" : Hex(b.AsSpan());

    public static async Task<List<KeyValue>> ToListAsync(IAsyncEnumerable<KeyValue> scan)
    {
        var rows = new List<KeyValue>();
        await foreach (var row in scan)
        {
            rows.Add(row);
        }

        return rows;
    }

    public static Task FlushMemtableAsync(SlateDb db) => db.FlushAsync(new FlushOptions { FlushType = FlushType.MemTable }).AsTask();
}

/// <summary>Unsigned bytewise order, as SlateDB orders keys.</summary>
internal sealed class OrdinalBytes : IComparer<byte[]>
{
    public static OrdinalBytes Instance { get; } = new();

    public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y.AsSpan());
}

/// <summary>A kind of object store and a way to make (and reopen) it.</summary>
internal sealed class TestStore : IDisposable
{
    private readonly DirectoryInfo? _directory;
    private readonly InMemoryObjectStore? _memory;

    private TestStore(string kind)
    {
        Kind = kind;
        if (kind == "local")
        {
            _directory = Directory.CreateTempSubdirectory("slatedb-read-tests-");
        }
        else
        {
            _memory = new InMemoryObjectStore();
        }
    }

    public string Kind { get; }

    public static TestStore Create(string kind) => new(kind);

    /// <summary>The store to open the database on: the same in-memory store, or a new local store over the same folder.</summary>
    public IObjectStore Open() => _memory is not null ? _memory : new LocalFileSystemObjectStore(_directory!.FullName);

    public void Dispose()
    {
        if (_directory is not null)
        {
            try
            {
                _directory.Delete(recursive: true);
            }
            catch (IOException)
            {
                // A leftover temp folder is harmless.
            }
        }
    }
}

/// <summary>Reads a database's manifest and SSTs straight from its store, as an outside observer.</summary>
internal static class DbInspector
{
    public static async Task<SlateDB.Manifest.DbManifest> ManifestAsync(IObjectStore store, string path = "db")
    {
        var latest = await new SlateDB.Manifest.ManifestStore(store, new SlateDB.Manifest.DbPaths(path)).ReadLatestAsync(CancellationToken.None);
        latest.Should().NotBeNull("the database has a manifest");
        return latest!.Value.Manifest;
    }

    /// <summary>The L0 SSTs, newest first, opened from their whole bytes.</summary>
    public static async Task<List<(SlateDB.Sst.SstFile File, ReadOnlyMemory<byte> Bytes)>> L0FilesAsync(IObjectStore store, string path = "db")
    {
        var manifest = await ManifestAsync(store, path);
        var files = new List<(SlateDB.Sst.SstFile, ReadOnlyMemory<byte>)>();
        foreach (var view in manifest.Core.Tree.L0)
        {
            var sstPath = new SlateDB.Manifest.DbPaths(path).SstPath(view.Sst.Id);
            var content = await store.GetAsync(sstPath, CancellationToken.None);
            files.Add((SlateDB.Sst.SstFile.Open(content!.Data, sstPath), content.Data));
        }

        return files;
    }

    /// <summary>Every row (every version) of the L0 SST at <paramref name="index"/> (0: the newest).</summary>
    public static async Task<List<SlateDB.Format.RowEntry>> L0RowsAsync(IObjectStore store, int index = 0, string path = "db")
    {
        var manifest = await ManifestAsync(store, path);
        var view = manifest.Core.Tree.L0[index];
        var sstPath = new SlateDB.Manifest.DbPaths(path).SstPath(view.Sst.Id);
        var content = await store.GetAsync(sstPath, CancellationToken.None);
        return SlateDB.Sst.SstFile.Open(content!.Data, sstPath).ReadAllRows(content.Data);
    }
}
