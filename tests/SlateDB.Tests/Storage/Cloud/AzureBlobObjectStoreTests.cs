using Azure.Storage.Blobs;
using SlateDB.Storage;
using SlateDB.Storage.Azure;

namespace SlateDB.Tests.Storage.Cloud;

/// <summary>The cloud store tests against a real Azurite (started by scripts/test-env.d/20-azurite.sh), plus Azure specifics.</summary>
public sealed class AzureBlobObjectStoreTests : CloudObjectStoreTests
{
    private const string ContainerName = "slatedb-test";

    // The storage emulator's fixed, publicly documented development key.
    private const string DevelopmentKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    private static readonly Lazy<Task> s_container = new(() => new BlobContainerClient(TestServers.AzuriteConnectionString, ContainerName).CreateIfNotExistsAsync());

    protected override bool IdenticalRewriteChangesVersion => true;

    protected override IObjectStore CreateStore(string prefix) => Create(prefix);

    // Azure's pages hold 5,000 names by default: ask for 500 so that 1,050 blobs take three pages.
    protected override IObjectStore CreatePagingStore(string prefix) => Create(prefix, listPageSize: 500);

    protected override IObjectStore CreateUnreachableStore(Uri endpoint) => new AzureBlobObjectStore(new AzureBlobObjectStoreOptions
    {
        Container = ContainerName,
        ConnectionString = ConnectionStringFor(endpoint, DevelopmentKey),
        RequestTimeout = TimeSpan.FromSeconds(5),
    });

    protected override IObjectStore CreateStoreWithWrongCredentials(string prefix)
    {
        var endpoint = new Uri(ParseBlobEndpoint(TestServers.AzuriteConnectionString).Replace("devstoreaccount1", "", StringComparison.Ordinal));
        var wrongKey = Convert.ToBase64String(new byte[64]);
        return new AzureBlobObjectStore(new AzureBlobObjectStoreOptions
        {
            Container = ContainerName,
            Prefix = prefix,
            ConnectionString = ConnectionStringFor(endpoint, wrongKey),
        });
    }

    [ServerFact]
    public async Task A_missing_container_fails_as_invalid()
    {
        var store = new AzureBlobObjectStore(new AzureBlobObjectStoreOptions
        {
            Container = "no-such-container-" + Guid.NewGuid().ToString("N")[..8],
            ConnectionString = TestServers.AzuriteConnectionString,
        });

        var put = await FluentActions.Awaiting(() => store.PutAsync("a", Bytes("x"), PutMode.Create, default).AsTask()).Should().ThrowAsync<SlateDbException>();
        var list = await FluentActions.Awaiting(() => ListAll(store, "")).Should().ThrowAsync<SlateDbException>();

        put.Which.Kind.Should().Be(SlateDbErrorKind.Invalid, put.Which.ToString());
        list.Which.Kind.Should().Be(SlateDbErrorKind.Invalid, list.Which.ToString());
    }

    [ServerFact]
    public async Task FromUrl_reads_the_account_from_the_environment_names_SlateDB_uses()
    {
        await s_container.Value;
        var endpoint = ParseBlobEndpoint(TestServers.AzuriteConnectionString);
        var prefix = NewPrefix();
        var environment = new Dictionary<string, string>
        {
            ["AZURE_STORAGE_ACCOUNT_NAME"] = "devstoreaccount1",
            ["AZURE_STORAGE_ACCOUNT_KEY"] = DevelopmentKey,
            ["AZURE_STORAGE_ENDPOINT"] = endpoint,
            ["AZURE_ALLOW_HTTP"] = "true",
        };
        var options = new ObjectStoreUrlOptions { EnvironmentReader = name => environment.GetValueOrDefault(name) };

        var store = ObjectStores.FromUrl($"az://{ContainerName}/{prefix}", options);
        await store.PutAsync("via/url", Bytes("hello"), PutMode.Create, default);

        store.Should().BeOfType<AzureBlobObjectStore>().Which.NamePrefix.Should().Be(prefix + "/");
        (await Create(prefix).GetAsync("via/url", default))!.Data.ToArray().Should().Equal(Bytes("hello"));
    }

    [ServerFact]
    public async Task FromUrl_takes_a_connection_string_from_the_environment()
    {
        await s_container.Value;
        var prefix = NewPrefix();
        var options = new ObjectStoreUrlOptions
        {
            EnvironmentReader = name => name == "AZURE_STORAGE_CONNECTION_STRING" ? TestServers.AzuriteConnectionString : null,
        };

        var store = AzureBlobObjectStore.FromUrl($"azure://{ContainerName}/{prefix}", options);
        await store.PutAsync("x", Bytes("y"), PutMode.Create, default);

        (await Create(prefix).HeadAsync("x", default))!.Size.Should().Be(1);
    }

    private static AzureBlobObjectStore Create(string prefix, int? listPageSize = null)
    {
        s_container.Value.GetAwaiter().GetResult();
        return new AzureBlobObjectStore(new AzureBlobObjectStoreOptions
        {
            Container = ContainerName,
            Prefix = prefix,
            ConnectionString = TestServers.AzuriteConnectionString,
            ListPageSize = listPageSize,
        });
    }

    private static string ParseBlobEndpoint(string connectionString) =>
        connectionString.Split(';').Single(part => part.StartsWith("BlobEndpoint=", StringComparison.Ordinal))["BlobEndpoint=".Length..];

    private static string ConnectionStringFor(Uri endpoint, string key) =>
        $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={key};BlobEndpoint={endpoint}devstoreaccount1;";
}
