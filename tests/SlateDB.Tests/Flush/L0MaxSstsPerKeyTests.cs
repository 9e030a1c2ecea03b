using System.Text;
using SlateDB.Common;
using SlateDB.Flush;
using SlateDB.Format;
using SlateDB.Manifest;
using SlateDB.Storage;

namespace SlateDB.Tests.Flush;

/// <summary><c>l0_max_ssts_per_key</c>: flushes wait on the L0 SSTs covering one key, not on how many L0 SSTs there are.</summary>
public sealed class L0MaxSstsPerKeyTests
{
    private static SsTableView View(string first, string last, BytesRange? visible = null) =>
        new(Ulid.Empty, new SsTableHandle(SsTableId.Compacted(Ulid.Empty), 2, new SsTableInfoModel { FirstEntry = Encoding.UTF8.GetBytes(first), LastEntry = Encoding.UTF8.GetBytes(last) }), visible);

    [Fact]
    public void The_overlap_is_the_most_ranges_covering_one_key()
    {
        L0Overlap.Max([]).Should().Be(0);
        L0Overlap.Max([View("a", "b"), View("c", "d"), View("e", "f")]).Should().Be(1, "disjoint ranges");
        L0Overlap.Max([View("a", "z"), View("b", "y"), View("c", "x")]).Should().Be(3);
        L0Overlap.Max([View("a", "c"), View("c", "e")]).Should().Be(2, "inclusive ends touching at c both cover c");
        L0Overlap.Max([View("a", "c"), View("b", "d"), View("m", "o"), View("n", "p"), View("n", "q")]).Should().Be(3, "two groups: the peak, not the sum");
        var beforeC = new BytesRange(BytesBound.Unbounded, BytesBound.Excluded(Encoding.UTF8.GetBytes("c")));
        L0Overlap.Max([View("a", "e", beforeC), View("c", "e")]).Should().Be(1, "a view's visible range narrows its SST's");
    }

    [Fact]
    public async Task Flushes_of_disjoint_keys_go_on_past_the_limit_and_overlapping_ones_wait()
    {
        var store = new InMemoryObjectStore();
        var options = SlateDbOptions.Default with { FlushInterval = null, CompactorOptions = null, GarbageCollectorOptions = null, L0MaxSsts = 100, L0MaxSstsPerKey = 2 };
        options.SettingsNotActedUpon().Should().BeEmpty();
        var db = await SlateDb.OpenAsync("db", store, options);
        foreach (var prefix in new[] { "a", "b", "c", "d" })
        {
            await db.PutAsync($"{prefix}1", "v");
            await db.FlushAsync(new FlushOptions { FlushType = FlushType.MemTable }).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        }

        // One SST over a..d: every key is covered twice at most.
        await db.PutAsync("a2", "v");
        await db.PutAsync("d2", "v");
        await db.FlushAsync(new FlushOptions { FlushType = FlushType.MemTable }).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        var admin = SlateDbAdmin.For("db", store);
        (await admin.ReadManifestAsync()).L0.Should().HaveCount(5, "five L0 SSTs, yet no key is in more than two");

        // A third over a..d waits for compaction.
        await db.PutAsync("a3", "v");
        await db.PutAsync("d3", "v");
        var stalled = db.FlushAsync(new FlushOptions { FlushType = FlushType.MemTable }).AsTask();
        await Task.Delay(300);
        stalled.IsCompleted.Should().BeFalse("the flush would put a third L0 SST over a1..d1");
        (await admin.ReadManifestAsync()).L0.Should().HaveCount(5);

        // Compaction empties L0 and the flush goes through.
        await using (var compactor = await SlateDB.Compaction.Compactor.Builder("db", store).WithPollingDisabled().StartAsync())
        {
            (await compactor.CompactFullAsync().WaitAsync(TimeSpan.FromSeconds(30))).Should().NotBeNull();
        }

        await db.RefreshManifestAsync(CancellationToken.None);
        await stalled.WaitAsync(TimeSpan.FromSeconds(30));
        (await admin.ReadManifestAsync()).L0.Should().ContainSingle();
        await db.CloseAsync();
        await using var reopened = await SlateDb.OpenAsync("db", store, options);
        (await reopened.GetAsync("a3")).Should().Be("v");
    }
}
