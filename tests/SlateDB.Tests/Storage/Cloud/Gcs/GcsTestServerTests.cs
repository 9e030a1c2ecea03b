using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace SlateDB.Tests.Storage.Cloud.Gcs;

/// <summary>
/// The strict server itself, driven with plain HTTP rather than the Google client: it must refuse what GCS documents as
/// refused, or the adapter tests that run on it would prove nothing.
/// </summary>
public sealed class GcsTestServerTests : IAsyncLifetime
{
    private readonly GcsTestServer _server = new([GcsStores.Bucket], TimeProvider.System);
    private readonly HttpClient _http = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _server.DisposeAsync();
    }

    private Uri Url(string pathAndQuery) => new(_server.Url, pathAndQuery);

    private async Task<HttpResponseMessage> UploadAsync(string name, string body, string conditions = "")
    {
        using var content = new StringContent(body);
        return await _http.PostAsync(Url($"upload/storage/v1/b/{GcsStores.Bucket}/o?uploadType=media&name={Uri.EscapeDataString(name)}{conditions}"), content);
    }

    private static async Task<long> GenerationOf(HttpResponseMessage response)
    {
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return long.Parse(json.RootElement.GetProperty("generation").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task IfGenerationMatch_zero_writes_only_an_absent_object_and_a_stale_generation_is_refused_with_412()
    {
        using var first = await UploadAsync("a/b", "1", "&ifGenerationMatch=0");
        using var again = await UploadAsync("a/b", "2", "&ifGenerationMatch=0");
        var generation = await GenerationOf(first);
        using var update = await UploadAsync("a/b", "3", $"&ifGenerationMatch={generation}");
        using var stale = await UploadAsync("a/b", "4", $"&ifGenerationMatch={generation}");
        using var missing = await UploadAsync("never", "5", "&ifGenerationMatch=7");

        first.StatusCode.Should().Be(HttpStatusCode.OK);
        again.StatusCode.Should().Be(HttpStatusCode.PreconditionFailed);
        update.StatusCode.Should().Be(HttpStatusCode.OK);
        (await GenerationOf(update)).Should().BeGreaterThan(generation);
        stale.StatusCode.Should().Be(HttpStatusCode.PreconditionFailed);
        missing.StatusCode.Should().Be(HttpStatusCode.PreconditionFailed);
        (await stale.Content.ReadAsStringAsync()).Should().Contain("conditionNotMet");
        (await _http.GetStringAsync(Url($"storage/v1/b/{GcsStores.Bucket}/o/a%2Fb?alt=media"))).Should().Be("3");
    }

    [Fact]
    public async Task A_resumable_upload_checks_its_preconditions_again_when_it_completes()
    {
        using var start = new HttpRequestMessage(HttpMethod.Post, Url($"upload/storage/v1/b/{GcsStores.Bucket}/o?uploadType=resumable&ifGenerationMatch=0"))
        {
            Content = new StringContent("""{"name":"late"}""", Encoding.UTF8, "application/json"),
        };
        using var started = await _http.SendAsync(start);
        started.StatusCode.Should().Be(HttpStatusCode.OK);
        using var winner = await UploadAsync("late", "first", "&ifGenerationMatch=0");

        using var finish = new HttpRequestMessage(HttpMethod.Put, started.Headers.Location) { Content = new ByteArrayContent("second"u8.ToArray()) };
        finish.Content.Headers.ContentRange = new ContentRangeHeaderValue(0, 5, 6);
        using var finished = await _http.SendAsync(finish);

        winner.StatusCode.Should().Be(HttpStatusCode.OK);
        finished.StatusCode.Should().Be(HttpStatusCode.PreconditionFailed, "the object appeared while the session was open");
        (await _http.GetStringAsync(Url($"storage/v1/b/{GcsStores.Bucket}/o/late?alt=media"))).Should().Be("first");
    }

    [Fact]
    public async Task Ranges_are_served_with_Content_Range_and_a_range_past_the_end_is_416()
    {
        (await UploadAsync("r", "0123456789")).EnsureSuccessStatusCode();

        using var inside = new HttpRequestMessage(HttpMethod.Get, Url($"storage/v1/b/{GcsStores.Bucket}/o/r?alt=media")) { Headers = { Range = new RangeHeaderValue(2, 4) } };
        using var past = new HttpRequestMessage(HttpMethod.Get, Url($"storage/v1/b/{GcsStores.Bucket}/o/r?alt=media")) { Headers = { Range = new RangeHeaderValue(10, 20) } };
        using var insideResponse = await _http.SendAsync(inside);
        using var pastResponse = await _http.SendAsync(past);

        insideResponse.StatusCode.Should().Be(HttpStatusCode.PartialContent);
        (await insideResponse.Content.ReadAsStringAsync()).Should().Be("234");
        insideResponse.Content.Headers.ContentRange!.ToString().Should().Be("bytes 2-4/10");
        pastResponse.StatusCode.Should().Be(HttpStatusCode.RequestedRangeNotSatisfiable);
    }

    [Fact]
    public async Task Listing_pages_with_an_opaque_token_in_name_order_and_refuses_a_bad_token()
    {
        foreach (var name in new[] { "p/c", "p/a", "p/b", "q/a" })
        {
            (await UploadAsync(name, name)).EnsureSuccessStatusCode();
        }

        var names = new List<string>();
        string? token = null;
        var pages = 0;
        do
        {
            var page = await _http.GetStringAsync(Url($"storage/v1/b/{GcsStores.Bucket}/o?prefix=p%2F&maxResults=2" + (token is null ? "" : "&pageToken=" + Uri.EscapeDataString(token))));
            using var json = JsonDocument.Parse(page);
            names.AddRange(json.RootElement.GetProperty("items").EnumerateArray().Select(item => item.GetProperty("name").GetString()!));
            token = json.RootElement.TryGetProperty("nextPageToken", out var next) ? next.GetString() : null;
            pages++;
        }
        while (token is not null);
        using var bad = await _http.GetAsync(Url($"storage/v1/b/{GcsStores.Bucket}/o?pageToken=%25%25%25"));

        names.Should().Equal("p/a", "p/b", "p/c");
        pages.Should().Be(2);
        bad.StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Unknown_buckets_and_objects_are_404_and_a_damaged_upload_is_refused()
    {
        using var noBucket = await _http.GetAsync(Url("storage/v1/b/nope/o/x"));
        using var noObject = await _http.GetAsync(Url($"storage/v1/b/{GcsStores.Bucket}/o/x"));
        using var content = new StringContent("payload");
        content.Headers.Add("X-Goog-Hash", "crc32c=AAAAAA==");
        using var damaged = await _http.PostAsync(Url($"upload/storage/v1/b/{GcsStores.Bucket}/o?uploadType=media&name=h"), content);

        noBucket.StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await noBucket.Content.ReadAsStringAsync()).Should().Contain("bucket does not exist");
        noObject.StatusCode.Should().Be(HttpStatusCode.NotFound);
        damaged.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        using var stored = await _http.GetAsync(Url($"storage/v1/b/{GcsStores.Bucket}/o/h"));
        stored.StatusCode.Should().Be(HttpStatusCode.NotFound, "a refused upload stores nothing");
    }
}
