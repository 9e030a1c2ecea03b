using Google.Apis.Auth.OAuth2;
using SlateDB.Storage;
using SlateDB.Storage.Gcp;

namespace SlateDB.Tests.Storage.Cloud.Gcs;

/// <summary>
/// The cloud store tests (version spelling, prefixes, failure kinds) on the real Google client against the in-repository
/// strict server (<see cref="GcsTestServer"/>), plus GCS specifics: the precondition parameters sent, download
/// validation, and how each HTTP failure status maps to a kind.
/// </summary>
public sealed class GcsObjectStoreTests : CloudObjectStoreTests
{
    private static readonly Lazy<GcsTestServer> s_tokenServer = new(() => new GcsTestServer([GcsStores.Bucket], TimeProvider.System, bearerToken: "right-token"));

    protected override IObjectStore CreateStore(string prefix) => GcsStores.OnTestServer(prefix);

    protected override IObjectStore CreateUnreachableStore(Uri endpoint) => new GcsObjectStore(new GcsObjectStoreOptions
    {
        Bucket = GcsStores.Bucket,
        Endpoint = endpoint,
        AllowHttp = true,
        Anonymous = true,
        RequestTimeout = TimeSpan.FromSeconds(5),
    });

    protected override IObjectStore CreateStoreWithWrongCredentials(string prefix) => GcsStores.OnTestServer(prefix, s_tokenServer.Value, options =>
    {
        options.Anonymous = false;
        options.Credential = GoogleCredential.FromAccessToken("wrong-token");
    });

    [ServerFact]
    public async Task The_right_bearer_token_is_accepted()
    {
        var store = GcsStores.OnTestServer(NewPrefix(), s_tokenServer.Value, options =>
        {
            options.Anonymous = false;
            options.Credential = GoogleCredential.FromAccessToken("right-token");
        });

        (await store.PutAsync("a", Bytes("x"), PutMode.Create, default)).IsWritten.Should().BeTrue();
        (await store.GetAsync("a", default))!.Data.ToArray().Should().Equal(Bytes("x"));
    }

    [ServerFact]
    public async Task Create_and_update_send_ifGenerationMatch_with_zero_and_with_the_generation_and_the_bytes_CRC32C()
    {
        await using var server = new GcsTestServer([GcsStores.Bucket], TimeProvider.System);
        var store = GcsStores.OnTestServer("p", server);

        var created = await store.PutAsync("obj", Bytes("1"), PutMode.Create, default);
        var updated = await store.PutAsync("obj", Bytes("2"), PutMode.Update(created.Version!), default);

        var uploads = server.RequestLog.Where(line => line.StartsWith("POST /upload/", StringComparison.Ordinal)).ToList();
        uploads.Should().HaveCount(2);
        uploads[0].Should().Contain("ifGenerationMatch=0");
        uploads[1].Should().Contain($"ifGenerationMatch={created.Version}");
        server.RequestLog.Where(line => line.StartsWith("PUT /upload/", StringComparison.Ordinal)).Should()
            .HaveCount(2).And.OnlyContain(line => line.Contains("x-goog-hash: crc32c=", StringComparison.Ordinal), "RejectAndThrow sends the CRC32C with the bytes");
        long.Parse(updated.Version!, System.Globalization.CultureInfo.InvariantCulture)
            .Should().BeGreaterThan(long.Parse(created.Version!, System.Globalization.CultureInfo.InvariantCulture), "generations increase");
    }

    [ServerFact]
    public async Task A_version_that_is_no_generation_never_matches_and_writes_nothing()
    {
        var store = CreateStore();
        await store.PutAsync("obj", Bytes("1"), PutMode.Create, default);

        var result = await store.PutAsync("obj", Bytes("2"), PutMode.Update("\"etag-like\""), default);

        result.Outcome.Should().Be(PutOutcome.VersionMismatch);
        (await store.GetAsync("obj", default))!.Data.ToArray().Should().Equal(Bytes("1"));
    }

