using System.Collections.Concurrent;
using System.Text.Json;
using SlateDB.Common;
using SlateDB.Format.Compression;
using SlateDB.Manifest;

namespace SlateDB.Tests.Compatibility;

/// <summary>
/// One database written by the real SlateDB 0.12.1 (TestData/fixtures/slatedb-0.12.1/&lt;codec&gt;, see its README):
/// the raw bytes of every object under <c>db/</c>, keyed by id, and the generator's model of the final state
/// (<c>expected.json</c>). Loaded once per codec and shared by the tests (nothing here is mutated after loading).
/// </summary>
internal sealed class SlateDbFixture
{
    private static readonly ConcurrentDictionary<string, Lazy<SlateDbFixture>> s_cache = new(StringComparer.Ordinal);

    private SlateDbFixture(string codec)
    {
        Codec = codec;
        BlockCodec = codec == "none" ? BlockCodec.None : Enum.Parse<BlockCodec>(codec, ignoreCase: true);
        var root = Path.Combine(Folder, codec);
        var db = Path.Combine(root, "db");
        foreach (var file in Directory.EnumerateFiles(Path.Combine(db, DbPaths.ManifestFolder)))
        {
            DbPaths.TryParseManifestId(file, out var id).Should().BeTrue(file);
            Manifests.Add(id, File.ReadAllBytes(file));
        }

        foreach (var file in Directory.EnumerateFiles(Path.Combine(db, DbPaths.CompactionsFolder)))
        {
            DbPaths.TryParseCompactionsId(file, out var id).Should().BeTrue(file);
            Compactions.Add(id, File.ReadAllBytes(file));
        }

        foreach (var file in Directory.EnumerateFiles(Path.Combine(db, DbPaths.WalFolder)))
        {
            Paths.TryParseSstId(ObjectName(db, file), out var id).Should().BeTrue(file);
            Wals.Add(id.WalId, File.ReadAllBytes(file));
        }

        foreach (var file in Directory.EnumerateFiles(Path.Combine(db, DbPaths.CompactedFolder)))
        {
            Paths.TryParseSstId(ObjectName(db, file), out var id).Should().BeTrue(file);
            Compacted.Add(id.CompactedId, File.ReadAllBytes(file));
        }

        using var json = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(root, "expected.json")));
        var top = json.RootElement;
        top.GetProperty("codec").GetString().Should().Be(codec);
        top.GetProperty("slatedb_version").GetString().Should().Be("0.12.1");
        foreach (var entry in top.GetProperty("entries").EnumerateObject())
        {
            Expected.Add(ExpectedEntry.Parse(entry.Name, entry.Value));
        }

        foreach (var wal in top.GetProperty("object_list").GetProperty("wal").EnumerateArray())
        {
            ExpectedWalRows.Add(wal.GetProperty("id").GetUInt64(), wal.GetProperty("rows").GetInt32());
        }

        foreach (var sst in top.GetProperty("object_list").GetProperty("compacted").EnumerateArray())
        {
            ExpectedCompactedRoles.Add(Ulid.Parse(sst.GetProperty("id").GetString()!), sst.GetProperty("role").GetString()!);
        }

        var latest = top.GetProperty("objects").GetProperty("latest_manifest");
        ExpectedLastL0Seq = latest.GetProperty("last_l0_seq").GetUInt64();
        ExpectedReplayAfterWalId = latest.GetProperty("replay_after_wal_id").GetUInt64();
        ExpectedWalIdLastSeen = latest.GetProperty("wal_id_last_seen").GetUInt64();
        ExpectedWriterEpoch = latest.GetProperty("writer_epoch").GetUInt64();
        ExpectedL0 = latest.GetProperty("l0").EnumerateArray().Select(e => Ulid.Parse(e.GetString()!)).ToList();
        ExpectedRuns = latest.GetProperty("sorted_runs").EnumerateArray()
            .Select(run => (run.GetProperty("id").GetUInt32(), run.GetProperty("ssts").EnumerateArray().Select(e => Ulid.Parse(e.GetString()!)).ToList()))
            .ToList();
        ExpectedVisibleCount = top.GetProperty("keys_visible").GetInt32();
    }

    /// <summary>The codecs the fixtures exist for, as the folder names spell them.</summary>
    public static string[] Codecs { get; } = ["none", "snappy", "zlib", "lz4", "zstd"];

    /// <summary>The fixtures' folder in the test output.</summary>
    public static string Folder => Path.Combine(AppContext.BaseDirectory, "TestData", "fixtures", "slatedb-0.12.1");

    /// <summary>Object names of the database (the database path is <c>db</c>).</summary>
    public static DbPaths Paths { get; } = new("db");

    public string Codec { get; }

    public BlockCodec BlockCodec { get; }

    public SortedDictionary<ulong, byte[]> Manifests { get; } = [];

    public SortedDictionary<ulong, byte[]> Compactions { get; } = [];

    public SortedDictionary<ulong, byte[]> Wals { get; } = [];

    public Dictionary<Ulid, byte[]> Compacted { get; } = [];

    /// <summary>Every key ever written, in byte order, with its final state as the generator recorded it.</summary>
    public List<ExpectedEntry> Expected { get; } = [];

    /// <summary>The number of rows the engine's WAL reader found in each WAL SST.</summary>
    public Dictionary<ulong, int> ExpectedWalRows { get; } = [];

    /// <summary>The role (<c>l0</c>, <c>sorted_run</c>, <c>unreferenced</c>) of each compacted SST.</summary>
    public Dictionary<Ulid, string> ExpectedCompactedRoles { get; } = [];

    public ulong ExpectedLastL0Seq { get; }

    public ulong ExpectedReplayAfterWalId { get; }

    public ulong ExpectedWalIdLastSeen { get; }

    public ulong ExpectedWriterEpoch { get; }

    /// <summary>The latest manifest's L0 SSTs, newest first, as the generator decoded them.</summary>
    public List<Ulid> ExpectedL0 { get; }

    /// <summary>The latest manifest's sorted runs (id, SSTs in key order), as the generator decoded them.</summary>
    public List<(uint Id, List<Ulid> Ssts)> ExpectedRuns { get; }

    public int ExpectedVisibleCount { get; }

    public static SlateDbFixture Load(string codec)
        => s_cache.GetOrAdd(codec, c => new Lazy<SlateDbFixture>(() => new SlateDbFixture(c))).Value;

    public static TheoryData<string> CodecData()
    {
        var data = new TheoryData<string>();
        foreach (var codec in Codecs)
        {
            data.Add(codec);
        }

        return data;
    }

    public static string ManifestName(ulong id) => Paths.ManifestPath(id);

    public static string CompactionsName(ulong id) => Paths.CompactionsPath(id);

    public static string WalName(ulong id) => Paths.WalSstPath(id);

    public static string CompactedName(Ulid id) => Paths.CompactedSstPath(id);

    private static string ObjectName(string db, string file)
        => "db/" + Path.GetRelativePath(db, file).Replace(Path.DirectorySeparatorChar, '/');
}

