using Amazon.Runtime;
using Azure.Storage.Blobs;
using SlateDB.Storage.Aws;
using SlateDB.Storage.Azure;

namespace SlateDB.Tests.Storage.Cloud;

/// <summary>Stores on the test servers, each under its own key prefix so that tests can share a bucket or container.</summary>
internal static class CloudStores
{
    public const string AzureContainer = "slatedb-test";

    // The storage emulator's fixed, publicly documented development key.
    public const string AzuriteKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private static readonly Lazy<Task> s_container = new(() =>
        new BlobContainerClient(TestServers.AzuriteConnectionString, AzureContainer).CreateIfNotExistsAsync());

    /// <summary>A fresh prefix for one test: the test class name and a random id.</summary>
    public static string NewPrefix(object test) => $"tests/{test.GetType().Name}/{Guid.NewGuid():N}";

    /// <summary>An S3 store on the radosgw test server.</summary>
    public static S3ObjectStore S3(string prefix, Action<S3ObjectStoreOptions>? configure = null)
    {
        var server = TestServers.S3;
        var options = new S3ObjectStoreOptions
        {
            Bucket = server.Bucket,
            Prefix = prefix,
            ServiceUrl = new Uri(server.Endpoint),
            AllowHttp = true,
            Region = server.Region,
            Credentials = new BasicAWSCredentials(server.AccessKey, server.SecretKey),
        };
        configure?.Invoke(options);
        return new S3ObjectStore(options);
    }

    /// <summary>An Azure store on the Azurite test server (the container is created on first use).</summary>
    public static AzureBlobObjectStore Azure(string prefix, int? listPageSize = null)
    {
        var connectionString = TestServers.AzuriteConnectionString;
        s_container.Value.GetAwaiter().GetResult();
        return new AzureBlobObjectStore(new AzureBlobObjectStoreOptions
        {
            Container = AzureContainer,
            Prefix = prefix,
            ConnectionString = connectionString,
            ListPageSize = listPageSize,
        });
    }

    /// <summary>Creates the Azure test container if needed.</summary>
    public static Task EnsureAzureContainerAsync() => s_container.Value;

    /// <summary>The blob endpoint of the Azurite connection string (<c>http://127.0.0.1:port/devstoreaccount1</c>).</summary>
    public static string AzuriteBlobEndpoint =>
        TestServers.AzuriteConnectionString.Split(';').Single(part => part.StartsWith("BlobEndpoint=", StringComparison.Ordinal))["BlobEndpoint=".Length..];

    /// <summary>An Azurite-style connection string for the dev account at <paramref name="serviceRoot"/>.</summary>
    public static string AzuriteConnectionStringFor(Uri serviceRoot, string key) =>
        $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={key};BlobEndpoint={serviceRoot}devstoreaccount1;";
}
