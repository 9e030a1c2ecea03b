using System.Net;
using System.Net.Sockets;
using System.Text;
using SlateDB.Storage;

namespace SlateDB.Tests.Storage.Cloud;

/// <summary>
/// What a cloud adapter must do beyond the shared <see cref="ObjectStoreContractTests"/> (which the
/// <c>*ContractTests</c> classes run against the same servers): spell versions alike everywhere, keep key prefixes
/// apart, and map failures to the kinds a retry needs. Runs on the bare adapters; each test works under its own key
/// prefix, so the tests share one server. The failure tests are in the second file.
/// </summary>
public abstract partial class CloudObjectStoreTests
{
    /// <summary>A store on the test server whose keys all live under <paramref name="prefix"/>.</summary>
    protected abstract IObjectStore CreateStore(string prefix);

    /// <summary>A store whose endpoint has no server listening.</summary>
    protected abstract IObjectStore CreateUnreachableStore(Uri endpoint);

    /// <summary>A store on the test server that signs with a wrong secret.</summary>
    protected abstract IObjectStore CreateStoreWithWrongCredentials(string prefix);

    protected string NewPrefix() => CloudStores.NewPrefix(this);

    protected IObjectStore CreateStore() => CreateStore(NewPrefix());

    protected static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

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
    public async Task Update_accepts_the_version_from_put_head_get_and_list_alike()
    {
        // Listings return ETags in another spelling than headers on some services (Azure: without quotes).
        var store = CreateStore();
        var fromPut = (await store.PutAsync("obj", Bytes("v1"), PutMode.Create, default)).Version!;
        var afterPut = await store.PutAsync("obj", Bytes("v2"), PutMode.Update(fromPut), default);
        var fromHead = (await store.HeadAsync("obj", default))!.Version!;
        var afterHead = await store.PutAsync("obj", Bytes("v3"), PutMode.Update(fromHead), default);
        var fromGet = (await store.GetAsync("obj", default))!.Metadata.Version!;
        var afterGet = await store.PutAsync("obj", Bytes("v4"), PutMode.Update(fromGet), default);
        var fromList = (await ListAll(store, "")).Single().Version!;
        var afterList = await store.PutAsync("obj", Bytes("v5"), PutMode.Update(fromList), default);

        new[] { afterPut, afterHead, afterGet, afterList }.Should().OnlyContain(r => r.IsWritten);
        (await store.GetAsync("obj", default))!.Data.ToArray().Should().Equal(Bytes("v5"));
        (await ListAll(store, "")).Single().Should().Be(await store.HeadAsync("obj", default), "versions and times are spelled alike");
    }

    [ServerFact]
    public async Task A_slice_of_a_larger_buffer_is_written_exactly()
    {
        var store = CreateStore();
        var buffer = new byte[100];
        new Random(4).NextBytes(buffer);

        await store.PutAsync("slice", buffer.AsMemory(10, 50), PutMode.Overwrite, default);

        (await store.GetAsync("slice", default))!.Data.ToArray().Should().Equal(buffer.AsSpan(10, 50).ToArray());
    }

    [ServerFact]
    public async Task Stores_with_different_prefixes_do_not_see_each_other()
    {
        var root = NewPrefix();
        var a = CreateStore(root + "/tenant");
        var b = CreateStore(root + "/tenant2");
        var parent = CreateStore(root);

        await a.PutAsync("shared/name", Bytes("from a"), PutMode.Create, default);
        var createInB = await b.PutAsync("shared/name", Bytes("from b"), PutMode.Create, default);

        createInB.IsWritten.Should().BeTrue("the same path under another prefix is another object");
        (await a.GetAsync("shared/name", default))!.Data.ToArray().Should().Equal(Bytes("from a"));
        (await b.GetAsync("shared/name", default))!.Data.ToArray().Should().Equal(Bytes("from b"));
        (await ListAll(a, "")).Select(m => m.Path).Should().Equal("shared/name");
        (await ListAll(b, "")).Select(m => m.Path).Should().Equal("shared/name");
        (await ListAll(parent, "")).Select(m => m.Path).Should().BeEquivalentTo("tenant/shared/name", "tenant2/shared/name");

        await b.DeleteAsync("shared/name", default);
        (await a.HeadAsync("shared/name", default)).Should().NotBeNull("deleting in one prefix leaves the other alone");
        (await parent.HeadAsync("tenant/shared/name", default)).Should().NotBeNull();
        (await parent.HeadAsync("tenant2/shared/name", default)).Should().BeNull();
    }
}
