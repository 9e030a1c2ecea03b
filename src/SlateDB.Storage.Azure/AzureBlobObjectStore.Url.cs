using Azure;
using Azure.Storage;
using Azure.Storage.Blobs;

namespace SlateDB.Storage.Azure;

public sealed partial class AzureBlobObjectStore
{
    // The storage emulator's fixed, public development account (documented by Microsoft; not a secret).
    private const string EmulatorAccount = "devstoreaccount1";
    private const string EmulatorKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    /// <summary>
    /// Registers this package's factory with <see cref="ObjectStores"/> for the schemes <c>az</c>, <c>azure</c>,
    /// <c>abfs</c> and <c>abfss</c>. <see cref="ObjectStores.FromUrl"/> calls it itself the first time it meets such a
    /// URL, so calling it is only needed to replace another registration.
    /// </summary>
    public static void Register()
    {
        foreach (var scheme in (ReadOnlySpan<string>)["az", "azure", "abfs", "abfss"])
        {
            ObjectStores.Register(scheme, static (url, options) => FromUrl(url.OriginalString, options));
        }
    }

    /// <summary>
    /// Opens <c>az://container/prefix</c> (also <c>azure://</c>, and <c>abfs[s]://container@account.dfs.core.windows.net/prefix</c>),
    /// reading the account from <paramref name="options"/> and the environment: <c>AZURE_STORAGE_CONNECTION_STRING</c>;
    /// or <c>AZURE_STORAGE_ACCOUNT_NAME</c> with <c>AZURE_STORAGE_ACCOUNT_KEY</c> (or <c>AZURE_STORAGE_ACCESS_KEY</c>)
    /// or <c>AZURE_STORAGE_SAS_TOKEN</c> (or <c>AZURE_STORAGE_SAS_KEY</c>), at <c>AZURE_STORAGE_ENDPOINT</c> (or
    /// <c>AZURE_ENDPOINT</c>; default <c>https://account.blob.core.windows.net</c>); or
    /// <c>AZURE_STORAGE_USE_EMULATOR=true</c> for Azurite (at <c>AZURITE_BLOB_STORAGE_URL</c> or
    /// <c>http://127.0.0.1:10000</c>). <c>AZURE_ALLOW_HTTP</c> allows plain HTTP. As settings: the same names in lower
    /// case. For Entra ID sign-in set <see cref="AzureBlobObjectStoreOptions.TokenCredential"/> in
    /// <paramref name="configure"/>.
    /// </summary>
    /// <param name="url">The container and an optional name prefix.</param>
    /// <param name="options">Settings; when null, everything comes from the environment.</param>
    /// <param name="configure">Changes the options built from the URL and settings before the store is created.</param>
    /// <exception cref="ArgumentException">The URL or a setting is invalid, or no account is configured.</exception>
    public static AzureBlobObjectStore FromUrl(string url, ObjectStoreUrlOptions? options = null, Action<AzureBlobObjectStoreOptions>? configure = null)
    {
        var storeOptions = OptionsFromUrl(url, options ?? new ObjectStoreUrlOptions());
        configure?.Invoke(storeOptions);
        return new AzureBlobObjectStore(storeOptions);
    }

