using System.Net;
using System.Net.Sockets;
using System.Text;
using SlateDB.Storage;

namespace SlateDB.Tests.Storage.Cloud;

/// <summary>
/// The behaviour every cloud <see cref="IObjectStore"/> adapter must show against a real server (radosgw, Azurite).
/// Each test works under its own key prefix, so the tests share one server and bucket. The split files hold the
/// listing, isolation and race tests, and the failure tests.
/// </summary>
public abstract partial class CloudObjectStoreTests
{
    /// <summary>A store on the test server whose keys all live under <paramref name="prefix"/>.</summary>
    protected abstract IObjectStore CreateStore(string prefix);

    /// <summary>A store for the paging test, whose listing pages hold fewer than 1,050 names (S3: 1,000).</summary>
    protected virtual IObjectStore CreatePagingStore(string prefix) => CreateStore(prefix);

    /// <summary>A store whose endpoint has no server listening.</summary>
    protected abstract IObjectStore CreateUnreachableStore(Uri endpoint);

    /// <summary>A store on the test server that signs with a wrong secret.</summary>
    protected abstract IObjectStore CreateStoreWithWrongCredentials(string prefix);

    /// <summary>Whether rewriting an object with the same bytes gives it a new version (not on S3: the ETag is the MD5).</summary>
    protected abstract bool IdenticalRewriteChangesVersion { get; }

    protected string NewPrefix() => $"tests/{GetType().Name}/{Guid.NewGuid():N}";

    protected IObjectStore CreateStore() => CreateStore(NewPrefix());

    protected static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    protected static byte[] SeededBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    protected static async Task<List<ObjectMetadata>> ListAll(IObjectStore store, string prefix)
    {
        var items = new List<ObjectMetadata>();
        await foreach (var item in store.ListAsync(prefix, default))
        {
            items.Add(item);
        }

        return items;
    }

