using SlateDB.Storage;
using SlateDB.Storage.Azure;

namespace SlateDB.Tests.Storage.Cloud;

/// <summary>
/// How <see cref="AzureBlobObjectStore"/> maps what Blob Storage answers, driven through the real SDK by a canned HTTP
/// server (no Azurite needed).
/// </summary>
public sealed class AzureErrorMappingTests
{
    [Theory]
    [InlineData(503, "ServerBusy", SlateDbErrorKind.Unavailable)]
    [InlineData(500, "InternalError", SlateDbErrorKind.Unavailable)]
    [InlineData(500, "OperationTimedOut", SlateDbErrorKind.Unavailable)]
    [InlineData(429, "TooManyRequests", SlateDbErrorKind.Unavailable)]
    [InlineData(403, "AuthorizationFailure", SlateDbErrorKind.Invalid)]
    [InlineData(403, "AuthenticationFailed", SlateDbErrorKind.Invalid)]
    [InlineData(404, "ContainerNotFound", SlateDbErrorKind.Invalid)]
    [InlineData(400, "InvalidHeaderValue", SlateDbErrorKind.Invalid)]
    [InlineData(400, "UnsupportedHeader", SlateDbErrorKind.Invalid)]
    [InlineData(501, "NotImplemented", SlateDbErrorKind.Internal)]
    public async Task Error_answers_map_to_the_kind_a_retry_needs(int status, string code, SlateDbErrorKind expected)
    {
        await using var server = new CannedHttpServer(head => Error(head, status, code));
        var store = Create(server.Url);

        var get = await FluentActions.Awaiting(() => store.GetAsync("a/b", default).AsTask()).Should().ThrowAsync<SlateDbException>();
        var put = await FluentActions.Awaiting(() => store.PutAsync("a/b", "x"u8.ToArray(), PutMode.Overwrite, default).AsTask()).Should().ThrowAsync<SlateDbException>();
        var list = await FluentActions.Awaiting(async () =>
        {
            await foreach (var unused in store.ListAsync("a/", default))
            {
            }
        }).Should().ThrowAsync<SlateDbException>();

        get.Which.Kind.Should().Be(expected, get.Which.Message);
        put.Which.Kind.Should().Be(expected, put.Which.Message);
        list.Which.Kind.Should().Be(expected, list.Which.Message);
        get.Which.Message.Should().Contain(code);
    }

    [Fact]
    public async Task Azurite_refusing_the_api_version_is_Invalid_and_says_what_to_do()
    {
        // What Azurite answers, without --skipApiVersionCheck, to an SDK newer than itself.
        const string message = "The API version 2026-02-06 is not supported by Azurite. Please upgrade Azurite to latest version and retry.";
        await using var server = new CannedHttpServer(head => head.StartsWith("HEAD ", StringComparison.Ordinal)
            ? new CannedResponse(400, "", new Dictionary<string, string> { ["x-ms-error-code"] = "InvalidHeaderValue" })
            : new CannedResponse(
                400,
                $"<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>InvalidHeaderValue</Code><Message>{message}</Message></Error>",
                new Dictionary<string, string> { ["Content-Type"] = "application/xml", ["x-ms-error-code"] = "InvalidHeaderValue" }));

        var get = await FluentActions.Awaiting(() => Create(server.Url).GetAsync("a/b", default).AsTask()).Should().ThrowAsync<SlateDbException>();
        get.Which.Kind.Should().Be(SlateDbErrorKind.Invalid);
        get.Which.Message.Should().Contain("--skipApiVersionCheck").And.Contain("API version");
    }

    [Fact]
    public async Task Lost_conditions_are_outcomes_not_failures()
    {
        await using var exists = new CannedHttpServer(head => Error(head, 409, "BlobAlreadyExists"));
        await using var notMet = new CannedHttpServer(head => Error(head, 412, "ConditionNotMet"));
        await using var gone = new CannedHttpServer(head => Error(head, 404, "BlobNotFound"));

        (await Create(exists.Url).PutAsync("a", "x"u8.ToArray(), PutMode.Create, default)).Outcome.Should().Be(PutOutcome.AlreadyExists);
        (await Create(notMet.Url).PutAsync("a", "x"u8.ToArray(), PutMode.Update("\"0x1\""), default)).Outcome.Should().Be(PutOutcome.VersionMismatch);
        (await Create(gone.Url).PutAsync("a", "x"u8.ToArray(), PutMode.Update("\"0x1\""), default)).Outcome.Should().Be(PutOutcome.VersionMismatch);
        (await Create(gone.Url).GetAsync("a", default)).Should().BeNull();
        (await Create(gone.Url).HeadAsync("a", default)).Should().BeNull();
        var conflict = await FluentActions.Awaiting(() => Create(exists.Url).PutAsync("a", "x"u8.ToArray(), PutMode.Overwrite, default).AsTask())
            .Should().ThrowAsync<SlateDbException>();
        conflict.Which.Kind.Should().Be(SlateDbErrorKind.Internal, "an unconditional put has no condition to lose");
    }

