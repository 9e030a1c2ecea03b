using System.Text;
using Microsoft.Extensions.Time.Testing;
using SlateDB.Storage;

namespace SlateDB.Tests.Storage;

/// <summary>
/// The behaviour every <see cref="IObjectStore"/> must have. Each implementation's test class derives from this and
/// supplies a fresh, empty store; the split files hold listing, argument and cancellation, and race tests.
/// </summary>
public abstract partial class ObjectStoreContractTests
{
    protected static readonly DateTimeOffset Epoch = new(2024, 5, 6, 7, 8, 9, TimeSpan.Zero);

    /// <summary>Creates a fresh, empty store whose clock is <paramref name="timeProvider"/> (the system clock if null).</summary>
    protected abstract IObjectStore CreateStore(TimeProvider? timeProvider = null);

    /// <summary>
    /// Whether the store stamps <see cref="ObjectMetadata.LastModified"/> from the given clock. Cloud stores use the
    /// service's clock: their times are checked against this machine's clock instead.
    /// </summary>
    protected virtual bool StampsTimesFromTheTimeProvider => true;

    /// <summary>
    /// Whether rewriting an object with identical bytes gives it a new version. Not on S3, whose ETag is the MD5 of the
    /// bytes: there the version stays, and an update naming it still succeeds.
    /// </summary>
    protected virtual bool IdenticalRewritesChangeTheVersion => true;

    /// <summary>Checks a written object's time: the given clock's, or the service's (close to this machine's).</summary>
    protected void ShouldBeWrittenAt(DateTimeOffset actual, DateTimeOffset clockTime)
    {
        if (StampsTimesFromTheTimeProvider)
        {
            actual.Should().BeCloseTo(clockTime, TimeSpan.FromMilliseconds(1));
        }
        else
        {
            actual.Should().BeCloseTo(DateTimeOffset.UtcNow, TimeSpan.FromMinutes(10), "the service's clock is close to this machine's");
        }
    }

    protected static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    protected static byte[] SeededBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    [StoreFact]
    public async Task Put_then_get_returns_the_bytes_and_metadata()
    {
        var time = new FakeTimeProvider(Epoch);
        var store = CreateStore(time);
        var data = SeededBytes(10_000, seed: 1);

        var put = await store.PutAsync("db/wal/00000000000000000001.sst", data, PutMode.Overwrite, default);

        put.Outcome.Should().Be(PutOutcome.Written);
        put.Version.Should().NotBeNullOrEmpty();
        var got = await store.GetAsync("db/wal/00000000000000000001.sst", default);
        got.Should().NotBeNull();
        got!.Data.ToArray().Should().Equal(data);
        got.Metadata.Path.Should().Be("db/wal/00000000000000000001.sst");
        got.Metadata.Size.Should().Be(data.Length);
        got.Metadata.Version.Should().Be(put.Version);
        ShouldBeWrittenAt(got.Metadata.LastModified, Epoch);
    }

    [StoreFact]
    public async Task Head_reports_the_same_metadata_as_get()
    {
        var store = CreateStore(new FakeTimeProvider(Epoch));
        var put = await store.PutAsync("a/b", Bytes("hello"), PutMode.Overwrite, default);

        var head = await store.HeadAsync("a/b", default);
        var got = await store.GetAsync("a/b", default);

        head.Should().NotBeNull();
        head!.Size.Should().Be(5);
        head.Version.Should().Be(put.Version);
        head.Should().Be(got!.Metadata);
    }

    [StoreFact]
    public async Task Missing_objects_read_as_null()
    {
        var store = CreateStore();
        await store.PutAsync("present/x", Bytes("x"), PutMode.Overwrite, default);

        (await store.GetAsync("absent", default)).Should().BeNull();
        (await store.GetAsync("present/y", default)).Should().BeNull();
        (await store.GetRangeAsync("absent", new ByteRange(0, 10), default)).Should().BeNull();
        (await store.HeadAsync("absent/deeper/still", default)).Should().BeNull();
    }

