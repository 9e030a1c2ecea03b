using SlateDB.Compaction;
using SlateDB.Format;
using SlateDB.Format.Compression;
using SlateDB.Manifest;
using static SlateDB.Tests.Compaction.CompactionTestKit;

namespace SlateDB.Tests.Compaction;

/// <summary>The executor: merge order, retention across inputs, output cutting, codecs, visible ranges.</summary>
public sealed class CompactionExecutorTests
{
    private static RowEntry Put(string key, string value, ulong seq, long? expireTs = null) => RowEntry.Put(B(key), B(value), seq, createTs: (long)seq, expireTs);

    private static RowEntry Delete(string key, ulong seq) => RowEntry.Delete(B(key), seq, createTs: (long)seq);

    private static string Describe(IEnumerable<RowEntry> rows) =>
        string.Join(" ", rows.Select(r => r.Kind switch
        {
            RowKind.Tombstone => $"{S(r.Key)}@{r.Seq}=X",
            _ => $"{S(r.Key)}@{r.Seq}={S(r.Value)}",
        }));

    [Fact]
    public async Task Newest_versions_win_across_L0_and_sorted_runs()
    {
        var kit = new CompactionTestKit();
        var newest = await kit.SstAsync([Put("a", "a3", 30), Delete("c", 31)]);
        var older = await kit.SstAsync([Put("a", "a2", 20), Put("b", "b2", 21)]);
        var run = await kit.RunAsync(0, [Put("a", "a1", 1), Put("b", "b1", 2)], [Put("c", "c1", 3), Put("d", "d1", 4)]);
        var job = Job([newest, older], [run], 0, new RetentionPolicy(100, 0, DropTombstones: false));

        var output = await kit.Executor().ExecuteAsync(job, CancellationToken.None);

        output.Run.Id.Should().Be(0);
        Describe(await kit.ReadAsync(output.Run)).Should().Be("a@30=a3 b@21=b2 c@31=X d@4=d1");
        output.RowsRead.Should().Be(8);
        output.RowsWritten.Should().Be(4);
        output.InputBytes.Should().BePositive();
        output.OutputBytes.Should().BePositive();
    }

    [Fact]
    public async Task Versions_a_snapshot_needs_are_kept()
    {
        var kit = new CompactionTestKit();
        var l0 = await kit.SstAsync([Put("a", "a9", 9), Put("b", "b9", 9)]);
        var run = await kit.RunAsync(3, [Put("a", "a6", 6), Put("a", "a4", 4), Put("a", "a2", 2), Put("b", "b1", 1)]);
        var job = Job([l0], [run], 3, new RetentionPolicy(5, 0, DropTombstones: true));

        var output = await kit.Executor().ExecuteAsync(job, CancellationToken.None);

        Describe(await kit.ReadAsync(output.Run)).Should().Be("a@9=a9 a@6=a6 a@4=a4 b@9=b9 b@1=b1");
    }

    [Fact]
    public async Task Tombstones_are_dropped_only_when_the_output_is_the_last_run()
    {
        var kit = new CompactionTestKit();
        var l0 = await kit.SstAsync([Delete("a", 9), Delete("z", 10), Put("b", "b9", 11)]);
        var run = await kit.RunAsync(2, [Put("a", "a1", 1), Put("b", "b1", 2)]);

        var middle = await kit.Executor().ExecuteAsync(Job([l0], [run], 2, new RetentionPolicy(100, 0, DropTombstones: false)), CancellationToken.None);
        Describe(await kit.ReadAsync(middle.Run)).Should().Be("a@9=X b@11=b9 z@10=X");

        var last = await kit.Executor().ExecuteAsync(Job([l0], [run], 2, new RetentionPolicy(100, 0, DropTombstones: true)), CancellationToken.None);
        Describe(await kit.ReadAsync(last.Run)).Should().Be("b@11=b9");
    }

    [Fact]
    public async Task Expired_rows_turn_into_tombstones_at_the_compaction_clock()
    {
        var kit = new CompactionTestKit();
        var l0 = await kit.SstAsync([Put("a", "gone", 5, expireTs: 1000), Put("b", "stays", 6, expireTs: 1001)]);
        var run = await kit.RunAsync(0, [Put("a", "old", 1)]);

        var output = await kit.Executor().ExecuteAsync(Job([l0], [run], 0, new RetentionPolicy(100, 1000, DropTombstones: false)), CancellationToken.None);
        var rows = await kit.ReadAsync(output.Run);
        Describe(rows).Should().Be("a@5=X b@6=stays");
        rows[0].CreateTs.Should().Be(5);
        rows[1].ExpireTs.Should().Be(1001);

        var last = await kit.Executor().ExecuteAsync(Job([l0], [run], 0, new RetentionPolicy(100, 1000, DropTombstones: true)), CancellationToken.None);
        Describe(await kit.ReadAsync(last.Run)).Should().Be("b@6=stays");
    }

