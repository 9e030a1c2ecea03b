using SlateDB.Storage.Gcp;

namespace SlateDB.Tests.Storage.Cloud.Gcs;

/// <summary>GCS stores for the tests: on the in-repository <see cref="GcsTestServer"/>, each under its own prefix.</summary>
internal static class GcsStores
{
    public const string Bucket = "slatedb-test";

    private static readonly Lazy<GcsTestServer> s_server = new(() => new GcsTestServer([Bucket], TimeProvider.System));

    /// <summary>The shared strict test server (started on first use, stopped with the test process).</summary>
    public static GcsTestServer Server => s_server.Value;

    /// <summary>A store on <paramref name="server"/> (the shared one by default) through the real Google client, without credentials.</summary>
    public static GcsObjectStore OnTestServer(string prefix, GcsTestServer? server = null, Action<GcsObjectStoreOptions>? configure = null)
    {
        var options = new GcsObjectStoreOptions
        {
            Bucket = Bucket,
            Prefix = prefix,
            Endpoint = (server ?? Server).Url,
            AllowHttp = true,
            Anonymous = true,
        };
        configure?.Invoke(options);
        return new GcsObjectStore(options);
    }
}