    [StoreFact]
    public async Task A_folder_of_objects_is_not_itself_an_object()
    {
        var store = CreateStore();
        await store.PutAsync("dir/child", Bytes("x"), PutMode.Overwrite, default);

        (await store.GetAsync("dir", default)).Should().BeNull();
        (await store.HeadAsync("dir", default)).Should().BeNull();
        await store.DeleteAsync("dir", default);
        (await store.HeadAsync("dir/child", default)).Should().NotBeNull();
    }

    [StoreTheory]
    [InlineData(0, 10, 0, 10)]      // the start
    [InlineData(37, 100, 37, 100)]  // inside
    [InlineData(990, 10, 990, 10)]  // the very end
    [InlineData(950, 500, 950, 50)] // runs past the end: the part inside
    [InlineData(1000, 10, 0, 0)]    // starts at the end: empty
    [InlineData(5000, 10, 0, 0)]    // fully past the end: empty
    [InlineData(10, 0, 0, 0)]       // zero length
    public async Task Range_reads_return_the_part_inside_the_object(long offset, long length, int expectedStart, int expectedLength)
    {
        var store = CreateStore();
        var data = SeededBytes(1000, seed: 2);
        var put = await store.PutAsync("obj", data, PutMode.Overwrite, default);

        var got = await store.GetRangeAsync("obj", new ByteRange(offset, length), default);

        got.Should().NotBeNull();
        got!.Data.ToArray().Should().Equal(data.AsSpan(expectedStart, expectedLength).ToArray());
        got.Metadata.Size.Should().Be(1000, "the metadata describes the whole object");
        got.Metadata.Version.Should().Be(put.Version);
    }

    [StoreFact]
    public async Task Empty_objects_round_trip()
    {
        var store = CreateStore();

        var put = await store.PutAsync("empty", ReadOnlyMemory<byte>.Empty, PutMode.Create, default);

        put.IsWritten.Should().BeTrue();
        var got = await store.GetAsync("empty", default);
        got!.Data.Length.Should().Be(0);
        got.Metadata.Size.Should().Be(0);
        (await store.GetRangeAsync("empty", new ByteRange(0, 10), default))!.Data.Length.Should().Be(0);
    }

    [StoreFact]
    public async Task Paths_with_unusual_but_valid_characters_round_trip()
    {
        var store = CreateStore();
        const string path = "dir with space/ü+=,;@~!$&'()[]{}.bin";

        await store.PutAsync(path, Bytes("odd"), PutMode.Overwrite, default);

        (await store.GetAsync(path, default))!.Data.ToArray().Should().Equal(Bytes("odd"));
        var listed = await ListPaths(store, "dir with space/");
        listed.Should().Equal(path);
    }

    [StoreFact]
    public async Task The_store_copies_the_callers_buffer_and_never_changes_what_it_returned()
    {
        var store = CreateStore();
        var buffer = Bytes("first");
        await store.PutAsync("obj", buffer, PutMode.Overwrite, default);
        buffer.AsSpan().Fill((byte)'x');

        var first = await store.GetAsync("obj", default);
        first!.Data.ToArray().Should().Equal(Bytes("first"), "the caller may reuse its buffer once the put returns");

        await store.PutAsync("obj", Bytes("second"), PutMode.Overwrite, default);
        first.Data.ToArray().Should().Equal(Bytes("first"), "bytes already returned stay as they were");
        (await store.GetAsync("obj", default))!.Data.ToArray().Should().Equal(Bytes("second"));
    }

    [StoreFact]
    public async Task Overwrite_replaces_the_bytes_and_changes_the_version_and_time()
    {
        var time = new FakeTimeProvider(Epoch);
        var store = CreateStore(time);
        var first = await store.PutAsync("obj", Bytes("one"), PutMode.Overwrite, default);
        time.Advance(TimeSpan.FromHours(1));

        var second = await store.PutAsync("obj", Bytes("two!"), PutMode.Overwrite, default);

        second.IsWritten.Should().BeTrue();
        second.Version.Should().NotBe(first.Version);
        var head = await store.HeadAsync("obj", default);
        head!.Version.Should().Be(second.Version);
        head.Size.Should().Be(4);
        ShouldBeWrittenAt(head.LastModified, Epoch.AddHours(1));
        (await store.GetAsync("obj", default))!.Data.ToArray().Should().Equal(Bytes("two!"));
    }

