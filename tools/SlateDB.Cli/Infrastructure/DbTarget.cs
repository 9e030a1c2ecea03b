using SlateDB.Storage;

namespace SlateDB.Cli.Infrastructure;

/// <summary>
/// The database a command works on: an object store and the database's path in it, from one URL
/// (<c>file:///data/mydb</c>, <c>s3://bucket/prefix/mydb</c>, <c>az://container/mydb</c>, <c>gs://bucket/mydb</c>):
/// the last path segment is the database's path and the rest names the store, unless <c>--path</c> gives the path.
/// </summary>
internal sealed record DbTarget(string Url, string StoreUrl, string DbPath, IObjectStore Store)
{
    public const string UrlVariable = "SLATEDB_URL";

    public static DbTarget Resolve(string? url, string? path, TimeSpan latency)
    {
        url ??= Environment.GetEnvironmentVariable(UrlVariable);
        if (string.IsNullOrWhiteSpace(url))
        {
            throw new CliException(ExitCodes.Usage, $"No database named: give --url (such as file:///data/mydb or s3://bucket/mydb) or set {UrlVariable}.");
        }

        if (url.StartsWith('/'))
        {
            url = new Uri(url).AbsoluteUri;
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme.Length < 2)
        {
            throw new CliException(ExitCodes.Usage, $"'{url}' is not a database URL such as file:///data/mydb, s3://bucket/mydb, az://container/mydb or gs://bucket/mydb.");
        }

        string storeUrl;
        string dbPath;
        if (!string.IsNullOrWhiteSpace(path))
        {
            storeUrl = url;
            dbPath = path.Trim('/');
        }
        else
        {
            var segments = uri.AbsolutePath.Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries);
            if (segments.Length == 0)
            {
                throw new CliException(ExitCodes.Usage, $"'{url}' names no database: add its path (such as {uri.Scheme}://{uri.Authority}/mydb) or give --path.");
            }

            dbPath = Uri.UnescapeDataString(segments[^1]);
            storeUrl = $"{uri.Scheme}://{uri.Authority}/{string.Join('/', segments[..^1])}";
        }

        IObjectStore store;
        try
        {
            store = ObjectStores.FromUrl(storeUrl);
        }
        catch (NotSupportedException)
        {
            throw new CliException(ExitCodes.Usage, $"'{url}': the URL scheme '{uri.Scheme}' is not supported (file, s3, s3a, az, azure, abfs, abfss, gs, memory).");
        }
        catch (ArgumentException exception)
        {
            throw new CliException(ExitCodes.Usage, $"'{url}': {exception.Message}");
        }
        catch (InvalidOperationException exception)
        {
            throw new CliException(ExitCodes.Unavailable, $"'{url}': {exception.Message}");
        }

        if (latency > TimeSpan.Zero)
        {
            store = new SlowObjectStore(store, latency);
        }

        return new DbTarget(url, storeUrl, dbPath, store);
    }
}
