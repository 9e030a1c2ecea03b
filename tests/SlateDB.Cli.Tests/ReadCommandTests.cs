namespace SlateDB.Cli.Tests;

/// <summary>
/// The read-only commands against one live database made by the tests (3 L0 SSTs of 400 keys, a WAL tail of 5), whose
/// writer stays open in this process the whole time: none of these commands may fence it.
/// </summary>
public sealed class ReadCommandTests(ReadCommandTests.Db db) : IClassFixture<ReadCommandTests.Db>
{
    public sealed class Db : IAsyncLifetime
    {
        public TestDatabase Database { get; } = new(3, 400, keepOpen: true);

        public ManifestInfo Manifest { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            await Database.InitializeAsync();
            Manifest = await SlateDbAdmin.For(TestDatabase.Name, Database.Store()).ReadManifestAsync();
        }

        public Task DisposeAsync() => Database.DisposeAsync();
    }

    private string Url => db.Database.Url;

    [Fact]
    public async Task Read_manifest_prints_the_newest_manifest_as_json_and_as_a_tree()
    {
        var json = (await Tool.RunAsync("read-manifest", "--url", Url, "--json")).ShouldSucceed().Json();
        json.GetProperty("id").GetUInt64().Should().Be(db.Manifest.Id);
        json.GetProperty("l0").GetArrayLength().Should().Be(3);
        json.GetProperty("l0").EnumerateArray().Select(s => s.GetProperty("id").GetString()).Should().Equal(db.Manifest.L0.Select(s => s.Id));
        json.GetProperty("last_l0_sequence").GetUInt64().Should().Be(db.Manifest.LastL0Sequence);
        json.GetProperty("next_wal_sst_id").GetUInt64().Should().Be(db.Manifest.NextWalSstId);

        var older = (await Tool.RunAsync("read-manifest", "--url", Url, "--id", "1", "--json")).ShouldSucceed().Json();
        older.GetProperty("id").GetUInt64().Should().Be(1);
        older.GetProperty("l0").GetArrayLength().Should().Be(0);

        var human = (await Tool.RunAsync("read-manifest", "--url", Url)).ShouldSucceed();
        human.Stdout.Should().Contain($"manifest {db.Manifest.Id}").And.Contain("L0: 3 SSTs").And.Contain(db.Manifest.L0[0].Id);
    }

    [Fact]
    public async Task List_manifests_reads_each_version_in_the_range()
    {
        var all = (await Tool.RunAsync("list-manifests", "--url", Url, "--json")).ShouldSucceed().Json();
        var ids = all.EnumerateArray().Select(m => m.GetProperty("id").GetUInt64()).ToList();
        ids.Should().BeInAscendingOrder().And.Contain(db.Manifest.Id).And.Contain(1UL);

        var range = (await Tool.RunAsync("list-manifests", "--url", Url, "--start", "2", "--end", "4", "--json")).ShouldSucceed().Json();
        range.EnumerateArray().Select(m => m.GetProperty("id").GetUInt64()).Should().Equal(2UL, 3UL);
    }

    [Fact]
    public async Task Scan_prints_every_pair_including_the_wal_tail_and_honours_ranges_and_limits()
    {
        var all = (await Tool.RunAsync("scan", "--url", Url, "--json")).ShouldSucceed().JsonLines();
        all.Should().HaveCount(db.Database.KeyCount + 5);
        all[0].GetProperty("key").GetString().Should().Be("key00000");
        all[0].GetProperty("value").GetString().Should().Be("value00000");
        all[^1].GetProperty("key").GetString().Should().Be("tail4");
        all.Select(r => r.GetProperty("key").GetString()).Should().BeInAscendingOrder(StringComparer.Ordinal);

        var text = (await Tool.RunAsync("scan", "--url", Url, "--prefix", "tail")).ShouldSucceed();
        text.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Should().Equal(Enumerable.Range(0, 5).Select(i => $"tail{i}\ttailvalue{i}"));

        var range = (await Tool.RunAsync("scan", "--url", Url, "--from", "key00100", "--to", "key00200", "--max-keys", "7", "--json")).ShouldSucceed().JsonLines();
        range.Select(r => r.GetProperty("key").GetString()).Should().Equal(Enumerable.Range(100, 7).Select(TestDatabase.Key));

        var hex = (await Tool.RunAsync("scan", "--url", Url, "--prefix", "7461696c30", "--key", "hex", "--value", "none", "--json")).ShouldSucceed().JsonLines();
        hex.Should().ContainSingle().Which.GetProperty("key").GetString().Should().Be("7461696c30");

        var count = (await Tool.RunAsync("scan", "--url", Url, "--count", "--prefix", "key", "--json")).ShouldSucceed().Json();
        count.GetProperty("count").GetInt64().Should().Be(db.Database.KeyCount);
        count.GetProperty("bytes").GetInt64().Should().Be(db.Database.KeyCount * ("key00000".Length + "value00000".Length));
    }

