using Azure;
using Azure.Core;
using Azure.Storage;

namespace SlateDB.Storage.Azure;

/// <summary>
/// Settings of an <see cref="AzureBlobObjectStore"/> that builds its own client: a <see cref="ConnectionString"/>, or a
/// <see cref="ServiceUri"/> with at most one credential (none when the URI carries a SAS token).
/// </summary>
public sealed class AzureBlobObjectStoreOptions
{
    /// <summary>The container. Required.</summary>
    public string Container { get; set; } = "";

    /// <summary>
    /// A name prefix under which all blobs live (for example <c>tenants/a</c>): path <c>db/x</c> is the blob
    /// <c>tenants/a/db/x</c>, and listings show paths without it. Empty for none.
    /// </summary>
    public string Prefix { get; set; } = "";

    /// <summary>A storage connection string (as the portal or Azurite give). Used instead of <see cref="ServiceUri"/>.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// The blob service endpoint, such as <c>https://account.blob.core.windows.net</c> or, for Azurite,
    /// <c>http://127.0.0.1:10000/devstoreaccount1</c>.
    /// </summary>
    public Uri? ServiceUri { get; set; }

    /// <summary>An account name and key to sign with.</summary>
    public StorageSharedKeyCredential? SharedKeyCredential { get; set; }

    /// <summary>A shared access signature to send.</summary>
    public AzureSasCredential? SasCredential { get; set; }

    /// <summary>An Entra ID credential (for example Azure.Identity's <c>DefaultAzureCredential</c>).</summary>
    public TokenCredential? TokenCredential { get; set; }

    /// <summary>Allow a plain-HTTP <see cref="ServiceUri"/> (as SlateDB's <c>AZURE_ALLOW_HTTP</c>). Off by default.</summary>
    public bool AllowHttp { get; set; }

    /// <summary>How long one request may wait on the network before it fails as unavailable; null for the SDK's default.</summary>
    public TimeSpan? RequestTimeout { get; set; }

    /// <summary>
    /// How many times the SDK itself retries a failed request. 0 by default: wrap the store in
    /// <see cref="RetryingObjectStore"/>, which also resolves conditional puts whose response was lost (an SDK-level
    /// retry or re-send of such a put reports a false conflict, which it reads back).
    /// </summary>
    public int SdkMaxRetries { get; set; }

    /// <summary>How many names one listing request asks for (1 to 5,000); null for the service's default (5,000).</summary>
    public int? ListPageSize { get; set; }

    /// <summary>Checks the settings.</summary>
    /// <exception cref="ArgumentException">A setting is missing or invalid.</exception>
    internal void Validate()
    {
        if (string.IsNullOrWhiteSpace(Container))
        {
            throw new ArgumentException("AzureBlobObjectStoreOptions.Container is required.", nameof(Container));
        }

        ObjectPath.ValidateStorePrefix(Prefix, nameof(Prefix));
        if (ConnectionString is null == (ServiceUri is null))
        {
            throw new ArgumentException("Set either ConnectionString or ServiceUri.", nameof(ServiceUri));
        }

        if (ServiceUri is not null)
        {
            if (!ServiceUri.IsAbsoluteUri || (ServiceUri.Scheme != Uri.UriSchemeHttp && ServiceUri.Scheme != Uri.UriSchemeHttps))
            {
                throw new ArgumentException($"ServiceUri '{ServiceUri}' is not an absolute http(s) URL.", nameof(ServiceUri));
            }

            if (ServiceUri.Scheme == Uri.UriSchemeHttp && !AllowHttp)
            {
                throw new ArgumentException(
                    $"ServiceUri '{ServiceUri}' uses plain HTTP; set AllowHttp (or AZURE_ALLOW_HTTP=true) to allow it.", nameof(ServiceUri));
            }

            var credentials = (SharedKeyCredential is null ? 0 : 1) + (SasCredential is null ? 0 : 1) + (TokenCredential is null ? 0 : 1);
            if (credentials > 1)
            {
                throw new ArgumentException("Set at most one of SharedKeyCredential, SasCredential and TokenCredential.", nameof(ServiceUri));
            }
        }

        if (RequestTimeout is { } timeout && timeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(RequestTimeout), timeout, "The request timeout must be positive.");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(SdkMaxRetries, nameof(SdkMaxRetries));
        AzureBlobObjectStore.ValidatePageSize(ListPageSize, nameof(ListPageSize));
    }
}