    [StoreFact]
    public async Task Every_write_gets_a_new_version_even_when_the_clock_stands_still()
    {
        var store = CreateStore(new FakeTimeProvider(Epoch));
        var versions = new HashSet<string>(StringComparer.Ordinal);

        for (var i = 0; i < 100; i++)
        {
            var put = await store.PutAsync("obj", Bytes("same bytes"), PutMode.Overwrite, default);
            if (IdenticalRewritesChangeTheVersion)
            {
                versions.Add(put.Version!).Should().BeTrue($"write {i} must not reuse an earlier version");
            }
            else
            {
                versions.Add(put.Version!);
                versions.Should().ContainSingle($"write {i}: the version is a digest of the bytes");
            }

            (await store.HeadAsync("obj", default))!.Version.Should().Be(put.Version);
        }
    }

    [StoreFact]
    [ChecksConditionalPuts]
    public async Task Create_writes_an_absent_object_and_refuses_an_existing_one()
    {
        var store = CreateStore();

        var created = await store.PutAsync("manifest/00000000000000000001.manifest", Bytes("v1"), PutMode.Create, default);
        var refused = await store.PutAsync("manifest/00000000000000000001.manifest", Bytes("v2"), PutMode.Create, default);

        created.Outcome.Should().Be(PutOutcome.Written);
        refused.Outcome.Should().Be(PutOutcome.AlreadyExists);
        refused.Version.Should().BeNull();
        var got = await store.GetAsync("manifest/00000000000000000001.manifest", default);
        got!.Data.ToArray().Should().Equal(Bytes("v1"), "a refused create changes nothing");
        got.Metadata.Version.Should().Be(created.Version);
    }

    [StoreFact]
    [ChecksConditionalPuts]
    public async Task Update_writes_only_when_the_version_still_matches()
    {
        var store = CreateStore(new FakeTimeProvider(Epoch));
        var v1 = await store.PutAsync("state", Bytes("one"), PutMode.Create, default);

        var v2 = await store.PutAsync("state", Bytes("two"), PutMode.Update(v1.Version!), default);
        var stale = await store.PutAsync("state", Bytes("stale"), PutMode.Update(v1.Version!), default);
        var wrong = await store.PutAsync("state", Bytes("wrong"), PutMode.Update("no-such-version"), default);

        v2.Outcome.Should().Be(PutOutcome.Written);
        v2.Version.Should().NotBe(v1.Version);
        stale.Outcome.Should().Be(PutOutcome.VersionMismatch);
        wrong.Outcome.Should().Be(PutOutcome.VersionMismatch);
        var got = await store.GetAsync("state", default);
        got!.Data.ToArray().Should().Equal(Bytes("two"));
        got.Metadata.Version.Should().Be(v2.Version);
    }

    [StoreFact]
    [ChecksConditionalPuts]
    public async Task Update_of_a_missing_object_is_a_version_mismatch()
    {
        var store = CreateStore();
        var put = await store.PutAsync("gone", Bytes("x"), PutMode.Create, default);
        await store.DeleteAsync("gone", default);

        var afterDelete = await store.PutAsync("gone", Bytes("y"), PutMode.Update(put.Version!), default);
        var never = await store.PutAsync("never", Bytes("y"), PutMode.Update("1"), default);

        afterDelete.Outcome.Should().Be(PutOutcome.VersionMismatch);
        never.Outcome.Should().Be(PutOutcome.VersionMismatch);
        (await store.HeadAsync("gone", default)).Should().BeNull();
        (await store.HeadAsync("never", default)).Should().BeNull();
    }

