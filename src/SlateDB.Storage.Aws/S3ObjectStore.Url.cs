using Amazon.Runtime;

namespace SlateDB.Storage.Aws;

public sealed partial class S3ObjectStore
{
    /// <summary>
    /// Registers this package's factory with <see cref="ObjectStores"/> for the schemes <c>s3</c> and <c>s3a</c>.
    /// <see cref="ObjectStores.FromUrl"/> calls it itself the first time it meets such a URL, so calling it is only
    /// needed to replace another registration.
    /// </summary>
    public static void Register()
    {
        ObjectStores.Register("s3", static (url, options) => FromUrl(url.OriginalString, options));
        ObjectStores.Register("s3a", static (url, options) => FromUrl(url.OriginalString, options));
    }

    /// <summary>
    /// Opens <c>s3://bucket/prefix</c> (or <c>s3a://</c>), reading credentials and the endpoint from
    /// <paramref name="options"/> and the environment under the names SlateDB's <c>resolve_object_store</c> uses:
    /// <c>AWS_ACCESS_KEY_ID</c>, <c>AWS_SECRET_ACCESS_KEY</c>, <c>AWS_SESSION_TOKEN</c> (or <c>AWS_TOKEN</c>),
    /// <c>AWS_REGION</c> (or <c>AWS_DEFAULT_REGION</c>), <c>AWS_ENDPOINT_URL</c> (or <c>AWS_ENDPOINT</c>),
    /// <c>AWS_ALLOW_HTTP</c> and <c>AWS_VIRTUAL_HOSTED_STYLE_REQUEST</c> (as settings: the same names in lower case).
    /// Without keys the SDK's default credential chain applies.
    /// </summary>
    /// <param name="url">The bucket and an optional key prefix.</param>
    /// <param name="options">Settings; when null, everything comes from the environment.</param>
    /// <param name="configure">Changes the options built from the URL and settings before the store is created.</param>
    /// <exception cref="ArgumentException">The URL or a setting is invalid.</exception>
    public static S3ObjectStore FromUrl(string url, ObjectStoreUrlOptions? options = null, Action<S3ObjectStoreOptions>? configure = null)
    {
        var storeOptions = OptionsFromUrl(url, options ?? new ObjectStoreUrlOptions());
        configure?.Invoke(storeOptions);
        return new S3ObjectStore(storeOptions);
    }

    /// <summary>The store options a URL and its settings describe.</summary>
    internal static S3ObjectStoreOptions OptionsFromUrl(string url, ObjectStoreUrlOptions settings)
    {
        ArgumentException.ThrowIfNullOrEmpty(url);
        ArgumentNullException.ThrowIfNull(settings);
        var (bucket, prefix) = SplitUrl(url);
        var options = new S3ObjectStoreOptions { Bucket = bucket, Prefix = prefix };
        if (settings.GetSetting("aws_endpoint_url", "aws_endpoint") is { } endpoint)
        {
            if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var serviceUrl))
            {
                throw new ArgumentException($"The S3 endpoint '{endpoint}' is not an absolute URL.", nameof(settings));
            }

            options.ServiceUrl = serviceUrl;
        }

        options.Region = settings.GetSetting("aws_region", "aws_default_region");
        options.AllowHttp = settings.GetFlag("aws_allow_http") ?? false;
        if (settings.GetFlag("aws_virtual_hosted_style_request") is { } virtualHosted)
        {
            options.ForcePathStyle = !virtualHosted;
        }

        var keyId = settings.GetSetting("aws_access_key_id");
        var secret = settings.GetSetting("aws_secret_access_key");
        if ((keyId is null) != (secret is null))
        {
            throw new ArgumentException("Set both aws_access_key_id and aws_secret_access_key, or neither.", nameof(settings));
        }

        if (keyId is not null)
        {
            var token = settings.GetSetting("aws_session_token", "aws_token");
            options.Credentials = token is null
                ? new BasicAWSCredentials(keyId, secret)
                : new SessionAWSCredentials(keyId, secret, token);
        }

        return options;
    }

    private static (string Bucket, string Prefix) SplitUrl(string url)
    {
        // Parsed by hand: System.Uri lower-cases the host, and older buckets may have capitals.
        var separator = url.IndexOf("://", StringComparison.Ordinal);
        var scheme = separator > 0 ? url[..separator] : "";
        if (!scheme.Equals("s3", StringComparison.OrdinalIgnoreCase) && !scheme.Equals("s3a", StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"'{url}' is not an s3://bucket/prefix URL.", nameof(url));
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