    [Fact]
    public async Task Output_is_cut_at_the_size_limit_between_keys_only()
    {
        var seed = 1234;
        var random = new Random(seed);
        var kit = new CompactionTestKit(seed: seed);
        var l0 = new List<SsTableView>();
        ulong seq = 1;
        for (var sst = 0; sst < 4; sst++)
        {
            var rows = new List<RowEntry>();
            for (var i = 0; i < 3000; i++)
            {
                var key = Key(random.Next(2000));
                if (rows.Any(r => S(r.Key) == key))
                {
                    continue;
                }

                rows.Add(Put(key, new string('v', random.Next(5, 60)), seq++));
            }

            l0.Insert(0, await kit.SstAsync(rows));
        }

        const long maxSstSize = 16 * 1024;
        var job = Job(l0, [], 0, new RetentionPolicy(0, 0, DropTombstones: false));
        var output = await kit.Executor(maxSstSize).ExecuteAsync(job, CancellationToken.None);

        output.Run.Views.Count.Should().BeGreaterThan(3, $"seed {seed}");
        string? previousLast = null;
        var total = 0;
        foreach (var view in output.Run.Views)
        {
            var rows = await ReadViewAsync(kit.Tables, view);
            total += rows.Count;
            var first = S(rows[0].Key);
            if (previousLast is not null)
            {
                string.CompareOrdinal(first, previousLast).Should().BePositive($"a key's versions never span two SSTs (seed {seed})");
            }

            previousLast = S(rows[^1].Key);
            S(view.Sst.Info.FirstEntry!.Value).Should().Be(first);
            S(view.Sst.Info.LastEntry!.Value).Should().Be(previousLast);
            ((long)view.Sst.EstimatedSize).Should().BeLessThan(maxSstSize + 8 * 1024, $"seed {seed}");
        }

        total.Should().Be((int)output.RowsWritten).And.Be((int)output.RowsRead, "retention 0 keeps every version");
        var all = await kit.ReadAsync(output.Run);
        all.Select(r => (S(r.Key), r.Seq)).Should().BeInAscendingOrder(Comparer<(string Key, ulong Seq)>.Create((a, b) =>
        {
            var byKey = string.CompareOrdinal(a.Key, b.Key);
            return byKey != 0 ? byKey : b.Seq.CompareTo(a.Seq);
        }));
    }

    [Fact]
    public async Task Everything_deleted_leaves_a_run_without_SSTs()
    {
        var kit = new CompactionTestKit();
        var l0 = await kit.SstAsync([Delete("a", 9)]);
        var run = await kit.RunAsync(0, [Put("a", "a1", 1)]);
        var output = await kit.Executor().ExecuteAsync(Job([l0], [run], 0, new RetentionPolicy(100, 0, DropTombstones: true)), CancellationToken.None);
        output.Run.Views.Should().BeEmpty();
        output.RowsWritten.Should().Be(0);
    }

    [Theory]
    [InlineData(CompressionCodec.None)]
    [InlineData(CompressionCodec.Lz4)]
    [InlineData(CompressionCodec.Zstd)]
    public async Task Without_build_settings_the_codec_of_the_newest_input_is_used(CompressionCodec codec)
    {
        var kit = new CompactionTestKit();
        var settings = kit.Tables.Settings with { Codec = (BlockCodec)(byte)codec };
        var l0 = await kit.SstAsync([Put("a", new string('x', 500), 2)], settings);
        var older = await kit.SstAsync([Put("b", new string('y', 500), 1)], kit.Tables.Settings);
        var executor = new CompactionExecutor(kit.Tables, kit.Ids, TimeProvider.System, new CompactionExecutorSettings(null, 1 << 20, 2, 1 << 20));
        var output = await executor.ExecuteAsync(Job([l0, older], [], 0, new RetentionPolicy(0, 0, false)), CancellationToken.None);
        output.Run.Views.Should().ContainSingle().Which.Sst.Info.Compression.Should().Be((SstCompression)(byte)codec);
        Describe(await kit.ReadAsync(output.Run)).Should().Be($"a@2={new string('x', 500)} b@1={new string('y', 500)}");
    }

    [Fact]
    public async Task Views_show_only_their_visible_range()
    {
        var kit = new CompactionTestKit();
        var shared = await kit.SstAsync([Put("a", "1", 1), Put("b", "2", 2), Put("c", "3", 3), Put("d", "4", 4)]);
        var restricted = shared with { VisibleRange = new BytesRange(BytesBound.Included(B("b")), BytesBound.Excluded(B("d"))) };
        var run = new SortedRun(0, [restricted]);

        var fromL0 = await kit.Executor().ExecuteAsync(Job([restricted], [], 1, new RetentionPolicy(0, 0, false)), CancellationToken.None);
        Describe(await kit.ReadAsync(fromL0.Run)).Should().Be("b@2=2 c@3=3");
        var fromRun = await kit.Executor().ExecuteAsync(Job([], [run], 0, new RetentionPolicy(0, 0, false)), CancellationToken.None);
        Describe(await kit.ReadAsync(fromRun.Run)).Should().Be("b@2=2 c@3=3");
    }
}