    [ServerFact]
    public async Task A_whole_read_whose_bytes_arrive_damaged_fails_as_unavailable_but_a_range_read_is_not_checked_against_the_whole_hash()
    {
        await using var server = new GcsTestServer([GcsStores.Bucket], TimeProvider.System);
        var store = GcsStores.OnTestServer("p", server);
        var data = Enumerable.Range(0, 1000).Select(i => (byte)i).ToArray();
        await store.PutAsync("obj", data, PutMode.Create, default);
        server.Rewrite = (request, response) =>
        {
            if (request.Param("alt") != "media" || request.Header("Range") is not null)
            {
                return response;
            }

            // The same x-goog-hash (the stored object's), one flipped bit in the bytes.
            var damaged = response.Body.ToArray();
            damaged[500] ^= 1;
            return response with { Body = damaged };
        };

        var whole = await FluentActions.Awaiting(() => store.GetAsync("obj", default).AsTask()).Should().ThrowAsync<SlateDbException>();
        var range = await store.GetRangeAsync("obj", new ByteRange(100, 50), default);

        whole.Which.Kind.Should().Be(SlateDbErrorKind.Unavailable, whole.Which.ToString());
        server.RequestLog.Should().Contain(line => line.Contains("alt=media", StringComparison.Ordinal) && line.EndsWith("range: bytes=100-149", StringComparison.Ordinal));
        range!.Data.ToArray().Should().Equal(data.AsSpan(100, 50).ToArray(), "a 206 carries the whole object's hash, which the range is not checked against");
    }

    [ServerTheory]
    [InlineData(429, SlateDbErrorKind.Unavailable)]
    [InlineData(503, SlateDbErrorKind.Unavailable)]
    [InlineData(500, SlateDbErrorKind.Unavailable)]
    [InlineData(408, SlateDbErrorKind.Unavailable)]
    [InlineData(401, SlateDbErrorKind.Invalid)]
    [InlineData(403, SlateDbErrorKind.Invalid)]
    [InlineData(400, SlateDbErrorKind.Internal)]
    [InlineData(501, SlateDbErrorKind.Internal)]
    public async Task Each_failure_status_maps_to_its_kind_for_every_operation(int status, SlateDbErrorKind kind)
    {
        await using var server = new GcsTestServer([GcsStores.Bucket], TimeProvider.System);
        var store = GcsStores.OnTestServer("p", server);
        await store.PutAsync("present", Bytes("x"), PutMode.Create, default);
        server.Fault = _ => GcsResponse.Error(status, status switch
        {
            429 => "rateLimitExceeded",
            401 => "authError",
            403 => "forbidden",
            _ => "backendError",
        }, $"injected {status}");

        var calls = new List<Func<Task>>
        {
            () => store.HeadAsync("present", default).AsTask(),
            () => store.GetAsync("present", default).AsTask(),
            () => store.GetRangeAsync("present", new ByteRange(0, 1), default).AsTask(),
            () => store.PutAsync("new", Bytes("x"), PutMode.Create, default).AsTask(),
            () => store.PutAsync("present", Bytes("x"), PutMode.Update("1"), default).AsTask(),
            () => store.PutAsync("present", Bytes("x"), PutMode.Overwrite, default).AsTask(),
            () => store.DeleteAsync("present", default).AsTask(),
            () => ListAll(store, ""),
        };

        foreach (var call in calls)
        {
            var thrown = await FluentActions.Awaiting(call).Should().ThrowAsync<SlateDbException>();
            thrown.Which.Kind.Should().Be(kind, thrown.Which.ToString());
        }
    }

    [ServerFact]
    public async Task A_missing_bucket_fails_as_invalid()
    {
        var store = GcsStores.OnTestServer(NewPrefix(), configure: options => options.Bucket = "no-such-bucket");

        var put = await FluentActions.Awaiting(() => store.PutAsync("a", Bytes("x"), PutMode.Create, default).AsTask()).Should().ThrowAsync<SlateDbException>();
        var head = await FluentActions.Awaiting(() => store.HeadAsync("a", default).AsTask()).Should().ThrowAsync<SlateDbException>();
        var list = await FluentActions.Awaiting(() => ListAll(store, "")).Should().ThrowAsync<SlateDbException>();

        put.Which.Kind.Should().Be(SlateDbErrorKind.Invalid, put.Which.ToString());
        head.Which.Kind.Should().Be(SlateDbErrorKind.Invalid, head.Which.ToString());
        list.Which.Kind.Should().Be(SlateDbErrorKind.Invalid, list.Which.ToString());
    }

    [ServerFact]
    public async Task A_transient_failure_is_retried_by_the_retrying_store()
    {
        await using var server = new GcsTestServer([GcsStores.Bucket], TimeProvider.System);
        var failures = 2;
        server.Fault = _ => Interlocked.Decrement(ref failures) >= 0 ? GcsResponse.Error(503, "backendError", "injected 503") : null;
        var store = new RetryingObjectStore(GcsStores.OnTestServer("p", server),
            new RetryOptions { MaxRetries = 3, InitialBackoff = TimeSpan.FromMilliseconds(1), MaxBackoff = TimeSpan.FromMilliseconds(2) });

        var put = await store.PutAsync("a", Bytes("x"), PutMode.Create, default);

        put.IsWritten.Should().BeTrue();
        (await store.GetAsync("a", default))!.Data.ToArray().Should().Equal(Bytes("x"));
    }
}