    [Fact]
    public async Task Get_reads_one_key_and_exits_3_when_it_is_absent()
    {
        (await Tool.RunAsync("get", "--url", Url, "key00123")).ShouldSucceed().Stdout.Should().Be("value00123\n");
        var json = (await Tool.RunAsync("get", "--url", Url, "tail2", "--json")).ShouldSucceed().Json();
        json.GetProperty("value").GetString().Should().Be("tailvalue2");
        json.GetProperty("seq").GetInt64().Should().BeGreaterThan(db.Database.KeyCount);
        (await Tool.RunAsync("get", "--url", Url, "nope")).ShouldFailWith(3).Stderr.Should().Contain("nope");
    }

    [Fact]
    public async Task Stats_counts_objects_per_kind_and_shows_the_lsm_tree()
    {
        var json = (await Tool.RunAsync("stats", "--url", Url, "--json")).ShouldSucceed().Json();
        json.GetProperty("manifest_id").GetUInt64().Should().Be(db.Manifest.Id);
        json.GetProperty("l0").GetProperty("ssts").GetInt32().Should().Be(3);
        var kinds = json.GetProperty("objects").EnumerateArray().ToDictionary(k => k.GetProperty("kind").GetString()!, k => k.GetProperty("objects").GetInt32());
        kinds["compacted"].Should().Be(3);
        kinds["manifest"].Should().BeGreaterThan(3);
        kinds.Should().ContainKey("wal");
        var onDisk = Directory.EnumerateFiles(Path.Combine(db.Database.Folder, TestDatabase.Name), "*", SearchOption.AllDirectories).ToList();
        json.GetProperty("total_objects").GetInt32().Should().Be(onDisk.Count);
        json.GetProperty("total_bytes").GetInt64().Should().Be(onDisk.Sum(f => new FileInfo(f).Length));
        json.GetProperty("wal").GetProperty("replay_after").GetUInt64().Should().Be(db.Manifest.ReplayAfterWalId);

        var human = (await Tool.RunAsync("stats", "--url", Url)).ShouldSucceed();
        human.Stdout.Should().Contain("LSM tree").And.Contain("compacted").And.Contain($"manifest {db.Manifest.Id}");
    }

    [Fact]
    public async Task Inspect_sst_shows_info_index_filter_stats_and_rows()
    {
        var id = db.Manifest.L0[^1].Id; // the oldest: keys 0..399
        var json = (await Tool.RunAsync("inspect-sst", "--url", Url, id, "--rows", "--json")).ShouldSucceed().Json();
        json.GetProperty("object_path").GetString().Should().Be($"db/compacted/{id}.sst");
        json.GetProperty("info").GetProperty("first_key").GetString().Should().Be("key00000");
        json.GetProperty("info").GetProperty("last_key").GetString().Should().Be("key00399");
        json.GetProperty("stats").GetProperty("puts").GetInt64().Should().Be(400);
        json.GetProperty("filter").GetProperty("bytes").GetInt32().Should().BeGreaterThan(0);
        var index = json.GetProperty("index").EnumerateArray().ToList();
        index.Should().HaveCountGreaterThan(1);
        index.Select(b => b.GetProperty("offset").GetInt64()).Should().BeInAscendingOrder();
        index.Sum(b => b.GetProperty("rows").GetInt32()).Should().Be(400);
        var rows = json.GetProperty("rows").EnumerateArray().ToList();
        rows.Select(r => r.GetProperty("key").GetString()).Should().Equal(Enumerable.Range(0, 400).Select(TestDatabase.Key));
        rows.Should().OnlyContain(r => r.GetProperty("kind").GetString() == "value");

        var block = (await Tool.RunAsync("inspect-sst", "--url", Url, id, "--block", "1", "--json")).ShouldSucceed().Json();
        var blockRows = block.GetProperty("rows").EnumerateArray().ToList();
        blockRows.Should().HaveCount(index[1].GetProperty("rows").GetInt32()).And.OnlyContain(r => r.GetProperty("block").GetInt32() == 1);
        string.CompareOrdinal(blockRows[0].GetProperty("key").GetString(), index[1].GetProperty("first_key").GetString()).Should().BeGreaterThanOrEqualTo(0);

        var human = (await Tool.RunAsync("inspect-sst", "--url", Url, id)).ShouldSucceed();
        human.Stdout.Should().Contain("bloom filter").And.Contain("rows: 400");

        (await Tool.RunAsync("inspect-sst", "--url", Url, "01ARZ3NDEKTSV4RRFFQ69G5FAV")).ShouldFailWith(3);
        (await Tool.RunAsync("inspect-sst", "--url", Url, "not-an-id")).ShouldFailWith(2);
    }

