using Amazon.Runtime;

namespace SlateDB.Storage.Aws;

/// <summary>Settings of an <see cref="S3ObjectStore"/>.</summary>
public sealed class S3ObjectStoreOptions
{
    /// <summary>The bucket. Required.</summary>
    public string Bucket { get; set; } = "";

    /// <summary>
    /// A key prefix under which all objects live (for example <c>tenants/a</c>): path <c>db/x</c> is stored as key
    /// <c>tenants/a/db/x</c>, and listings show paths without it. Empty for none.
    /// </summary>
    public string Prefix { get; set; } = "";

    /// <summary>
    /// The endpoint of an S3-compatible service (for example <c>http://127.0.0.1:7480</c> for radosgw, or a MinIO or R2
    /// URL); null for Amazon S3 itself. Ignored when a client is passed in.
    /// </summary>
    public Uri? ServiceUrl { get; set; }

    /// <summary>
    /// The region (for example <c>eu-west-1</c>). Null to let the SDK find it (<c>AWS_REGION</c>, profile, instance
    /// metadata); with a <see cref="ServiceUrl"/> it defaults to <c>us-east-1</c>, the region such services sign with.
    /// </summary>
    public string? Region { get; set; }

    /// <summary>
    /// Whether to address the bucket in the path (<c>http://host/bucket/key</c>) rather than the host name
    /// (<c>http://bucket.host/key</c>). Null: path style with a <see cref="ServiceUrl"/>, the SDK's default otherwise.
    /// </summary>
    public bool? ForcePathStyle { get; set; }

    /// <summary>Credentials to sign with; null for the SDK's default chain (environment, profile, instance role, ...).</summary>
    public AWSCredentials? Credentials { get; set; }

    /// <summary>
    /// Allow a plain-HTTP <see cref="ServiceUrl"/>. Off by default, as in SlateDB (<c>AWS_ALLOW_HTTP</c>), so that
    /// credentials and data are not sent in the clear by mistake.
    /// </summary>
    public bool AllowHttp { get; set; }

    /// <summary>How the expected version goes into <c>If-Match</c>; unquoted by default (what radosgw needs).</summary>
    public S3IfMatchQuoting IfMatchQuoting { get; set; } = S3IfMatchQuoting.Unquoted;

    /// <summary>
    /// Send the SDK's optional request checksums (CRC trailers in aws-chunked bodies). Off by default: several
    /// S3-compatible services refuse those bodies (radosgw 16 answers 400 XAmzContentSHA256Mismatch), and the
    /// signature already covers the payload. Turn on only for Amazon S3. Ignored when a client is passed in (the
    /// per-request chunk encoding still follows it).
    /// </summary>
    public bool SendOptionalChecksums { get; set; }

    /// <summary>
    /// How long one request may take before it fails as unavailable. Null for the SDK's default. Ignored when a client
    /// is passed in.
    /// </summary>
    public TimeSpan? RequestTimeout { get; set; }

    /// <summary>
    /// How many times the SDK itself retries a failed request. 0 by default: wrap the store in
    /// <see cref="RetryingObjectStore"/>, which also resolves conditional puts whose response was lost (an SDK-level
    /// retry or re-send of such a put reports a false conflict, which it reads back). Ignored when a client is passed in.
    /// </summary>
    public int SdkMaxErrorRetry { get; set; }

    /// <summary>How many keys one LIST request asks for (1 to 1,000); null for the service's default (1,000 on S3).</summary>
    public int? ListPageSize { get; set; }

    /// <summary>Checks the settings.</summary>
    /// <exception cref="ArgumentException">A setting is missing or invalid.</exception>
    internal void Validate()
    {
        if (string.IsNullOrWhiteSpace(Bucket))
        {
            throw new ArgumentException("S3ObjectStoreOptions.Bucket is required.", nameof(Bucket));
        }

        ArgumentNullException.ThrowIfNull(Prefix, nameof(Prefix));
        if (Prefix.Trim('/').Length > 0)
        {
            ObjectPath.ValidateStorePrefix(Prefix, nameof(Prefix));
        }

        if (ServiceUrl is not null)
        {
            if (!ServiceUrl.IsAbsoluteUri || (ServiceUrl.Scheme != Uri.UriSchemeHttp && ServiceUrl.Scheme != Uri.UriSchemeHttps))
            {
                throw new ArgumentException($"ServiceUrl '{ServiceUrl}' is not an absolute http(s) URL.", nameof(ServiceUrl));
            }

            if (ServiceUrl.Scheme == Uri.UriSchemeHttp && !AllowHttp)
            {
                throw new ArgumentException(
                    $"ServiceUrl '{ServiceUrl}' uses plain HTTP; set AllowHttp (or AWS_ALLOW_HTTP=true) to allow it.", nameof(ServiceUrl));
            }
        }

        if (RequestTimeout is { } timeout && timeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(RequestTimeout), timeout, "The request timeout must be positive.");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(SdkMaxErrorRetry, nameof(SdkMaxErrorRetry));
        if (ListPageSize is { } pageSize)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1, nameof(ListPageSize));
            ArgumentOutOfRangeException.ThrowIfGreaterThan(pageSize, 1_000, nameof(ListPageSize));
        }
    }
}
