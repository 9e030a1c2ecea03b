using SlateDB.Format;
using SlateDB.Manifest;
using SlateDB.Sst;
using SlateDB.Storage;
using SlateDB.Wal;

namespace SlateDB.Tests.Sst;

/// <summary>
/// Whole SST objects written by the real SlateDB 0.12.1 (the fixture databases in TestData/fixtures/slatedb-0.12.1):
/// rebuilt from their rows by our builder they come out byte for byte the same, metadata included. Regression for
/// "absent first/last entry written as an empty one", which made SlateDB 0.12.1 panic replaying our WAL objects.
/// </summary>
public sealed class SstBuilderRealSlateDbTests
{
    private static string Fixtures => Path.Combine(AppContext.BaseDirectory, "TestData", "fixtures", "slatedb-0.12.1");

    public static TheoryData<string, string> Folders()
    {
        var data = new TheoryData<string, string>();
        foreach (var codec in new[] { "none", "snappy", "zlib", "lz4", "zstd" })
        {
            data.Add(codec, "wal");
            data.Add(codec, "compacted");
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Folders))]
    public void Ssts_of_the_real_engine_rebuild_byte_for_byte(string codec, string folder)
    {
        var settings = Settings(codec);
        var files = Directory.GetFiles(Path.Combine(Fixtures, codec, "db", folder), "*.sst").Order(StringComparer.Ordinal).ToList();
        files.Should().NotBeEmpty();
        foreach (var file in files)
        {
            var bytes = File.ReadAllBytes(file);
            var sst = SstFile.Open(bytes, file);
            var builder = new SstBuilder(settings, sst.Info.SstType);
            foreach (var row in sst.ReadAllRows(bytes))
            {
                builder.Add(row);
            }

            var rebuilt = builder.Finish();
            var name = $"{codec}/{folder}/{Path.GetFileName(file)}";
            Presence(rebuilt.Info.FirstEntry).Should().Be(Presence(sst.Info.FirstEntry), name);
            Presence(rebuilt.Info.LastEntry).Should().Be(Presence(sst.Info.LastEntry), name);
            Presence(SstFile.Open(rebuilt.Bytes, name).Info.LastEntry).Should().Be(Presence(sst.Info.LastEntry), name);
            if (codec is "none" or "zstd")
            {
                // Zlib, Snappy and LZ4 output depend on the encoder (each picks its own matches); none and zstd are
                // reproduced exactly. The others are compared block by block once decompressed.
                rebuilt.Bytes.ToArray().Should().Equal(bytes, name);
            }
            else
            {
                var again = SstFile.Open(rebuilt.Bytes, name);
                again.BlockCount.Should().Be(sst.BlockCount, name);
                again.ReadAllRows(rebuilt.Bytes.ToArray()).Select(Text).Should().Equal(sst.ReadAllRows(bytes).Select(Text), name);
            }
        }
    }

    private static string Text(SlateDB.Format.RowEntry row) =>
        $"{Convert.ToHexString(row.Key.Span)}={Convert.ToHexString(row.Value.Span)} {row.Kind} {row.Seq} {row.CreateTs} {row.ExpireTs}";

    [Fact]
    public void Absent_first_and_last_entries_stay_absent()
    {
        var settings = Settings("none");
        var wal = new SstBuilder(settings, SstKind.Wal);
        wal.Add(SlateDB.Format.RowEntry.Put(new byte[] { 1 }, new byte[] { 2 }, seq: 7, createTs: 1));
        var walSst = wal.Finish();
        walSst.Info.LastEntry.Should().BeNull("a WAL SST has no last entry");
        SstFile.Open(walSst.Bytes, "wal").Info.LastEntry.Should().BeNull("an absent entry is not stored as an empty one");
        SstFile.Open(walSst.Bytes, "wal").Info.FirstEntry!.Value.ToArray().Should().Equal(0, 0, 0, 0, 0, 0, 0, 7);

        foreach (var kind in new[] { SstKind.Wal, SstKind.Compacted })
        {
            var empty = new SstBuilder(settings, kind).Finish();
            empty.Info.FirstEntry.Should().BeNull();
            empty.Info.LastEntry.Should().BeNull();
            var reread = SstFile.Open(empty.Bytes, "empty").Info;
            reread.FirstEntry.Should().BeNull($"an empty {kind} SST stores no first entry");
            reread.LastEntry.Should().BeNull($"an empty {kind} SST stores no last entry");
        }
    }

    [Theory]
    [InlineData("none")]
    [InlineData("snappy")]
    [InlineData("lz4")]
    [InlineData("zstd")]
    public async Task The_WAL_fence_is_the_one_SlateDB_writes(string codec)
    {
        var store = new InMemoryObjectStore();
        var paths = new DbPaths("db");
        var options = SlateDbOptions.Default with { CompressionCodec = Enum.Parse<CompressionCodec>(codec, ignoreCase: true) };
        var wal = new ObjectStoreWal(store, paths, SstBuildSettings.From(options));

        (await wal.TryWriteFenceAsync(1, default)).Should().BeTrue();
        (await wal.TryWriteFenceAsync(1, default)).Should().BeFalse("the slot is taken");
        var written = await store.GetAsync(paths.WalSstPath(1), default);
        var rust = File.ReadAllBytes(Path.Combine(Fixtures, codec, "db", "wal", "00000000000000000001.sst"));
        written!.Data.ToArray().Should().Equal(rust, "SlateDB 0.12.1's fence is an empty SST of type compacted with an empty stats block");
        (await wal.ReadAsync(1, default)).Should().BeEmpty();
    }

    private static SstBuildSettings Settings(string codec) =>
        SstBuildSettings.From(SlateDbOptions.Default with { CompressionCodec = Enum.Parse<CompressionCodec>(codec, ignoreCase: true) });

    private static string Presence(ReadOnlyMemory<byte>? entry) => entry is { } bytes ? $"present ({bytes.Length} bytes)" : "absent";
}
