using Microsoft.Extensions.Time.Testing;
using SlateDB.Storage;
using static SlateDB.Tests.Read.ReadTestKit;

namespace SlateDB.Tests.Read;

/// <summary>
/// Time to live on a fake clock: rows are read until their expiry and hidden from then on, by every read path, in
/// memory and in L0; expiry comes from the put's <see cref="Ttl"/> or the default.
/// </summary>
public sealed class TtlTests
{
    private static readonly DateTimeOffset s_start = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);
    private static readonly ScanOptions s_descending = new() { Order = IterationOrder.Descending };

    private readonly FakeTimeProvider _time = new(s_start);
    private readonly InMemoryObjectStore _store;

    public TtlTests() => _store = new InMemoryObjectStore(_time);

    private Task<SlateDb> OpenAsync(TimeSpan? defaultTtl = null) =>
        SlateDb.Builder("db", _store).WithOptions(TestOptions() with { DefaultTtl = defaultTtl }).WithTimeProvider(_time).OpenAsync();

    private static async Task<List<string>> KeysAsync(IAsyncEnumerable<KeyValue> scan) => (await ToListAsync(scan)).Select(kv => S(kv.Key)).ToList();

    /// <summary>The keys every read path finds: gets, GetKeyValue, scans both ways, a prefix scan and an iterator.</summary>
    private static async Task<List<string>> VisibleAsync(SlateDb db, params string[] candidates)
    {
        var ascending = await KeysAsync(db.ScanAsync(KeyRange.All));
        (await KeysAsync(db.ScanAsync(KeyRange.All, s_descending))).Should().Equal(Enumerable.Reverse(ascending));
        (await KeysAsync(db.ScanPrefixAsync(B("k")))).Should().Equal(ascending.Where(k => k.StartsWith('k')));
        var iterated = new List<string>();
        await using (var iterator = await db.CreateIteratorAsync(KeyRange.All))
        {
            while (await iterator.NextAsync() is { } row)
            {
                iterated.Add(S(row.Key));
            }
        }

        iterated.Should().Equal(ascending);
        foreach (var key in candidates)
        {
            var present = ascending.Contains(key);
            ((await db.GetAsync(key)) is not null).Should().Be(present, "get and scan agree on {0}", key);
            ((await db.GetKeyValueAsync(B(key))) is not null).Should().Be(present, "GetKeyValue and scan agree on {0}", key);
        }

        return ascending;
    }

    [Fact]
    public async Task A_row_is_read_until_its_expiry_and_hidden_from_every_read_from_then_on()
    {
        await using var db = await OpenAsync();
        var handle = await db.PutAsync(B("k1"), B("v"), new PutOptions { Ttl = Ttl.ExpireAfter(TimeSpan.FromSeconds(10)) });
        await db.PutAsync("k2", "forever");

        var row = await db.GetKeyValueAsync(B("k1"));
        row!.ExpiresAt.Should().Be(s_start.AddSeconds(10));
        row.CreatedAt.Should().Be(s_start).And.Be(handle.CreatedAt);
        (await db.GetKeyValueAsync(B("k2")))!.ExpiresAt.Should().BeNull();
        (await ToListAsync(db.ScanAsync(KeyRange.All))).Select(kv => kv.ExpiresAt).Should().Equal(s_start.AddSeconds(10), null);

        _time.Advance(TimeSpan.FromSeconds(10) - TimeSpan.FromMilliseconds(1));
        (await VisibleAsync(db, "k1", "k2")).Should().Equal("k1", "k2");
        _time.Advance(TimeSpan.FromMilliseconds(1));
        (await VisibleAsync(db, "k1", "k2")).Should().Equal("k2");
    }

    [Fact]
    public async Task The_default_ttl_applies_unless_a_put_says_no_expiry_or_gives_its_own()
    {
        await using var db = await OpenAsync(defaultTtl: TimeSpan.FromMinutes(1));
        var deadline = s_start.AddHours(2);
        await db.PutAsync("k-default", "x");
        await db.PutAsync(B("k-forever"), B("x"), new PutOptions { Ttl = Ttl.NoExpiry });
        await db.PutAsync(B("k-short"), B("x"), new PutOptions { Ttl = Ttl.ExpireAfter(TimeSpan.FromSeconds(5)) });
        await db.PutAsync(B("k-at"), B("x"), new PutOptions { Ttl = Ttl.ExpireAt(deadline) });
        _time.Advance(TimeSpan.FromSeconds(2));
        await db.WriteAsync(new WriteBatch()
            .Put(B("k-batch-default"), B("x"))
            .Put(B("k-batch-at"), B("x"), new PutOptions { Ttl = Ttl.ExpireAt(deadline) })
            .Put(B("k-batch-forever"), B("x"), new PutOptions { Ttl = Ttl.NoExpiry }));

        async Task<DateTimeOffset?> ExpiryAsync(string key) => (await db.GetKeyValueAsync(B(key)))!.ExpiresAt;
        (await ExpiryAsync("k-default")).Should().Be(s_start.AddMinutes(1));
        (await ExpiryAsync("k-forever")).Should().BeNull();
        (await ExpiryAsync("k-short")).Should().Be(s_start.AddSeconds(5));
        (await ExpiryAsync("k-at")).Should().Be(deadline);
        (await ExpiryAsync("k-batch-default")).Should().Be(s_start.AddSeconds(2).AddMinutes(1));
        (await ExpiryAsync("k-batch-at")).Should().Be(deadline, "an absolute expiry does not depend on when it is written");
        (await ExpiryAsync("k-batch-forever")).Should().BeNull();

        var all = new[] { "k-at", "k-batch-at", "k-batch-default", "k-batch-forever", "k-default", "k-forever", "k-short" };
        _time.Advance(TimeSpan.FromSeconds(3));
        (await VisibleAsync(db, all)).Should().Equal("k-at", "k-batch-at", "k-batch-default", "k-batch-forever", "k-default", "k-forever");
        _time.Advance(TimeSpan.FromSeconds(55));
        (await VisibleAsync(db, all)).Should().Equal("k-at", "k-batch-at", "k-batch-default", "k-batch-forever", "k-forever");
        _time.Advance(TimeSpan.FromSeconds(2));
        (await VisibleAsync(db, all)).Should().Equal("k-at", "k-batch-at", "k-batch-forever", "k-forever");
        _time.Advance(deadline - _time.GetUtcNow());
        (await VisibleAsync(db, all)).Should().Equal("k-batch-forever", "k-forever");
        _time.Advance(TimeSpan.FromDays(3650));
        (await VisibleAsync(db, all)).Should().Equal("k-batch-forever", "k-forever");
    }

    [Fact]
    public async Task Rows_flushed_to_l0_keep_their_expiry_and_still_expire_on_read_also_after_a_reopen()
    {
        await using (var db = await OpenAsync())
        {
            for (var i = 0; i < 100; i++)
            {
                var ttl = i % 2 == 0 ? Ttl.ExpireAfter(TimeSpan.FromSeconds(30)) : Ttl.NoExpiry;
                await db.PutAsync(B($"k{i:D3}"), B($"v{i}"), new PutOptions { Ttl = ttl });
            }

            await FlushMemtableAsync(db);
            var stored = await DbInspector.L0RowsAsync(_store);
            stored.Should().HaveCount(100);
            stored.Where(r => r.ExpireTs is not null).Should().HaveCount(50).And.OnlyContain(r => r.ExpireTs == s_start.AddSeconds(30).ToUnixTimeMilliseconds());

            (await VisibleAsync(db, "k000", "k001")).Should().HaveCount(100);
            _time.Advance(TimeSpan.FromSeconds(30));
            var visible = await VisibleAsync(db, "k000", "k001", "k098", "k099");
            visible.Should().HaveCount(50).And.OnlyContain(k => "13579".Contains(k[k.Length - 1]));
        }

        await using var reopened = await OpenAsync();
        (await VisibleAsync(reopened, "k000", "k001")).Should().HaveCount(50);
        (await reopened.GetAsync("k002")).Should().BeNull();
    }

    [Fact]
    public async Task An_expired_newest_version_hides_the_older_ones_and_a_later_put_without_ttl_brings_back_only_itself()
    {
        await using var db = await OpenAsync();

        // An old version without TTL in an older L0 SST, a newer one with TTL in a newer SST, a third in memory.
        await db.PutAsync("k-l0", "stale");
        await db.PutAsync("k-mem", "stale");
        await FlushMemtableAsync(db);
        await db.PutAsync(B("k-l0"), B("fresh"), new PutOptions { Ttl = Ttl.ExpireAfter(TimeSpan.FromSeconds(5)) });
        await FlushMemtableAsync(db);
        await db.PutAsync(B("k-mem"), B("fresh"), new PutOptions { Ttl = Ttl.ExpireAfter(TimeSpan.FromSeconds(5)) });
        (await db.GetAsync("k-l0")).Should().Be("fresh");
        (await db.GetAsync("k-mem")).Should().Be("fresh");

        _time.Advance(TimeSpan.FromSeconds(5));
        (await VisibleAsync(db, "k-l0", "k-mem")).Should().BeEmpty("the expired newest versions hide the stale ones beneath");

        // A new put without TTL is read, and only it: nothing older comes back.
        await db.PutAsync("k-l0", "new");
        (await VisibleAsync(db, "k-l0", "k-mem")).Should().Equal("k-l0");
        (await db.GetAsync("k-l0")).Should().Be("new");
        (await db.GetKeyValueAsync(B("k-l0")))!.ExpiresAt.Should().BeNull();
        await FlushMemtableAsync(db);
        _time.Advance(TimeSpan.FromDays(1));
        (await VisibleAsync(db, "k-l0", "k-mem")).Should().Equal("k-l0");

        // A TTL row over a deleted key expires into nothing.
        await db.DeleteAsync("k-l0");
        await db.PutAsync(B("k-l0"), B("brief"), new PutOptions { Ttl = Ttl.ExpireAfter(TimeSpan.FromMilliseconds(1)) });
        _time.Advance(TimeSpan.FromMilliseconds(1));
        (await VisibleAsync(db, "k-l0", "k-mem")).Should().BeEmpty();
    }

    [Fact]
    public async Task An_expiry_beyond_what_DateTimeOffset_holds_reads_as_its_maximum()
    {
        await using var db = await OpenAsync();
        await db.PutAsync(B("k"), B("v"), new PutOptions { Ttl = Ttl.ExpireAfter(TimeSpan.MaxValue) });
        (await db.GetKeyValueAsync(B("k")))!.ExpiresAt.Should().Be(DateTimeOffset.MaxValue);
        (await ToListAsync(db.ScanAsync(KeyRange.All))).Should().ContainSingle().Which.ExpiresAt.Should().Be(DateTimeOffset.MaxValue);
        _time.Advance(TimeSpan.FromDays(365 * 100));
        (await db.GetAsync("k")).Should().Be("v");
    }
}