    [Fact]
    public async Task A_request_that_times_out_is_unavailable()
    {
        await using var server = new CannedHttpServer(_ => new CannedResponse(200) { Delay = TimeSpan.FromSeconds(30) });
        var store = Create(server.Url, TimeSpan.FromMilliseconds(300));

        var thrown = await FluentActions.Awaiting(() => store.HeadAsync("a", default).AsTask()).Should().ThrowAsync<SlateDbException>();

        thrown.Which.Kind.Should().Be(SlateDbErrorKind.Unavailable, thrown.Which.ToString());
    }

    [Fact]
    public async Task A_body_cut_short_is_unavailable()
    {
        var headers = new Dictionary<string, string> { ["ETag"] = "\"0x1\"", ["Last-Modified"] = "Mon, 23 Nov 2026 10:00:00 GMT", ["x-ms-blob-type"] = "BlockBlob" };
        await using var server = new CannedHttpServer(_ => new CannedResponse(200, new string('x', 100), headers, TruncateBodyAt: 10));
        var store = Create(server.Url);

        var thrown = await FluentActions.Awaiting(() => store.GetAsync("a", default).AsTask()).Should().ThrowAsync<SlateDbException>();

        thrown.Which.Kind.Should().Be(SlateDbErrorKind.Unavailable, thrown.Which.ToString());
    }

    [Fact]
    public async Task A_range_the_service_ignored_is_cut_out_of_the_whole_blob()
    {
        var headers = new Dictionary<string, string> { ["ETag"] = "\"0x1\"", ["Last-Modified"] = "Mon, 23 Nov 2026 10:00:00 GMT", ["x-ms-blob-type"] = "BlockBlob" };
        await using var server = new CannedHttpServer(_ => new CannedResponse(200, "0123456789", headers));
        var store = Create(server.Url);

        var got = await store.GetRangeAsync("a", new ByteRange(3, 4), default);

        got!.Data.ToArray().Should().Equal("3456"u8.ToArray());
        got.Metadata.Size.Should().Be(10);
        got.Metadata.Version.Should().Be("\"0x1\"");
    }

    [Fact]
    public async Task Reads_into_a_buffer_cut_an_ignored_range_out_of_the_whole_blob()
    {
        var headers = new Dictionary<string, string> { ["ETag"] = "\"0x1\"", ["Last-Modified"] = "Mon, 23 Nov 2026 10:00:00 GMT", ["x-ms-blob-type"] = "BlockBlob" };
        await using var server = new CannedHttpServer(_ => new CannedResponse(200, "0123456789", headers));
        var store = Create(server.Url);
        var destination = new byte[6];

        var read = await ((IRangeReadInto)store).ReadRangeIntoAsync("a", new ByteRange(3, 4), destination, default);

        read.Should().Be(4);
        destination.Should().Equal("3456\0\0"u8.ToArray());
    }

    [Fact]
    public async Task Reads_into_a_buffer_of_a_body_cut_short_or_longer_than_the_range_are_unavailable()
    {
        var partial = new Dictionary<string, string>
        {
            ["ETag"] = "\"0x1\"", ["Last-Modified"] = "Mon, 23 Nov 2026 10:00:00 GMT", ["x-ms-blob-type"] = "BlockBlob", ["Content-Range"] = "bytes 0-99/1000",
        };
        await using var cut = new CannedHttpServer(_ => new CannedResponse(206, new string('x', 100), partial, TruncateBodyAt: 10));
        await using var longer = new CannedHttpServer(_ => new CannedResponse(206, new string('x', 100), partial));

        foreach (var (server, range) in new[] { (cut, new ByteRange(0, 100)), (longer, new ByteRange(0, 50)) })
        {
            var store = Create(server.Url, TimeSpan.FromSeconds(5));
            var thrown = await FluentActions.Awaiting(() => ((IRangeReadInto)store).ReadRangeIntoAsync("a", range, new byte[100], default).AsTask())
                .Should().ThrowAsync<SlateDbException>();
            thrown.Which.Kind.Should().Be(SlateDbErrorKind.Unavailable, thrown.Which.ToString());
        }
    }

    [Fact]
    public void Content_range_totals_are_read()
    {
        AzureBlobObjectStore.TryParseTotalSize("bytes 5-8/20", out var total).Should().BeTrue();
        total.Should().Be(20);
        AzureBlobObjectStore.TryParseTotalSize(null, out _).Should().BeFalse();
        AzureETag.Normalize("0x8DC").Should().Be("\"0x8DC\"", "listings return ETags without quotes");
        AzureETag.Normalize("\"0x8DC\"").Should().Be("\"0x8DC\"");
    }

    // As Blob Storage does, an error answer to HEAD carries the code in a header and has no body.
    private static CannedResponse Error(string head, int status, string code) => head.StartsWith("HEAD ", StringComparison.Ordinal)
        ? new CannedResponse(status, "", new Dictionary<string, string> { ["x-ms-error-code"] = code })
        : new CannedResponse(
            status,
            $"<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>{code}</Code><Message>canned {code}</Message></Error>",
            new Dictionary<string, string> { ["Content-Type"] = "application/xml", ["x-ms-error-code"] = code });

    private static AzureBlobObjectStore Create(Uri url, TimeSpan? timeout = null) => new(new AzureBlobObjectStoreOptions
    {
        Container = "container",
        ConnectionString = "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;" +
            "AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;" +
            $"BlobEndpoint={url}devstoreaccount1;",
        RequestTimeout = timeout ?? TimeSpan.FromSeconds(10),
    });
}