/// <summary>One key of <c>expected.json</c>: its last write and whether SlateDB 0.12.1 returns it.</summary>
internal sealed record ExpectedEntry(
    byte[] Key,
    byte[]? Value,
    string? ValueSha256,
    int? ValueLength,
    long? ExpireTs,
    ulong Seq,
    bool Visible,
    bool WalOnly)
{
    /// <summary>True when the last write was a delete.</summary>
    public bool Deleted => Value is null && ValueSha256 is null;

    public static ExpectedEntry Parse(string hexKey, JsonElement e)
    {
        var value = e.TryGetProperty("value", out var v) && v.ValueKind == JsonValueKind.String ? Convert.FromHexString(v.GetString()!) : null;
        var sha = e.TryGetProperty("value_sha256", out var s) ? s.GetString() : null;
        int? length = e.TryGetProperty("value_len", out var l) ? l.GetInt32() : null;
        long? expire = e.TryGetProperty("expire_ts_ms", out var x) && x.ValueKind == JsonValueKind.Number ? x.GetInt64() : null;
        var walOnly = e.TryGetProperty("wal_only", out var w) && w.GetBoolean();
        return new ExpectedEntry(
            Convert.FromHexString(hexKey), value, sha, length, expire, e.GetProperty("seq").GetUInt64(), e.GetProperty("visible").GetBoolean(), walOnly);
    }
}
