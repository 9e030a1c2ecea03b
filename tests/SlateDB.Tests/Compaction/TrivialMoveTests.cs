using SlateDB.Compaction;
using SlateDB.Manifest;
using SlateDB.Storage;
using static SlateDB.Tests.Compaction.CompactionTestKit;

namespace SlateDB.Tests.Compaction;

/// <summary>
/// <see cref="CompactorOptions.EnableTrivialMove"/>: L0 SSTs with disjoint keys become the sorted run as they are;
/// overlapping ones are merged as before; off by default.
/// </summary>
public sealed class TrivialMoveTests
{
    private static readonly SlateDbOptions WriterOptions = SlateDbOptions.Default with
    {
        FlushInterval = null,
        CompactorOptions = null,
        GarbageCollectorOptions = null,
        MinFilterKeys = 1,
    };

    /// <summary>Four L0 SSTs; with <paramref name="disjoint"/> each holds its own quarter of the keys.</summary>
    private static async Task<Dictionary<string, string>> WriteL0Async(SlateDb db, bool disjoint)
    {
        var expected = new Dictionary<string, string>();
        for (var f = 0; f < 4; f++)
        {
            var batch = new WriteBatch();
            for (var i = 0; i < 100; i++)
            {
                var key = Key(disjoint ? (f * 100) + i : (i * 4) + (f % 2));
                batch.Put(B(key), B($"v{f}"));
                expected[key] = $"v{f}";
            }

            await db.WriteAsync(batch);
            await db.FlushAsync(new FlushOptions { FlushType = FlushType.MemTable });
        }

        return expected;
    }

    private static async Task<DbManifest> ManifestAsync(IObjectStore store) =>
        (await new ManifestStore(store, new DbPaths("db")).ReadLatestAsync(CancellationToken.None))!.Value.Manifest;

    [Theory]
    [InlineData(true, true)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public async Task Disjoint_L0_ssts_move_without_a_rewrite_only_when_enabled(bool disjoint, bool enabled)
    {
        var store = new InMemoryObjectStore();
        var db = await SlateDb.OpenAsync("db", store, WriterOptions);
        var expected = await WriteL0Async(db, disjoint);
        await db.DisposeAsync();
        var l0 = (await ManifestAsync(store)).Core.Tree.L0.Select(view => view.Sst.Id).ToHashSet();

        await using (var compactor = await Compactor.Builder("db", store).WithOptions(new CompactorOptions { EnableTrivialMove = enabled }).WithSeed(3).WithPollingDisabled().StartAsync())
        {
            var results = await compactor.RunOnceAsync();
            results.Should().ContainSingle();
            var moved = disjoint && enabled;
            (results[0].RowsRead == 0).Should().Be(moved, moved ? "a trivial move reads nothing" : "the inputs are merged");
        }

        var after = await ManifestAsync(store);
        after.Core.Tree.L0.Should().BeEmpty();
        var run = after.Core.Tree.Compacted.Should().ContainSingle().Subject;
        var outputIds = run.Views.Select(view => view.Sst.Id).ToHashSet();
        if (disjoint && enabled)
        {
            outputIds.SetEquals(l0).Should().BeTrue("the moved run is made of the L0 SSTs themselves");
            run.Views.Select(view => view.Sst.Info.FirstEntry!.Value.ToArray()).Should().BeInAscendingOrder(ByteComparer.Instance);
        }
        else
        {
            outputIds.Overlaps(l0).Should().BeFalse("a merge writes new SSTs");
        }

        await using var reader = await SlateDb.OpenAsync("db", store, WriterOptions);
        foreach (var (key, value) in expected)
        {
            S((await reader.GetAsync(B(key)))!).Should().Be(value, key);
        }

        var scanned = new List<string>();
        await foreach (var row in reader.ScanAsync(KeyRange.All))
        {
            scanned.Add(S(row.Key));
        }

        scanned.Should().Equal(expected.Keys.Order(StringComparer.Ordinal));
    }
}