    /// <summary>A loopback URL on a port nothing listens on (bound and released just now).</summary>
    protected static Uri UnusedLoopbackUrl()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return new Uri($"http://127.0.0.1:{port}/");
    }

    [ServerFact]
    public async Task Put_then_get_returns_the_bytes_and_metadata()
    {
        var store = CreateStore();
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
        got.Metadata.LastModified.Should().BeCloseTo(DateTimeOffset.UtcNow, TimeSpan.FromMinutes(10), "the server's clock is this machine's");
    }

    [ServerFact]
    public async Task Head_get_and_list_report_the_same_metadata()
    {
        var store = CreateStore();
        var put = await store.PutAsync("a/b", Bytes("hello"), PutMode.Overwrite, default);

        var head = await store.HeadAsync("a/b", default);
        var got = await store.GetAsync("a/b", default);
        var listed = await ListAll(store, "a/");

        head.Should().NotBeNull();
        head!.Size.Should().Be(5);
        head.Version.Should().Be(put.Version);
        head.Should().Be(got!.Metadata);
        listed.Should().ContainSingle().Which.Should().Be(head, "versions and times are spelled alike in listings");
    }

    [ServerFact]
    public async Task Missing_objects_read_as_null()
    {
        var store = CreateStore();
        await store.PutAsync("present/x", Bytes("x"), PutMode.Overwrite, default);

        (await store.GetAsync("absent", default)).Should().BeNull();
        (await store.GetAsync("present/y", default)).Should().BeNull();
        (await store.GetRangeAsync("absent", new ByteRange(0, 10), default)).Should().BeNull();
        (await store.GetRangeAsync("absent", new ByteRange(5, 0), default)).Should().BeNull();
        (await store.HeadAsync("absent/deeper/still", default)).Should().BeNull();
    }

    [ServerFact]
    public async Task A_folder_of_objects_is_not_itself_an_object()
    {
        var store = CreateStore();
        await store.PutAsync("dir/child", Bytes("x"), PutMode.Overwrite, default);

        (await store.GetAsync("dir", default)).Should().BeNull();
        (await store.HeadAsync("dir", default)).Should().BeNull();
        await store.DeleteAsync("dir", default);
        (await store.HeadAsync("dir/child", default)).Should().NotBeNull();
    }

    [ServerTheory]
    [InlineData(0, 10, 0, 10)]      // the start
    [InlineData(37, 100, 37, 100)]  // inside
    [InlineData(990, 10, 990, 10)]  // the very end
    [InlineData(950, 500, 950, 50)] // runs past the end: the part inside
    [InlineData(999, 1, 999, 1)]    // the last byte
    [InlineData(1000, 10, 0, 0)]    // starts at the end: empty (416 from the server)
    [InlineData(5000, 10, 0, 0)]    // fully past the end: empty (416 from the server)
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

    [ServerFact]
    public async Task Empty_objects_round_trip()
    {
        var store = CreateStore();

        var put = await store.PutAsync("empty", ReadOnlyMemory<byte>.Empty, PutMode.Create, default);

        put.IsWritten.Should().BeTrue();
        var got = await store.GetAsync("empty", default);
        got!.Data.Length.Should().Be(0);
        got.Metadata.Size.Should().Be(0);
        var range = await store.GetRangeAsync("empty", new ByteRange(0, 10), default);
        range!.Data.Length.Should().Be(0);
        range.Metadata.Size.Should().Be(0);
    }

    [ServerFact]
    public async Task Large_objects_round_trip_whole_and_in_ranges()
    {
        var store = CreateStore();
        var data = SeededBytes(5 * 1024 * 1024 + 123, seed: 3);

        await store.PutAsync("big", data, PutMode.Create, default);

        (await store.GetAsync("big", default))!.Data.ToArray().Should().Equal(data);
        var tail = await store.GetRangeAsync("big", new ByteRange(data.Length - 1000, 4096), default);
        tail!.Data.ToArray().Should().Equal(data.AsSpan(data.Length - 1000).ToArray());
        (await store.HeadAsync("big", default))!.Size.Should().Be(data.Length);
    }

    [ServerFact]
    public async Task Paths_with_unusual_but_valid_characters_round_trip()
    {
        var store = CreateStore();
        const string path = "dir with space/ü+=,;@~!$&'()[]{}%.bin";

        await store.PutAsync(path, Bytes("odd"), PutMode.Overwrite, default);

        (await store.GetAsync(path, default))!.Data.ToArray().Should().Equal(Bytes("odd"));
        (await store.HeadAsync(path, default))!.Size.Should().Be(3);
        (await ListAll(store, "dir with space/")).Select(m => m.Path).Should().Equal(path);
        await store.DeleteAsync(path, default);
        (await store.HeadAsync(path, default)).Should().BeNull();
    }

    [ServerFact]
    public async Task The_store_copies_the_callers_buffer()
    {
        var store = CreateStore();
        var buffer = Bytes("first");
        await store.PutAsync("obj", buffer, PutMode.Overwrite, default);
        buffer.AsSpan().Fill((byte)'x');

        var first = await store.GetAsync("obj", default);
        first!.Data.ToArray().Should().Equal(Bytes("first"));
        await store.PutAsync("obj", Bytes("second"), PutMode.Overwrite, default);
        first.Data.ToArray().Should().Equal(Bytes("first"), "bytes already returned stay as they were");
    }

    [ServerFact]
    public async Task A_slice_of_a_larger_buffer_is_written_exactly()
    {
        var store = CreateStore();
        var buffer = SeededBytes(100, seed: 4);

        await store.PutAsync("slice", buffer.AsMemory(10, 50), PutMode.Overwrite, default);

        (await store.GetAsync("slice", default))!.Data.ToArray().Should().Equal(buffer.AsSpan(10, 50).ToArray());
    }

    [ServerFact]
    public async Task Overwrite_replaces_the_bytes_and_changes_the_version()
    {
        var store = CreateStore();
        var first = await store.PutAsync("obj", Bytes("one"), PutMode.Overwrite, default);

        var second = await store.PutAsync("obj", Bytes("two!"), PutMode.Overwrite, default);

        second.IsWritten.Should().BeTrue();
        second.Version.Should().NotBe(first.Version);
        var got = await store.GetAsync("obj", default);
        got!.Data.ToArray().Should().Equal(Bytes("two!"));
        got.Metadata.Version.Should().Be(second.Version);
    }

    [ServerFact]
    public async Task Create_writes_an_absent_object_and_refuses_an_existing_one()
    {
        var store = CreateStore();

        var first = await store.PutAsync("manifest/00000000000000000001.manifest", Bytes("v1"), PutMode.Create, default);
        var second = await store.PutAsync("manifest/00000000000000000001.manifest", Bytes("v2"), PutMode.Create, default);

        first.Outcome.Should().Be(PutOutcome.Written);
        second.Outcome.Should().Be(PutOutcome.AlreadyExists);
        second.Version.Should().BeNull();
        var got = await store.GetAsync("manifest/00000000000000000001.manifest", default);
        got!.Data.ToArray().Should().Equal(Bytes("v1"));
        got.Metadata.Version.Should().Be(first.Version);
    }

    [ServerFact]
    public async Task Update_writes_only_when_the_version_still_matches()
    {
        var store = CreateStore();
        var v1 = await store.PutAsync("obj", Bytes("v1"), PutMode.Create, default);

        var v2 = await store.PutAsync("obj", Bytes("v2"), PutMode.Update(v1.Version!), default);
        var stale = await store.PutAsync("obj", Bytes("stale"), PutMode.Update(v1.Version!), default);
        var madeUp = await store.PutAsync("obj", Bytes("made up"), PutMode.Update("\"0123456789abcdef0123456789abcdef\""), default);

        v2.Outcome.Should().Be(PutOutcome.Written);
        v2.Version.Should().NotBe(v1.Version);
        stale.Outcome.Should().Be(PutOutcome.VersionMismatch);
        madeUp.Outcome.Should().Be(PutOutcome.VersionMismatch);
        (await store.GetAsync("obj", default))!.Data.ToArray().Should().Equal(Bytes("v2"));
    }

    [ServerFact]
    public async Task Update_accepts_the_version_from_head_get_and_list_alike()
    {
        var store = CreateStore();
        await store.PutAsync("obj", Bytes("v1"), PutMode.Create, default);

        var fromHead = (await store.HeadAsync("obj", default))!.Version!;
        var afterHead = await store.PutAsync("obj", Bytes("v2"), PutMode.Update(fromHead), default);
        var fromGet = (await store.GetAsync("obj", default))!.Metadata.Version!;
        var afterGet = await store.PutAsync("obj", Bytes("v3"), PutMode.Update(fromGet), default);
        var fromList = (await ListAll(store, "")).Single().Version!;
        var afterList = await store.PutAsync("obj", Bytes("v4"), PutMode.Update(fromList), default);

        afterHead.IsWritten.Should().BeTrue();
        afterGet.IsWritten.Should().BeTrue();
        afterList.IsWritten.Should().BeTrue();
        (await store.GetAsync("obj", default))!.Data.ToArray().Should().Equal(Bytes("v4"));
    }

    [ServerFact]
    public async Task Update_of_a_missing_object_is_a_version_mismatch()
    {
        var store = CreateStore();
        var written = await store.PutAsync("gone", Bytes("x"), PutMode.Create, default);
        await store.DeleteAsync("gone", default);

        var afterDelete = await store.PutAsync("gone", Bytes("y"), PutMode.Update(written.Version!), default);
        var never = await store.PutAsync("never", Bytes("y"), PutMode.Update(written.Version!), default);

        afterDelete.Outcome.Should().Be(PutOutcome.VersionMismatch);
        never.Outcome.Should().Be(PutOutcome.VersionMismatch);
        (await store.HeadAsync("gone", default)).Should().BeNull();
        (await store.HeadAsync("never", default)).Should().BeNull();
    }

    [ServerFact]
    public async Task An_identical_rewrite_changes_the_version_only_where_the_service_says_so()
    {
        var store = CreateStore();
        var first = await store.PutAsync("obj", Bytes("same"), PutMode.Create, default);
        var second = await store.PutAsync("obj", Bytes("same"), PutMode.Overwrite, default);

        var update = await store.PutAsync("obj", Bytes("next"), PutMode.Update(first.Version!), default);

        if (IdenticalRewriteChangesVersion)
        {
            second.Version.Should().NotBe(first.Version);
            update.Outcome.Should().Be(PutOutcome.VersionMismatch);
        }
        else
        {
            second.Version.Should().Be(first.Version, "an S3 ETag is the MD5 of the bytes");
            update.Outcome.Should().Be(PutOutcome.Written);
        }
    }

    [ServerFact]
    public async Task Delete_removes_an_object_and_ignores_a_missing_one()
    {
        var store = CreateStore();
        await store.PutAsync("a", Bytes("x"), PutMode.Overwrite, default);

        await store.DeleteAsync("a", default);
        await store.DeleteAsync("a", default);
        await store.DeleteAsync("never/was", default);

        (await store.HeadAsync("a", default)).Should().BeNull();
        (await store.PutAsync("a", Bytes("again"), PutMode.Create, default)).IsWritten.Should().BeTrue("a deleted path is absent again");
    }

    [ServerFact]
    public async Task Invalid_paths_are_refused_before_any_request()
    {
        var store = CreateStore();

        await FluentActions.Awaiting(() => store.GetAsync("/abs", default).AsTask()).Should().ThrowAsync<ArgumentException>();
        await FluentActions.Awaiting(() => store.PutAsync("a//b", Bytes("x"), PutMode.Overwrite, default).AsTask()).Should().ThrowAsync<ArgumentException>();
        await FluentActions.Awaiting(() => store.HeadAsync("a/../b", default).AsTask()).Should().ThrowAsync<ArgumentException>();
        await FluentActions.Awaiting(() => store.DeleteAsync("", default).AsTask()).Should().ThrowAsync<ArgumentException>();
        await FluentActions.Awaiting(() => ListAll(store, "/x")).Should().ThrowAsync<ArgumentException>();
    }
}
