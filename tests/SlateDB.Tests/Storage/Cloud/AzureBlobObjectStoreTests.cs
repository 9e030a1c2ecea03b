using SlateDB.Storage;
using SlateDB.Storage.Azure;

namespace SlateDB.Tests.Storage.Cloud;

/// <summary>The cloud store tests against a real Azurite (started by scripts/test-env.d/20-azurite.sh), plus Azure specifics.</summary>
public sealed class AzureBlobObjectStoreTests : CloudObjectStoreTests
{
    private const string ContainerName = CloudStores.AzureContainer;

    protected override IObjectStore CreateStore(string prefix) => CloudStores.Azure(prefix);

    protected override IObjectStore CreateUnreachableStore(Uri endpoint) => new AzureBlobObjectStore(new AzureBlobObjectStoreOptions
    {
        Container = ContainerName,
        ConnectionString = CloudStores.AzuriteConnectionStringFor(endpoint, CloudStores.AzuriteKey),
        RequestTimeout = TimeSpan.FromSeconds(5),
    });

    protected override IObjectStore CreateStoreWithWrongCredentials(string prefix)
    {
        var endpoint = new Uri(CloudStores.AzuriteBlobEndpoint.Replace("devstoreaccount1", "", StringComparison.Ordinal));
        var wrongKey = Convert.ToBase64String(new byte[64]);
        return new AzureBlobObjectStore(new AzureBlobObjectStoreOptions
        {
            Container = ContainerName,
            Prefix = prefix,
            ConnectionString = CloudStores.AzuriteConnectionStringFor(endpoint, wrongKey),
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
        await CloudStores.EnsureAzureContainerAsync();
        var endpoint = CloudStores.AzuriteBlobEndpoint;
        var prefix = NewPrefix();
        var environment = new Dictionary<string, string>
        {
            ["AZURE_STORAGE_ACCOUNT_NAME"] = "devstoreaccount1",
            ["AZURE_STORAGE_ACCOUNT_KEY"] = CloudStores.AzuriteKey,
            ["AZURE_STORAGE_ENDPOINT"] = endpoint,
            ["AZURE_ALLOW_HTTP"] = "true",
        };
        var options = new ObjectStoreUrlOptions { EnvironmentReader = name => environment.GetValueOrDefault(name) };

        var store = ObjectStores.FromUrl($"az://{ContainerName}/{prefix}", options);
        await store.PutAsync("via/url", Bytes("hello"), PutMode.Create, default);

        store.Should().BeOfType<AzureBlobObjectStore>().Which.NamePrefix.Should().Be(prefix + "/");
        (await CloudStores.Azure(prefix).GetAsync("via/url", default))!.Data.ToArray().Should().Equal(Bytes("hello"));
    }

    [ServerFact]
    public async Task FromUrl_takes_a_connection_string_from_the_environment()
    {
        await CloudStores.EnsureAzureContainerAsync();
        var prefix = NewPrefix();
        var options = new ObjectStoreUrlOptions
        {
            EnvironmentReader = name => name == "AZURE_STORAGE_CONNECTION_STRING" ? TestServers.AzuriteConnectionString : null,
        };

        var store = AzureBlobObjectStore.FromUrl($"azure://{ContainerName}/{prefix}", options);
        await store.PutAsync("x", Bytes("y"), PutMode.Create, default);

        (await CloudStores.Azure(prefix).HeadAsync("x", default))!.Size.Should().Be(1);
    }
}
