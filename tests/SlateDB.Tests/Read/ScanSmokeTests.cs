using System.Text;
using Microsoft.Extensions.Time.Testing;
using SlateDB.Storage;

namespace SlateDB.Tests.Read;

public sealed class ScanSmokeTests
{
    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    private static string S(ReadOnlyMemory<byte> b) => Encoding.UTF8.GetString(b.Span);

    private static async Task<List<string>> Keys(IAsyncEnumerable<KeyValue> scan)
    {
        var keys = new List<string>();
        await foreach (var kv in scan)
        {
            keys.Add(S(kv.Key));
        }

        return keys;
    }

    [Fact]
    public async Task Scans_merge_memtable_and_L0_in_both_orders()
    {
        var options = SlateDbOptions.Default with { FlushInterval = null, CompactorOptions = null, GarbageCollectorOptions = null, MinFilterKeys = 1 };
        await using var db = await SlateDb.OpenAsync("db", new InMemoryObjectStore(), options);
        for (var i = 0; i < 300; i++)
        {
            await db.PutAsync(B($"k{i:D4}"), B($"v{i}"));
        }

        await db.FlushAsync(new FlushOptions { FlushType = FlushType.MemTable });
        await db.PutAsync(B("k0005"), B("new"));
        await db.DeleteAsync(B("k0006"));
        await db.PutAsync(B("k9999"), B("last"));

        var all = await Keys(db.ScanAsync(KeyRange.All));
        all.Should().HaveCount(300).And.BeInAscendingOrder(StringComparer.Ordinal).And.NotContain("k0006").And.Contain("k9999");
        var descending = await Keys(db.ScanAsync(KeyRange.All, new ScanOptions { Order = IterationOrder.Descending }));
        descending.Should().Equal(Enumerable.Reverse(all));

        var between = await Keys(db.ScanAsync(KeyRange.Between(B("k0003"), B("k0008"))));
        between.Should().Equal("k0003", "k0004", "k0005", "k0007");
        (await db.GetAsync("k0005")).Should().Be("new");

        await using var iterator = await db.CreateIteratorAsync(KeyRange.Prefix(B("k01")));
        (await iterator.NextAsync()).Should().NotBeNull();
        await iterator.SeekAsync(B("k0150"));
        S((await iterator.NextAsync())!.Key).Should().Be("k0150");
        await FluentActions.Awaiting(() => iterator.SeekAsync(B("k0120")).AsTask()).Should().ThrowAsync<SlateDbException>();
    }

    [Fact]
    public async Task Snapshot_survives_overwrites_and_flushes()
    {
        var options = SlateDbOptions.Default with { FlushInterval = null, CompactorOptions = null, GarbageCollectorOptions = null };
        await using var db = await SlateDb.OpenAsync("db", new InMemoryObjectStore(), options);
        await db.PutAsync("a", "1");
        await using var snapshot = db.Snapshot();
        await db.PutAsync("a", "2");
        await db.PutAsync("b", "2");
        await db.FlushAsync(new FlushOptions { FlushType = FlushType.MemTable });

        S((await snapshot.GetAsync(B("a")))!).Should().Be("1");
        (await snapshot.GetAsync(B("b"))).Should().BeNull();
        (await Keys(snapshot.ScanAsync(KeyRange.All))).Should().Equal("a");
        (await db.GetAsync("a")).Should().Be("2");
    }

    [Fact]
    public async Task Expired_rows_are_hidden_by_the_database_clock()
    {
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000));
        var options = SlateDbOptions.Default with { FlushInterval = null, CompactorOptions = null, GarbageCollectorOptions = null, DefaultTtl = TimeSpan.FromMinutes(10) };
        await using var db = await SlateDb.Builder("db", new InMemoryObjectStore(time)).WithOptions(options).WithTimeProvider(time).OpenAsync();
        await db.PutAsync(B("short"), B("x"), new PutOptions { Ttl = Ttl.ExpireAfter(TimeSpan.FromSeconds(5)) });
        await db.PutAsync(B("default"), B("x"));
        await db.PutAsync(B("forever"), B("x"), new PutOptions { Ttl = Ttl.NoExpiry });

        (await Keys(db.ScanAsync(KeyRange.All))).Should().Equal("default", "forever", "short");
        time.Advance(TimeSpan.FromSeconds(6));
        (await db.GetAsync("short")).Should().BeNull();
        (await Keys(db.ScanAsync(KeyRange.All))).Should().Equal("default", "forever");
        time.Advance(TimeSpan.FromMinutes(10));
        (await Keys(db.ScanAsync(KeyRange.All))).Should().Equal("forever");
    }
}
