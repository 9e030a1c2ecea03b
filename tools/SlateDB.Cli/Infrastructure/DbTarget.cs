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
            // Split by hand: System.Uri lower-cases the host, and a bucket name may have capitals.
            var separator = url.IndexOf("://", StringComparison.Ordinal);
            var rest = url[(separator + 3)..];
            var end = rest.IndexOfAny(['?', '#']);
            var query = end >= 0 ? rest[end..] : string.Empty;
            rest = (end >= 0 ? rest[..end] : rest).TrimEnd('/');
            var firstSlash = rest.IndexOf('/', StringComparison.Ordinal);
            var lastSlash = rest.LastIndexOf('/');
            if (firstSlash < 0 || lastSlash == rest.Length - 1)
            {
                throw new CliException(ExitCodes.Usage, $"'{url}' names no database: add its path (such as {url.TrimEnd('/')}/mydb) or give --path.");
            }

            dbPath = Uri.UnescapeDataString(rest[(lastSlash + 1)..]);
            var storeRest = rest[..lastSlash];
            var schemePart = url[..(separator + 3)];
            storeUrl = storeRest.Length == 0 ? $"{schemePart}/{query}"
                : storeRest.Contains('/', StringComparison.Ordinal) ? $"{schemePart}{storeRest}{query}"
                : $"{schemePart}{storeRest}/{query}";
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
