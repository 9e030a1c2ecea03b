using SlateDB.Storage;
using SlateDB.Storage.Gcp;

namespace SlateDB.Tests.Storage.Cloud.Gcs;

/// <summary><c>gs://</c> URLs: SlateDB's (object_store's) setting names, and stores opened from them on the in-repository server.</summary>
public sealed class GcsObjectStoreUrlTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("slatedb-gcs-url-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static ObjectStoreUrlOptions Environment(Dictionary<string, string> variables) =>
        new() { EnvironmentReader = name => variables.GetValueOrDefault(name) };

    private string WriteFile(string name, string text)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void The_bucket_and_prefix_come_from_the_url()
    {
        var options = GcsObjectStore.OptionsFromUrl("gs://My-Bucket/tenants/a/", Environment([]));

        options.Bucket.Should().Be("My-Bucket");
        options.Prefix.Should().Be("tenants/a");
        options.Endpoint.Should().BeNull();
        options.Anonymous.Should().BeFalse();
    }

    [Theory]
    [InlineData("s3://bucket/x")]
    [InlineData("gs:///x")]
    [InlineData("gs://bucket/a//b")]
    public void Bad_urls_are_rejected(string url)
    {
        FluentActions.Invoking(() => GcsObjectStore.OptionsFromUrl(url, Environment([]))).Should().Throw<ArgumentException>();
    }

    [Theory]
    [InlineData("GOOGLE_SERVICE_ACCOUNT")]
    [InlineData("GOOGLE_SERVICE_ACCOUNT_PATH")]
    [InlineData("SERVICE_ACCOUNT")]
    public void A_service_account_file_is_read_from_the_names_object_store_reads(string variable)
    {
        var path = WriteFile("sa.json", """{"type":"service_account","client_email":"a@b.iam.gserviceaccount.com"}""");

        var options = GcsObjectStore.OptionsFromUrl("gs://b", Environment(new() { [variable] = path }));

        options.ServiceAccountPath.Should().Be(path);
        options.Anonymous.Should().BeFalse();
    }

    [Fact]
    public void A_service_account_key_and_application_credentials_are_read_from_their_names()
    {
        const string key = """{"type":"service_account","client_email":"a@b.iam.gserviceaccount.com"}""";

        var fromKey = GcsObjectStore.OptionsFromUrl("gs://b", Environment(new() { ["GOOGLE_SERVICE_ACCOUNT_KEY"] = key }));
        var fromApplication = GcsObjectStore.OptionsFromUrl("gs://b", Environment(new() { ["GOOGLE_APPLICATION_CREDENTIALS"] = "/creds.json" }));

        fromKey.ServiceAccountKeyJson.Should().Be(key);
        fromApplication.ApplicationCredentialsPath.Should().Be("/creds.json");
    }

    [Fact]
    public void A_key_and_a_key_file_together_are_rejected()
    {
        var path = WriteFile("sa.json", """{"type":"service_account"}""");
        var environment = Environment(new() { ["GOOGLE_SERVICE_ACCOUNT"] = path, ["GOOGLE_SERVICE_ACCOUNT_KEY"] = """{"type":"service_account"}""" });

        FluentActions.Invoking(() => GcsObjectStore.OptionsFromUrl("gs://b", environment)).Should().Throw<ArgumentException>();
    }

    [Fact]
    public void A_service_account_file_may_carry_an_emulator_base_url_and_disable_oauth_as_object_store_reads_them()
    {
        var path = WriteFile("emulator.json", """{"type":"service_account","gcs_base_url":"http://127.0.0.1:4443","disable_oauth":true}""");

        var options = GcsObjectStore.OptionsFromUrl("gs://b", Environment(new() { ["GOOGLE_SERVICE_ACCOUNT"] = path, ["GOOGLE_ALLOW_HTTP"] = "true" }));

        options.Endpoint.Should().Be(new Uri("http://127.0.0.1:4443"));
        options.Anonymous.Should().BeTrue();
        options.ServiceAccountPath.Should().BeNull("disable_oauth sends no credentials");
    }

    [Fact]
    public void A_service_account_key_that_is_not_json_is_rejected()
    {
        FluentActions.Invoking(() => GcsObjectStore.OptionsFromUrl("gs://b", Environment(new() { ["GOOGLE_SERVICE_ACCOUNT_KEY"] = "not json" })))
            .Should().Throw<ArgumentException>();
    }

    [Fact]
    public void A_plain_http_base_url_needs_allow_http()
    {
        var environment = Environment(new() { ["GOOGLE_BASE_URL"] = "http://127.0.0.1:1", ["GOOGLE_SKIP_SIGNATURE"] = "true" });

        FluentActions.Invoking(() => GcsObjectStore.FromUrl("gs://b", environment)).Should().Throw<ArgumentException>().WithMessage("*AllowHttp*");
    }

    [ServerFact]
    public async Task FromUrl_opens_the_bucket_at_GOOGLE_BASE_URL_without_credentials_when_GOOGLE_SKIP_SIGNATURE_is_set()
    {
        var prefix = CloudStores.NewPrefix(this);
        var environment = Environment(new()
        {
            ["GOOGLE_BASE_URL"] = GcsStores.Server.Url.AbsoluteUri,
            ["GOOGLE_ALLOW_HTTP"] = "true",
            ["GOOGLE_SKIP_SIGNATURE"] = "true",
        });

        var store = ObjectStores.FromUrl($"gs://{GcsStores.Bucket}/{prefix}", environment);
        await store.PutAsync("via/url", "hello"u8.ToArray(), PutMode.Create, default);

        store.Should().BeOfType<GcsObjectStore>().Which.NamePrefix.Should().Be(prefix + "/");
        (await GcsStores.OnTestServer(prefix).GetAsync("via/url", default))!.Data.ToArray().Should().Equal("hello"u8.ToArray());
    }

    [ServerFact]
    public async Task FromUrl_follows_STORAGE_EMULATOR_HOST()
    {
        var prefix = CloudStores.NewPrefix(this);
        var host = GcsStores.Server.Url.Authority;

        var store = GcsObjectStore.FromUrl($"gs://{GcsStores.Bucket}/{prefix}", Environment(new() { ["STORAGE_EMULATOR_HOST"] = host }));
        await store.PutAsync("x", "1"u8.ToArray(), PutMode.Create, default);

        (await GcsStores.OnTestServer(prefix).HeadAsync("x", default)).Should().NotBeNull();
    }
}
