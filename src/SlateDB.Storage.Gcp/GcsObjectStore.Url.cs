using System.Text.Json;

namespace SlateDB.Storage.Gcp;

public sealed partial class GcsObjectStore
{
    /// <summary>
    /// Registers this package's factory with <see cref="ObjectStores"/> for the scheme <c>gs</c>.
    /// <see cref="ObjectStores.FromUrl"/> calls it itself the first time it meets such a URL, so calling it is only
    /// needed to replace another registration.
    /// </summary>
    public static void Register() =>
        ObjectStores.Register("gs", static (url, options) => FromUrl(url.OriginalString, options));

    /// <summary>
    /// Opens <c>gs://bucket/prefix</c>, reading credentials from <paramref name="options"/> and the environment under the
    /// names object_store's <c>GoogleCloudStorageBuilder</c> (which SlateDB uses) reads: <c>GOOGLE_SERVICE_ACCOUNT</c>
    /// (or <c>GOOGLE_SERVICE_ACCOUNT_PATH</c>, or <c>SERVICE_ACCOUNT</c>: a service account key file),
    /// <c>GOOGLE_SERVICE_ACCOUNT_KEY</c> (the key's JSON), <c>GOOGLE_APPLICATION_CREDENTIALS</c> (a credentials file of
    /// any type), <c>GOOGLE_SKIP_SIGNATURE</c> (send no credentials) and <c>GOOGLE_BASE_URL</c> (the service root). A
    /// service account file may carry <c>gcs_base_url</c> and <c>disable_oauth</c>, as object_store reads them for
    /// emulators. Beyond those: <c>STORAGE_EMULATOR_HOST</c> (Google's client libraries' emulator variable: the service
    /// root, without credentials), <c>GOOGLE_ALLOW_HTTP</c> (allow a plain-HTTP base URL) and
    /// <c>GOOGLE_USER_PROJECT</c> (the project billed for a requester-pays bucket). As settings: the same names in lower
    /// case. Without any credential setting Google's application default credentials apply.
    /// </summary>
    /// <param name="url">The bucket and an optional name prefix.</param>
    /// <param name="options">Settings; when null, everything comes from the environment.</param>
    /// <param name="configure">Changes the options built from the URL and settings before the store is created.</param>
    /// <exception cref="ArgumentException">The URL or a setting is invalid, or a credentials file cannot be read.</exception>
    public static GcsObjectStore FromUrl(string url, ObjectStoreUrlOptions? options = null, Action<GcsObjectStoreOptions>? configure = null)
    {
        var storeOptions = OptionsFromUrl(url, options ?? new ObjectStoreUrlOptions());
        configure?.Invoke(storeOptions);
        return new GcsObjectStore(storeOptions);
    }

    /// <summary>The store options a URL and its settings describe.</summary>
    internal static GcsObjectStoreOptions OptionsFromUrl(string url, ObjectStoreUrlOptions settings)
    {
        ArgumentException.ThrowIfNullOrEmpty(url);
        ArgumentNullException.ThrowIfNull(settings);
        var (bucket, prefix) = SplitUrl(url);
        var options = new GcsObjectStoreOptions
        {
            Bucket = bucket,
            Prefix = prefix,
            UserProject = settings.GetSetting("google_user_project"),
            AllowHttp = settings.GetFlag("google_allow_http") ?? false,
        };

        var serviceAccountPath = settings.GetSetting("google_service_account", "google_service_account_path", "service_account");
        var serviceAccountKey = settings.GetSetting("google_service_account_key");
        if (serviceAccountPath is not null && serviceAccountKey is not null)
        {
            throw new ArgumentException("Set GOOGLE_SERVICE_ACCOUNT (a key file) or GOOGLE_SERVICE_ACCOUNT_KEY (its JSON), not both.", nameof(settings));
        }

        var serviceAccountJson = serviceAccountKey
            ?? (serviceAccountPath is null ? null : GcsCredentials.ReadFile(serviceAccountPath, "service account"));
        var (fileBaseUrl, disableOAuth) = serviceAccountJson is null ? (null, false) : EmulatorFields(serviceAccountJson);
        var emulatorHost = settings.GetSetting("storage_emulator_host");
        var endpoint = settings.GetSetting("google_base_url") ?? fileBaseUrl;
        if (endpoint is null && emulatorHost is not null)
        {
            endpoint = emulatorHost.Contains("://", StringComparison.Ordinal) ? emulatorHost : "http://" + emulatorHost;
            options.AllowHttp = true;
        }

        if (endpoint is not null)
        {
            if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var endpointUri))
            {
                throw new ArgumentException($"The GCS base URL '{endpoint}' is not an absolute URL.", nameof(settings));
            }

            options.Endpoint = endpointUri;
        }

        var anonymous = (settings.GetFlag("google_skip_signature") ?? false) || disableOAuth
            || (emulatorHost is not null && serviceAccountJson is null && settings.GetSetting("google_application_credentials") is null);
        if (anonymous)
        {
            options.Anonymous = true;
        }
        else if (serviceAccountKey is not null)
        {
            options.ServiceAccountKeyJson = serviceAccountKey;
        }
        else if (serviceAccountPath is not null)
        {
            options.ServiceAccountPath = serviceAccountPath;
        }
        else if (settings.GetSetting("google_application_credentials") is { } applicationCredentials)
        {
            options.ApplicationCredentialsPath = applicationCredentials;
        }

        return options;
    }

    /// <summary>The emulator fields object_store reads from a service account file: <c>gcs_base_url</c> and <c>disable_oauth</c>.</summary>
    private static (string? BaseUrl, bool DisableOAuth) EmulatorFields(string json)
    {
        GcsCredentials.TypeOf(json, "service account key");
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        var baseUrl = root.TryGetProperty("gcs_base_url", out var url) && url.ValueKind == JsonValueKind.String ? url.GetString() : null;
        var disable = root.TryGetProperty("disable_oauth", out var flag) && flag.ValueKind == JsonValueKind.True;
        return (string.IsNullOrEmpty(baseUrl) ? null : baseUrl, disable);
    }

    private static (string Bucket, string Prefix) SplitUrl(string url)
    {
        // Parsed by hand: System.Uri lower-cases the host, and bucket names are kept as written.
        var separator = url.IndexOf("://", StringComparison.Ordinal);
        var scheme = separator > 0 ? url[..separator] : "";
        if (!scheme.Equals("gs", StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"'{url}' is not a gs://bucket/prefix URL.", nameof(url));
        }

        var rest = url[(separator + 3)..];
        var end = rest.IndexOfAny(['?', '#']);
        if (end >= 0)
        {
            rest = rest[..end];
        }

        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var bucket = slash < 0 ? rest : rest[..slash];
        var prefix = slash < 0 ? "" : Uri.UnescapeDataString(rest[(slash + 1)..]).Trim('/');
        if (bucket.Length == 0)
        {
            throw new ArgumentException($"'{url}' names no bucket.", nameof(url));
        }

        if (prefix.Length > 0)
        {
            ObjectPath.ValidatePrefix(prefix, nameof(url));
        }

        return (bucket, prefix);
    }
}
