using Microsoft.Extensions.Time.Testing;
using SlateDB.Storage;
using static SlateDB.Tests.Read.ReadTestKit;

namespace SlateDB.Tests.Write;

/// <summary>
/// The overloads a newcomer reaches for: a string key with a binary value, a string prefix scan, a string read
/// through a snapshot, a TTL given as a plain <see cref="TimeSpan"/>. Each stores or reads the same bytes as the
/// byte overload it stands for.
/// </summary>
public sealed class StringAndBytesOverloadTests
{
    private static readonly byte[] s_binary = [0x00, 0xFF, 0x10, 0x80];

    private static Task<SlateDb> OpenAsync(IObjectStore store, TimeProvider? time = null)
    {
        var builder = SlateDb.Builder("db", store).WithOptions(TestOptions());
        return (time is null ? builder : builder.WithTimeProvider(time)).OpenAsync();
    }

    [Fact]
    public async Task PutAsync_with_a_string_key_and_a_byte_array_value_stores_the_UTF8_key_and_the_bytes()
    {
        await using var db = await OpenAsync(new InMemoryObjectStore());

        await db.PutAsync("clé", s_binary);

        (await db.GetAsync(B("clé"))).Should().Equal(s_binary);
        var slice = new byte[] { 1, 2, 3, 4, 5 }.AsMemory(1, 3);
        await db.PutAsync("slice", slice);
        (await db.GetAsync(B("slice"))).Should().Equal(2, 3, 4);
        await FluentActions.Invoking(() => db.PutAsync((string)null!, s_binary).AsTask()).Should().ThrowAsync<ArgumentNullException>();
        await FluentActions.Invoking(() => db.PutAsync(string.Empty, s_binary).AsTask()).Should().ThrowAsync<ArgumentException>();
    }

    [Fact]
    public async Task A_batch_puts_a_byte_array_under_a_string_key_and_deletes_a_string_key()
    {
        await using var db = await OpenAsync(new InMemoryObjectStore());
        await db.PutAsync("gone", "soon");

        var batch = new WriteBatch().Put("bin", s_binary).Delete("gone");
        await db.WriteAsync(batch);

        (await db.GetAsync(B("bin"))).Should().Equal(s_binary);
        (await db.GetAsync("gone")).Should().BeNull();
        FluentActions.Invoking(() => new WriteBatch().Put((string)null!, s_binary)).Should().Throw<ArgumentNullException>();
    }

    [Fact]
    public async Task ScanPrefixAsync_with_a_string_scans_the_keys_starting_with_its_UTF8_bytes()
    {
        await using var db = await OpenAsync(new InMemoryObjectStore());
        foreach (var key in new[] { "user:1", "user:2", "users", "usé:1", "video:1" })
        {
            await db.PutAsync(key, key.ToUpperInvariant());
        }

        var users = await ToListAsync(db.ScanPrefixAsync("user:"));
        users.Select(kv => kv.GetKeyString()).Should().Equal("user:1", "user:2");
        (await ToListAsync(db.ScanPrefixAsync("usé"))).Select(kv => kv.GetValueString()).Should().Equal("USÉ:1");
        FluentActions.Invoking(() => db.ScanPrefixAsync((string)null!)).Should().Throw<ArgumentNullException>();
    }

    [Fact]
    public async Task A_snapshot_reads_a_string_key_as_a_string_as_of_its_sequence()
    {
        await using var db = await OpenAsync(new InMemoryObjectStore());
        await db.PutAsync("k", "before");

        await using var snapshot = db.Snapshot();
        await db.PutAsync("k", "after");
        await db.PutAsync("new", "x");

        (await snapshot.GetAsync("k")).Should().Be("before");
        (await snapshot.GetAsync("new")).Should().BeNull();
        (await db.GetAsync("k")).Should().Be("after");
    }

    [Fact]
    public async Task A_TimeSpan_is_a_Ttl_that_expires_that_long_after_the_write()
    {
        var start = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);
        var time = new FakeTimeProvider(start);
        await using var db = await OpenAsync(new InMemoryObjectStore(time), time);

        Ttl ttl = TimeSpan.FromSeconds(30);
        ttl.Should().Be(Ttl.ExpireAfter(TimeSpan.FromSeconds(30)));
        await db.PutAsync("session", "token", new PutOptions { Ttl = TimeSpan.FromSeconds(30) });

        (await db.GetKeyValueAsync(B("session")))!.ExpiresAt.Should().Be(start.AddSeconds(30));
        time.Advance(TimeSpan.FromSeconds(30));
        (await db.GetAsync("session")).Should().BeNull();
        FluentActions.Invoking(() => (Ttl)TimeSpan.Zero).Should().Throw<ArgumentOutOfRangeException>();
    }
}