    [Fact]
    public async Task Verify_reads_every_referenced_object_and_finds_nothing_wrong()
    {
        var json = (await Tool.RunAsync("verify", "--url", Url, "--json")).ShouldSucceed().Json();
        json.GetProperty("ok").GetBoolean().Should().BeTrue();
        json.GetProperty("ssts").GetInt32().Should().BeGreaterThanOrEqualTo(4, "3 L0 SSTs and the WAL tail");
        json.GetProperty("rows").GetInt64().Should().BeGreaterThanOrEqualTo(db.Database.KeyCount + 5);
        json.GetProperty("problems").GetArrayLength().Should().Be(0);
    }

    [Fact]
    public async Task Tail_prints_the_change_feed_in_sequence_order()
    {
        var rows = (await Tool.RunAsync("tail", "--url", Url, "--from-seq", "1", "--max-events", "10", "--json")).ShouldSucceed().JsonLines();
        rows.Should().HaveCount(10);
        rows.Select(r => r.GetProperty("seq").GetInt64()).Should().Equal(Enumerable.Range(1, 10).Select(i => (long)i));
        rows[0].GetProperty("key").GetString().Should().Be("key00000");
        rows[0].GetProperty("kind").GetString().Should().Be("value");
    }

    [Fact]
    public async Task Seq_to_ts_and_ts_to_seq_use_the_sequence_tracker()
    {
        var ts = (await Tool.RunAsync("seq-to-ts", "--url", Url, "1", "--round", "up", "--json")).ShouldSucceed().Json();
        var seconds = ts.GetProperty("ts_secs").GetInt64();
        seconds.Should().BeGreaterThan(DateTimeOffset.Parse("2020-01-01", System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeSeconds());
        var seq = (await Tool.RunAsync("ts-to-seq", "--url", Url, (seconds + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), "--json")).ShouldSucceed().Json();
        seq.GetProperty("seq").GetInt64().Should().BeGreaterThan(0);
        (await Tool.RunAsync("ts-to-seq", "--url", Url, "1000")).ShouldFailWith(3);
    }

    [Fact]
    public async Task Reading_never_fences_the_live_writer()
    {
        (await Tool.RunAsync("scan", "--url", Url, "--count")).ShouldSucceed();
        (await Tool.RunAsync("get", "--url", Url, "key00001")).ShouldSucceed();
        var manifest = (await Tool.RunAsync("read-manifest", "--url", Url, "--json")).ShouldSucceed().Json();
        manifest.GetProperty("writer_epoch").GetUInt64().Should().Be(db.Manifest.WriterEpoch, "no reader claimed the writer epoch");
        var writer = db.Database.Writer!;
        await writer.PutAsync("after-the-readers", "still-writing");
        await writer.DeleteAsync("after-the-readers");
        writer.Status.State.Should().Be(DbOpenState.Open);
    }

    [Fact]
    public async Task Every_command_has_help_with_an_example()
    {
        var root = (await Tool.RunAsync("--help")).ShouldSucceed().Stdout;
        string[] commands =
        [
            "read-manifest", "list-manifests", "create-checkpoint", "refresh-checkpoint", "delete-checkpoint", "list-checkpoints",
            "scan", "get", "put", "delete", "stats", "inspect-sst", "verify", "tail", "seq-to-ts", "ts-to-seq", "read-compactions", "list-compactions", "read-compaction", "submit-compaction", "run-worker", "delete-db",
            "run-garbage-collection", "schedule-garbage-collection", "run-compactor",
        ];
        foreach (var command in commands)
        {
            root.Should().Contain(command);
        }

        foreach (var command in commands)
        {
            (await Tool.RunAsync(command, "--help")).ShouldSucceed().Stdout.Should().Contain("Example", $"{command} --help shows an example");
        }
    }
}
