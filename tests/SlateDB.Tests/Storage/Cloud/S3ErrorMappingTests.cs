using Amazon.Runtime;
using SlateDB.Storage;
using SlateDB.Storage.Aws;

namespace SlateDB.Tests.Storage.Cloud;

/// <summary>
/// How <see cref="S3ObjectStore"/> maps what an S3 service answers, driven through the real SDK by a canned HTTP server
/// (no radosgw needed): transient answers become <see cref="SlateDbErrorKind.Unavailable"/>, lost conditions become
/// outcomes.
/// </summary>
public sealed class S3ErrorMappingTests
{
    private static readonly Dictionary<string, string> s_xml = new() { ["Content-Type"] = "application/xml" };

    [Theory]
    [InlineData(503, "SlowDown", SlateDbErrorKind.Unavailable)]
    [InlineData(500, "InternalError", SlateDbErrorKind.Unavailable)]
    [InlineData(502, "BadGateway", SlateDbErrorKind.Unavailable)]
    [InlineData(429, "TooManyRequests", SlateDbErrorKind.Unavailable)]
    [InlineData(400, "RequestTimeout", SlateDbErrorKind.Unavailable)]
    [InlineData(403, "AccessDenied", SlateDbErrorKind.Invalid)]
    [InlineData(403, "SignatureDoesNotMatch", SlateDbErrorKind.Invalid)]
    [InlineData(404, "NoSuchBucket", SlateDbErrorKind.Invalid)]
    [InlineData(400, "InvalidArgument", SlateDbErrorKind.Internal)]
    [InlineData(501, "NotImplemented", SlateDbErrorKind.Internal)]
    public async Task Error_answers_map_to_the_kind_a_retry_needs(int status, string code, SlateDbErrorKind expected)
    {
        await using var server = new CannedHttpServer(_ => new CannedResponse(status, ErrorXml(code), s_xml));
        using var store = Create(server.Url);

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
        get.Which.Message.Should().Contain(status.ToString(System.Globalization.CultureInfo.InvariantCulture)).And.Contain(code);
    }

    [Theory]
    [InlineData(412, "PreconditionFailed")]
    [InlineData(409, "ConditionalRequestConflict")]
    public async Task Lost_conditions_are_outcomes_not_failures(int status, string code)
    {
        await using var server = new CannedHttpServer(_ => new CannedResponse(status, ErrorXml(code), s_xml));
        using var store = Create(server.Url);

        var create = await store.PutAsync("a", "x"u8.ToArray(), PutMode.Create, default);
        var update = await store.PutAsync("a", "x"u8.ToArray(), PutMode.Update("\"abc\""), default);
        var overwrite = await FluentActions.Awaiting(() => store.PutAsync("a", "x"u8.ToArray(), PutMode.Overwrite, default).AsTask())
            .Should().ThrowAsync<SlateDbException>();

        create.Outcome.Should().Be(PutOutcome.AlreadyExists);
        update.Outcome.Should().Be(PutOutcome.VersionMismatch);
        overwrite.Which.Kind.Should().Be(SlateDbErrorKind.Internal, "an unconditional put has no condition to lose");
    }

    [Fact]
    public async Task An_update_of_a_missing_key_answered_with_404_is_a_version_mismatch()
    {
        await using var server = new CannedHttpServer(_ => new CannedResponse(404, ErrorXml("NoSuchKey"), s_xml));
        using var store = Create(server.Url);

        (await store.PutAsync("a", "x"u8.ToArray(), PutMode.Update("\"abc\""), default)).Outcome.Should().Be(PutOutcome.VersionMismatch);
        (await store.GetAsync("a", default)).Should().BeNull();
        (await store.HeadAsync("a", default)).Should().BeNull();
    }

    [Fact]
    public async Task A_body_cut_short_is_unavailable()
    {
        // An MD5-like ETag: the SDK checks a whole GET's bytes against it.
        var headers = new Dictionary<string, string> { ["ETag"] = "\"0123456789abcdef0123456789abcdef\"", ["Last-Modified"] = "Mon, 23 Nov 2026 10:00:00 GMT" };
        await using var server = new CannedHttpServer(_ => new CannedResponse(200, new string('x', 100), headers, TruncateBodyAt: 10));
        using var store = Create(server.Url);

        var thrown = await FluentActions.Awaiting(() => store.GetAsync("a", default).AsTask()).Should().ThrowAsync<SlateDbException>();

        thrown.Which.Kind.Should().Be(SlateDbErrorKind.Unavailable, thrown.Which.ToString());
    }

    [Fact]
    public async Task A_request_that_times_out_is_unavailable()
    {
        await using var server = new CannedHttpServer(_ => new CannedResponse(200) { Delay = TimeSpan.FromSeconds(30) });
        using var store = Create(server.Url, TimeSpan.FromMilliseconds(300));

        var thrown = await FluentActions.Awaiting(() => store.HeadAsync("a", default).AsTask()).Should().ThrowAsync<SlateDbException>();

        thrown.Which.Kind.Should().Be(SlateDbErrorKind.Unavailable, thrown.Which.ToString());
    }