    [StoreFact]
    [ChecksConditionalPuts]
    public async Task Update_with_a_version_from_before_an_identical_rewrite_fails()
    {
        // A -> B -> A again, same size, frozen clock: the first version must not match the third write.
        var store = CreateStore(new FakeTimeProvider(Epoch));
        var first = await store.PutAsync("obj", Bytes("AAAA"), PutMode.Overwrite, default);
        await store.PutAsync("obj", Bytes("BBBB"), PutMode.Overwrite, default);
        await store.PutAsync("obj", Bytes("AAAA"), PutMode.Overwrite, default);

        var stale = await store.PutAsync("obj", Bytes("CCCC"), PutMode.Update(first.Version!), default);

        if (IdenticalRewritesChangeTheVersion)
        {
            stale.Outcome.Should().Be(PutOutcome.VersionMismatch);
            (await store.GetAsync("obj", default))!.Data.ToArray().Should().Equal(Bytes("AAAA"));
        }
        else
        {
            stale.Outcome.Should().Be(PutOutcome.Written, "the same bytes have the same version again");
            (await store.GetAsync("obj", default))!.Data.ToArray().Should().Equal(Bytes("CCCC"));
        }
    }

    [StoreFact]
    public async Task Delete_removes_an_object_and_ignores_a_missing_one()
    {
        var store = CreateStore();
        await store.PutAsync("db/wal/00000000000000000001.sst", Bytes("x"), PutMode.Overwrite, default);
        await store.PutAsync("db/wal/00000000000000000002.sst", Bytes("y"), PutMode.Overwrite, default);

        await store.DeleteAsync("db/wal/00000000000000000001.sst", default);
        await store.DeleteAsync("db/wal/00000000000000000001.sst", default);
        await store.DeleteAsync("never/was/here", default);

        (await store.GetAsync("db/wal/00000000000000000001.sst", default)).Should().BeNull();
        (await store.HeadAsync("db/wal/00000000000000000001.sst", default)).Should().BeNull();
        (await ListPaths(store, "db/")).Should().Equal("db/wal/00000000000000000002.sst");
        var recreated = await store.PutAsync("db/wal/00000000000000000001.sst", Bytes("z"), PutMode.Create, default);
        recreated.IsWritten.Should().BeTrue();
    }

    [StoreFact]
    public async Task Large_objects_round_trip_whole_and_in_ranges()
    {
        var store = CreateStore();
        var data = SeededBytes(3 * 1024 * 1024 + 17, seed: 3);

        await store.PutAsync("big.sst", data, PutMode.Overwrite, default);

        (await store.GetAsync("big.sst", default))!.Data.ToArray().Should().Equal(data);
        var range = await store.GetRangeAsync("big.sst", new ByteRange(1_000_003, 2_000_000), default);
        range!.Data.ToArray().Should().Equal(data.AsSpan(1_000_003, 2_000_000).ToArray());
    }

    [StoreFact]
    public async Task Distinct_keys_written_concurrently_all_land()
    {
        var store = CreateStore();

        await Parallel.ForAsync(0, 64, async (i, ct) =>
            (await store.PutAsync($"parallel/{i:D3}", Bytes($"value {i}"), PutMode.Create, ct)).IsWritten.Should().BeTrue());

        var listed = await ListAll(store, "parallel/");
        listed.Should().HaveCount(64);
        for (var i = 0; i < 64; i++)
        {
            (await store.GetAsync($"parallel/{i:D3}", default))!.Data.ToArray().Should().Equal(Bytes($"value {i}"));
        }
    }

    protected static async Task<List<ObjectMetadata>> ListAll(IObjectStore store, string prefix)
    {
        var all = new List<ObjectMetadata>();
        await foreach (var metadata in store.ListAsync(prefix, default))
        {
            all.Add(metadata);
        }

        return all;
    }

    protected static async Task<List<string>> ListPaths(IObjectStore store, string prefix) =>
        (await ListAll(store, prefix)).Select(m => m.Path).Order(StringComparer.Ordinal).ToList();
}
