using System.Collections.Concurrent;
using System.Reflection;

namespace SlateDB.Storage;

/// <summary>Creates an <see cref="IObjectStore"/> for a URL such as <c>s3://bucket/prefix</c>.</summary>
/// <param name="url">The parsed URL; its scheme is the one the factory was registered for.</param>
/// <param name="options">Settings and the environment to read credentials and endpoints from.</param>
public delegate IObjectStore ObjectStoreFactory(Uri url, ObjectStoreUrlOptions options);

/// <summary>
/// Opens object stores from URLs, as SlateDB's <c>resolve_object_store</c> does: <c>memory:///</c> (a new, empty
/// <see cref="InMemoryObjectStore"/>) and <c>file:///path/to/folder</c> (a <see cref="LocalFileSystemObjectStore"/>
/// rooted there) are built in. The core package has no cloud SDK, so other schemes have a factory registered with
/// <see cref="Register"/>: the S3 package registers <c>s3</c> and <c>s3a</c>, the Azure package <c>az</c>,
/// <c>azure</c>, <c>abfs</c> and <c>abfss</c>, the Google Cloud Storage package <c>gs</c>. A known adapter package that the application references but has not
/// touched yet is loaded and registered on first use of its scheme.
/// </summary>
public static class ObjectStores
{
    private static readonly ConcurrentDictionary<string, ObjectStoreFactory> s_factories = new(
        [
            new("memory", static (url, _) => OpenMemory(url)),
            new("file", static (url, _) => new LocalFileSystemObjectStore(url.LocalPath)),
        ],
        StringComparer.OrdinalIgnoreCase);

    // Adapter packages by scheme: each has a public static parameterless Register() on the named type.
    private static readonly Dictionary<string, (string Assembly, string Type)> s_knownAdapters = new(StringComparer.OrdinalIgnoreCase)
    {
        ["s3"] = ("SlateDB.Storage.Aws", "SlateDB.Storage.Aws.S3ObjectStore"),
        ["s3a"] = ("SlateDB.Storage.Aws", "SlateDB.Storage.Aws.S3ObjectStore"),
        ["az"] = ("SlateDB.Storage.Azure", "SlateDB.Storage.Azure.AzureBlobObjectStore"),
        ["azure"] = ("SlateDB.Storage.Azure", "SlateDB.Storage.Azure.AzureBlobObjectStore"),
        ["abfs"] = ("SlateDB.Storage.Azure", "SlateDB.Storage.Azure.AzureBlobObjectStore"),
        ["abfss"] = ("SlateDB.Storage.Azure", "SlateDB.Storage.Azure.AzureBlobObjectStore"),
        ["gs"] = ("SlateDB.Storage.Gcp", "SlateDB.Storage.Gcp.GcsObjectStore"),
    };

    /// <summary>Makes <see cref="FromUrl"/> use <paramref name="factory"/> for URLs of <paramref name="scheme"/>,
    /// replacing an earlier registration of the same scheme.</summary>
    /// <param name="scheme">The URL scheme without <c>://</c>, such as <c>s3</c> (case-insensitive).</param>
    /// <param name="factory">Creates the store for a URL of that scheme.</param>
    /// <exception cref="ArgumentException"><paramref name="scheme"/> is not a valid URL scheme.</exception>
    public static void Register(string scheme, ObjectStoreFactory factory)
    {
        ArgumentException.ThrowIfNullOrEmpty(scheme);
        ArgumentNullException.ThrowIfNull(factory);
        if (!Uri.CheckSchemeName(scheme))
        {
            throw new ArgumentException($"'{scheme}' is not a valid URL scheme.", nameof(scheme));
        }

        s_factories[scheme] = factory;
    }

    /// <summary>True when a factory is registered for <paramref name="scheme"/>.</summary>
    public static bool IsRegistered(string scheme)
    {
        ArgumentNullException.ThrowIfNull(scheme);
        return s_factories.ContainsKey(scheme);
    }

    /// <summary>
    /// Opens the object store a URL names: <c>memory:///</c>, <c>file:///folder</c>, <c>s3://bucket/prefix</c> (package SlateDB.Storage.Aws),
    /// <c>az://container/prefix</c> (package SlateDB.Storage.Azure), <c>gs://bucket/prefix</c> (package SlateDB.Storage.Gcp), or any scheme given to <see cref="Register"/>.
    /// Credentials and endpoints come from <paramref name="options"/> and the environment (see each adapter's
    /// <c>FromUrl</c>).
    /// </summary>
    /// <param name="url">An absolute URL.</param>
    /// <param name="options">Settings; when null, everything comes from the environment.</param>
    /// <exception cref="ArgumentException">The URL is not absolute or a setting is invalid.</exception>
    /// <exception cref="NotSupportedException">No factory is registered for the URL's scheme and no known adapter
    /// package for it is loadable.</exception>
    public static IObjectStore FromUrl(string url, ObjectStoreUrlOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(url);
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            throw new ArgumentException($"'{url}' is not an absolute URL such as s3://bucket/prefix.", nameof(url));
        }

        var factory = FindFactory(uri.Scheme)
            ?? throw new NotSupportedException(
                $"No object store is registered for the URL scheme '{uri.Scheme}'. " + HowToRegister(uri.Scheme));
        return factory(uri, options ?? new ObjectStoreUrlOptions());
    }

    private static InMemoryObjectStore OpenMemory(Uri url)
    {
        if (url.AbsolutePath is not ("" or "/"))
        {
            throw new ArgumentException($"'{url.OriginalString}' has a path; an in-memory store is named memory:///.", nameof(url));
        }

        return new InMemoryObjectStore();
    }

    private static ObjectStoreFactory? FindFactory(string scheme)
    {
        if (s_factories.TryGetValue(scheme, out var factory))
        {
            return factory;
        }

        if (s_knownAdapters.TryGetValue(scheme, out var adapter) && TryRegisterAdapter(adapter.Assembly, adapter.Type))
        {
            return s_factories.GetValueOrDefault(scheme);
        }

        return null;
    }

    private static bool TryRegisterAdapter(string assemblyName, string typeName)
    {
        Assembly assembly;
        try
        {
            assembly = Assembly.Load(new AssemblyName(assemblyName));
        }
        catch (Exception exception) when (exception is FileNotFoundException or FileLoadException or BadImageFormatException)
        {
            return false;
        }

        var register = assembly.GetType(typeName)?.GetMethod("Register", BindingFlags.Public | BindingFlags.Static, Type.EmptyTypes);
        if (register is null)
        {
            return false;
        }

        register.Invoke(null, null);
        return true;
    }

    private static string HowToRegister(string scheme) => s_knownAdapters.TryGetValue(scheme, out var adapter)
        ? $"Add a reference to the {adapter.Assembly} package."
        : "Call ObjectStores.Register with a factory for it.";
}