    [Fact]
    public async Task A_range_the_service_ignored_is_cut_out_of_the_whole_object()
    {
        var headers = new Dictionary<string, string> { ["ETag"] = "\"e\"", ["Last-Modified"] = "Mon, 23 Nov 2026 10:00:00 GMT" };
        await using var server = new CannedHttpServer(_ => new CannedResponse(200, "0123456789", headers));
        using var store = Create(server.Url);

        var got = await store.GetRangeAsync("a", new ByteRange(3, 4), default);

        got!.Data.ToArray().Should().Equal("3456"u8.ToArray());
        got.Metadata.Size.Should().Be(10);
        got.Metadata.Version.Should().Be("\"e\"");
        got.Metadata.LastModified.Should().Be(new DateTimeOffset(2026, 11, 23, 10, 0, 0, TimeSpan.Zero));
    }

    [Fact]
    public async Task Reads_into_a_buffer_cut_an_ignored_range_out_of_the_whole_object()
    {
        var headers = new Dictionary<string, string> { ["ETag"] = "\"e\"", ["Last-Modified"] = "Mon, 23 Nov 2026 10:00:00 GMT" };
        await using var server = new CannedHttpServer(_ => new CannedResponse(200, "0123456789", headers));
        using var store = Create(server.Url);
        var destination = new byte[6];

        var read = await ((IRangeReadInto)store).ReadRangeIntoAsync("a", new ByteRange(3, 4), destination, default);

        read.Should().Be(4);
        destination.Should().Equal("3456\0\0"u8.ToArray());
    }

    [Fact]
    public async Task Reads_into_a_buffer_of_a_body_cut_short_or_longer_than_the_range_are_unavailable()
    {
        var partial = new Dictionary<string, string> { ["ETag"] = "\"e\"", ["Last-Modified"] = "Mon, 23 Nov 2026 10:00:00 GMT", ["Content-Range"] = "bytes 0-99/1000" };
        await using var cut = new CannedHttpServer(_ => new CannedResponse(206, new string('x', 100), partial, TruncateBodyAt: 10));
        await using var longer = new CannedHttpServer(_ => new CannedResponse(206, new string('x', 100), partial));

        foreach (var (server, range) in new[] { (cut, new ByteRange(0, 100)), (longer, new ByteRange(0, 50)) })
        {
            using var store = Create(server.Url);
            var thrown = await FluentActions.Awaiting(() => ((IRangeReadInto)store).ReadRangeIntoAsync("a", range, new byte[100], default).AsTask())
                .Should().ThrowAsync<SlateDbException>();
            thrown.Which.Kind.Should().Be(SlateDbErrorKind.Unavailable, thrown.Which.ToString());
        }
    }

    [Fact]
    public async Task Updates_send_the_etag_unquoted_by_default_and_quoted_on_request()
    {
        var ifMatch = new System.Collections.Concurrent.ConcurrentQueue<string>();
        await using var server = new CannedHttpServer(head =>
        {
            foreach (var line in head.Split("\r\n").Where(l => l.StartsWith("If-Match:", StringComparison.OrdinalIgnoreCase)))
            {
                ifMatch.Enqueue(line["If-Match:".Length..].Trim());
            }

            return new CannedResponse(200, "", new Dictionary<string, string> { ["ETag"] = "\"new\"" });
        });
        using var unquoted = Create(server.Url);
        using var quoted = Create(server.Url, configure: o => o.IfMatchQuoting = S3IfMatchQuoting.Quoted);

        var first = await unquoted.PutAsync("a", "x"u8.ToArray(), PutMode.Update("\"abc\""), default);
        var second = await quoted.PutAsync("a", "x"u8.ToArray(), PutMode.Update("abc"), default);

        first.Version.Should().Be("\"new\"");
        second.IsWritten.Should().BeTrue();
        ifMatch.Should().Equal("abc", "\"abc\"");
        S3ETag.ForIfMatch("\"abc\"", S3IfMatchQuoting.Quoted).Should().Be("\"abc\"");
        S3ETag.Normalize("abc").Should().Be("\"abc\"");
        S3ETag.Normalize("W/\"abc\"").Should().Be("W/\"abc\"");
        S3ETag.Normalize("").Should().BeNull();
    }

    [Theory]
    [InlineData("bytes 5-8/20", true, 20)]
    [InlineData("bytes */1000", true, 1000)]
    [InlineData("bytes 0-0/*", false, 0)]
    [InlineData(null, false, 0)]
    [InlineData("", false, 0)]
    public void Content_range_totals_are_read(string? header, bool parsed, long total)
    {
        S3ObjectStore.TryParseTotalSize(header, out var value).Should().Be(parsed);
        value.Should().Be(total);
    }

    private static string ErrorXml(string code) =>
        $"<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>{code}</Code><Message>canned {code}</Message><RequestId>r1</RequestId></Error>";

    private static S3ObjectStore Create(Uri url, TimeSpan? timeout = null, Action<S3ObjectStoreOptions>? configure = null)
    {
        var options = new S3ObjectStoreOptions
        {
            Bucket = "bucket",
            ServiceUrl = url,
            AllowHttp = true,
            Credentials = new BasicAWSCredentials("key", "secret"),
            RequestTimeout = timeout ?? TimeSpan.FromSeconds(10),
        };
        configure?.Invoke(options);
        return new S3ObjectStore(options);
    }
}
