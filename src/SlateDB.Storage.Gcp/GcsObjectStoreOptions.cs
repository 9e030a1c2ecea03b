using Google.Apis.Auth.OAuth2;

namespace SlateDB.Storage.Gcp;

/// <summary>
/// Settings of a <see cref="GcsObjectStore"/> that builds its own client: a <see cref="Bucket"/>, and at most one way to
/// authenticate (<see cref="Credential"/>, <see cref="ServiceAccountKeyJson"/>, <see cref="ServiceAccountPath"/>,
/// <see cref="ApplicationCredentialsPath"/> or <see cref="Anonymous"/>); with none of them, Google's application default
/// credentials apply.
/// </summary>
public sealed class GcsObjectStoreOptions
{
    /// <summary>The bucket. Required.</summary>
    public string Bucket { get; set; } = "";

    /// <summary>
    /// A name prefix under which all objects live (for example <c>tenants/a</c>): path <c>db/x</c> is the object
    /// <c>tenants/a/db/x</c>, and listings show paths without it. Empty for none.
    /// </summary>
    public string Prefix { get; set; } = "";

    /// <summary>
    /// The service root, such as <c>http://127.0.0.1:4443</c> for an emulator or test server (the JSON API is under
    /// <c>storage/v1/</c> there, uploads under <c>upload/storage/v1/</c>). Null for Google's own endpoint (<c>https://storage.googleapis.com/</c>).
    /// </summary>
    public Uri? Endpoint { get; set; }

    /// <summary>The project billed for requests to a requester-pays bucket (sent as <c>userProject</c>); null for none.</summary>
    public string? UserProject { get; set; }

    /// <summary>A credential the caller built (for example from Workload Identity, or an access token).</summary>
    public GoogleCredential? Credential { get; set; }

    /// <summary>The JSON of a service account key (as SlateDB's <c>GOOGLE_SERVICE_ACCOUNT_KEY</c>).</summary>
    public string? ServiceAccountKeyJson { get; set; }

    /// <summary>The path of a service account key file (as SlateDB's <c>GOOGLE_SERVICE_ACCOUNT</c> or <c>GOOGLE_SERVICE_ACCOUNT_PATH</c>).</summary>
    public string? ServiceAccountPath { get; set; }

    /// <summary>
    /// The path of an application credentials file of any type Google's libraries read (service account, authorized
    /// user, external account; as <c>GOOGLE_APPLICATION_CREDENTIALS</c>).
    /// </summary>
    public string? ApplicationCredentialsPath { get; set; }

    /// <summary>Send no credentials at all (for emulators, test servers and public buckets; as SlateDB's <c>GOOGLE_SKIP_SIGNATURE</c>).</summary>
    public bool Anonymous { get; set; }

    /// <summary>Allow a plain-HTTP <see cref="Endpoint"/>. Off by default (on when built from a URL whose endpoint is http).</summary>
    public bool AllowHttp { get; set; }

    /// <summary>How long one request may take before it fails as unavailable; null for the client's default (100 s).</summary>
    public TimeSpan? RequestTimeout { get; set; }

    /// <summary>How many names one listing request asks for (1 to 1,000); null for the service's default (1,000).</summary>
    public int? ListPageSize { get; set; }

    /// <summary>Checks the settings.</summary>
    /// <exception cref="ArgumentException">A setting is missing or invalid.</exception>
    internal void Validate()
    {
        if (string.IsNullOrWhiteSpace(Bucket))
        {
            throw new ArgumentException("GcsObjectStoreOptions.Bucket is required.", nameof(Bucket));
        }

        ObjectPath.ValidateStorePrefix(Prefix, nameof(Prefix));
        if (Endpoint is { } endpoint)
        {
            if (!endpoint.IsAbsoluteUri || (endpoint.Scheme != Uri.UriSchemeHttp && endpoint.Scheme != Uri.UriSchemeHttps))
            {
                throw new ArgumentException($"Endpoint '{endpoint}' is not an absolute http(s) URL.", nameof(Endpoint));
            }

            if (endpoint.Scheme == Uri.UriSchemeHttp && !AllowHttp)
            {
                throw new ArgumentException($"Endpoint '{endpoint}' uses plain HTTP; set AllowHttp to allow it.", nameof(Endpoint));
            }
        }

        var ways = (Credential is null ? 0 : 1) + (ServiceAccountKeyJson is null ? 0 : 1) + (ServiceAccountPath is null ? 0 : 1)
            + (ApplicationCredentialsPath is null ? 0 : 1) + (Anonymous ? 1 : 0);
        if (ways > 1)
        {
            throw new ArgumentException(
                "Set at most one of Credential, ServiceAccountKeyJson, ServiceAccountPath, ApplicationCredentialsPath and Anonymous.", nameof(Credential));
        }

        if (RequestTimeout is { } timeout && timeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(RequestTimeout), timeout, "The request timeout must be positive.");
        }

        GcsObjectStore.ValidatePageSize(ListPageSize, nameof(ListPageSize));
    }
}