    /// <summary>The store options a URL and its settings describe.</summary>
    internal static AzureBlobObjectStoreOptions OptionsFromUrl(string url, ObjectStoreUrlOptions settings)
    {
        ArgumentException.ThrowIfNullOrEmpty(url);
        ArgumentNullException.ThrowIfNull(settings);
        var (container, urlAccount, prefix) = SplitUrl(url);
        var options = new AzureBlobObjectStoreOptions { Container = container, Prefix = prefix };
        options.AllowHttp = settings.GetFlag("azure_allow_http", "azure_storage_allow_http") ?? false;
        if (settings.GetSetting("azure_storage_connection_string") is { } connectionString)
        {
            options.ConnectionString = connectionString;
            return options;
        }

        var useEmulator = settings.GetFlag("azure_storage_use_emulator", "azure_use_emulator") ?? false;
        var account = settings.GetSetting("azure_storage_account_name", "azure_storage_account") ?? urlAccount
            ?? (useEmulator ? EmulatorAccount : null)
            ?? throw new ArgumentException(
                "No Azure storage account: set AZURE_STORAGE_CONNECTION_STRING, AZURE_STORAGE_ACCOUNT_NAME or AZURE_STORAGE_USE_EMULATOR.", nameof(settings));
        var endpoint = settings.GetSetting("azure_storage_endpoint", "azure_endpoint");
        if (endpoint is null && useEmulator)
        {
            var emulator = settings.GetSetting("azurite_blob_storage_url") ?? "http://127.0.0.1:10000";
            endpoint = $"{emulator.TrimEnd('/')}/{account}";
            options.AllowHttp = true;
        }

        endpoint ??= $"https://{account}.blob.core.windows.net";
        if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var serviceUri))
        {
            throw new ArgumentException($"The Azure endpoint '{endpoint}' is not an absolute URL.", nameof(settings));
        }

        options.ServiceUri = serviceUri;
        var key = settings.GetSetting("azure_storage_account_key", "azure_storage_access_key", "azure_storage_master_key")
            ?? (useEmulator && account == EmulatorAccount ? EmulatorKey : null);
        var sas = settings.GetSetting("azure_storage_sas_token", "azure_storage_sas_key");
        if (key is not null && sas is not null)
        {
            throw new ArgumentException("Set an Azure account key or a SAS token, not both.", nameof(settings));
        }

        if (key is not null)
        {
            options.SharedKeyCredential = new StorageSharedKeyCredential(account, key);
        }
        else if (sas is not null)
        {
            options.SasCredential = new AzureSasCredential(sas);
        }

        return options;
    }

    private static BlobContainerClient CreateContainerClient(AzureBlobObjectStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var clientOptions = new BlobClientOptions();
        clientOptions.Retry.MaxRetries = options.SdkMaxRetries;
        if (options.RequestTimeout is { } timeout)
        {
            clientOptions.Retry.NetworkTimeout = timeout;
        }

        if (options.ConnectionString is { } connectionString)
        {
            return new BlobContainerClient(connectionString, options.Container, clientOptions);
        }

        var serviceUri = options.ServiceUri!;
        var service = options switch
        {
            { SharedKeyCredential: { } sharedKey } => new BlobServiceClient(serviceUri, sharedKey, clientOptions),
            { SasCredential: { } sas } => new BlobServiceClient(serviceUri, sas, clientOptions),
            { TokenCredential: { } token } => new BlobServiceClient(serviceUri, token, clientOptions),
            _ => new BlobServiceClient(serviceUri, clientOptions),
        };
        return service.GetBlobContainerClient(options.Container);
    }

    private static (string Container, string? Account, string Prefix) SplitUrl(string url)
    {
        var separator = url.IndexOf("://", StringComparison.Ordinal);
        var scheme = separator > 0 ? url[..separator].ToUpperInvariant() : "";
        if (scheme is not ("AZ" or "AZURE" or "ABFS" or "ABFSS"))
        {
            throw new ArgumentException($"'{url}' is not an az://container/prefix URL.", nameof(url));
        }

        var rest = url[(separator + 3)..];
        var end = rest.IndexOfAny(['?', '#']);
        if (end >= 0)
        {
            rest = rest[..end];
        }

        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var authority = slash < 0 ? rest : rest[..slash];
        var prefix = slash < 0 ? "" : Uri.UnescapeDataString(rest[(slash + 1)..]).Trim('/');
        string container;
        string? account = null;
        var at = authority.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0)
        {
            // abfss://container@account.dfs.core.windows.net/prefix
            container = authority[..at];
            var host = authority[(at + 1)..];
            var dot = host.IndexOf('.', StringComparison.Ordinal);
            account = dot < 0 ? host : host[..dot];
        }
        else
        {
            container = authority;
        }

        if (container.Length == 0)
        {
            throw new ArgumentException($"'{url}' names no container.", nameof(url));
        }

        ObjectPath.ValidateStorePrefix(prefix, nameof(url));
        return (container, account, prefix);
    }
}
