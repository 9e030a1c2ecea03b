using System.Globalization;
using System.Net;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Amazon;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace SlateDB.Storage.Aws;

/// <summary>
/// An <see cref="IObjectStore"/> on Amazon S3 or an S3-compatible service with conditional writes (Ceph radosgw,
/// MinIO, Cloudflare R2, ...), through AWSSDK.S3.
/// </summary>
/// <remarks>
/// <para><see cref="PutMode.Create"/> sends <c>If-None-Match: *</c> and <see cref="PutMode.Update(string)"/> sends
/// <c>If-Match</c> with the expected ETag (unquoted by default, see <see cref="S3IfMatchQuoting"/>); 412 and 409
/// answers are reported as lost conditions, so the service must enforce these headers atomically (AWS S3 has since
/// August and November 2024; radosgw does).</para>
/// <para>Versions are ETags in their quoted form. S3 ETags of single-part uploads are the MD5 of the bytes, so
/// rewriting an object with identical bytes keeps its version, and an update naming the old version still succeeds.
/// SlateDB never relies on the opposite.</para>
/// <para>Failures: network errors, timeouts, 408, 429, 5xx (except 501) and throttling codes such as <c>SlowDown</c>
/// throw <see cref="SlateDbException"/> of kind <see cref="SlateDbErrorKind.Unavailable"/>, which
/// <see cref="RetryingObjectStore"/> retries; refused credentials or permissions (401, 403) and a missing bucket throw
/// kind <see cref="SlateDbErrorKind.Invalid"/>; anything else kind <see cref="SlateDbErrorKind.Internal"/>.
/// The SDK's own retries are off unless <see cref="S3ObjectStoreOptions.SdkMaxErrorRetry"/> says otherwise.</para>
/// <para>Even then the SDK re-sends a request whose pooled connection turned out stale, so a conditional put can land
/// and still be answered 412 by its re-send (seen against a radosgw paused for two minutes). This adapter cannot tell
/// and reports the conflict; <see cref="RetryingObjectStore"/>, which the engine always puts above it, reads every
/// conflict back and turns a put that landed into a success.</para>
/// </remarks>
public sealed partial class S3ObjectStore : IObjectStore, IDisposable
{
    private readonly IAmazonS3 _client;
    private readonly bool _ownsClient;
    private readonly string _bucket;
    private readonly string _keyPrefix;
    private readonly S3IfMatchQuoting _ifMatchQuoting;
    private readonly bool _useChunkEncoding;
    private readonly int? _listPageSize;

    /// <summary>Creates a store with its own client, built from <paramref name="options"/>.</summary>
    /// <exception cref="ArgumentException">A setting is missing or invalid.</exception>
    public S3ObjectStore(S3ObjectStoreOptions options)
        : this(CreateClient(options), options, ownsClient: true)
    {
    }

    /// <summary>
    /// Creates a store on a client the caller built. Client-level settings of <paramref name="options"/>
    /// (<see cref="S3ObjectStoreOptions.ServiceUrl"/>, region, credentials, timeout, SDK retries) are then ignored:
    /// configure the client for the service (for S3-compatible services, set
    /// <c>RequestChecksumCalculation</c> and <c>ResponseChecksumValidation</c> to <c>WHEN_REQUIRED</c>).
    /// </summary>
    /// <param name="client">The client to send requests with.</param>
    /// <param name="options">The bucket, prefix and request settings.</param>
    /// <param name="ownsClient">Whether <see cref="Dispose"/> disposes <paramref name="client"/>.</param>
    /// <exception cref="ArgumentException">A setting is missing or invalid.</exception>
    public S3ObjectStore(IAmazonS3 client, S3ObjectStoreOptions options, bool ownsClient = false)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _client = client;
        _ownsClient = ownsClient;
        _bucket = options.Bucket;
        var prefix = options.Prefix.Trim('/');
        _keyPrefix = prefix.Length == 0 ? "" : prefix + "/";
        _ifMatchQuoting = options.IfMatchQuoting;
        _useChunkEncoding = options.SendOptionalChecksums;
        _listPageSize = options.ListPageSize;
    }

    /// <summary>The bucket.</summary>
    public string Bucket => _bucket;

    /// <summary>The key prefix in front of every path: empty, or ending with <c>/</c>.</summary>
    public string KeyPrefix => _keyPrefix;

    /// <inheritdoc/>
    public ValueTask<ObjectContent?> GetAsync(string path, CancellationToken cancellationToken)
    {
        ObjectPath.Validate(path);
        return ReadAsync(path, range: null, cancellationToken);
    }

    /// <inheritdoc/>
    public async ValueTask<ObjectContent?> GetRangeAsync(string path, ByteRange range, CancellationToken cancellationToken)
    {
        ObjectPath.Validate(path);
        if (range.Length == 0)
        {
            // HTTP cannot ask for zero bytes; the object's metadata is all there is to return.
            var metadata = await HeadAsync(path, cancellationToken).ConfigureAwait(false);
            return metadata is null ? null : new ObjectContent(ReadOnlyMemory<byte>.Empty, metadata);
        }

        return await ReadAsync(path, range, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask<ObjectMetadata?> HeadAsync(string path, CancellationToken cancellationToken)
    {
        ObjectPath.Validate(path);
        var key = _keyPrefix + path;
        try
        {
            var response = await _client.GetObjectMetadataAsync(
                new GetObjectMetadataRequest { BucketName = _bucket, Key = key }, cancellationToken).ConfigureAwait(false);
            return new ObjectMetadata(path, response.ContentLength, ToTime(response.LastModified), S3ETag.Normalize(response.ETag));
        }
        catch (AmazonS3Exception exception) when (exception.StatusCode == HttpStatusCode.NotFound && exception.ErrorCode != "NoSuchBucket")
        {
            return null;
        }
        catch (Exception exception) when (S3Errors.ShouldWrap(exception, cancellationToken))
        {
            throw S3Errors.Wrap(exception, "HEAD", _bucket, key);
        }
    }

    /// <inheritdoc/>
    public async ValueTask<PutResult> PutAsync(string path, ReadOnlyMemory<byte> data, PutMode mode, CancellationToken cancellationToken)
    {
        ObjectPath.Validate(path);
        var key = _keyPrefix + path;
        using var body = MemoryMarshal.TryGetArray(data, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(data.ToArray(), writable: false);
        var request = new PutObjectRequest
        {
            BucketName = _bucket,
            Key = key,
            InputStream = body,
            AutoCloseStream = false,
            UseChunkEncoding = _useChunkEncoding,
        };
        switch (mode.Kind)
        {
            case PutModeKind.Create:
                request.IfNoneMatch = "*";
                break;
            case PutModeKind.Update:
                request.IfMatch = S3ETag.ForIfMatch(mode.ExpectedVersion!, _ifMatchQuoting);
                break;
        }

        try
        {
            var response = await _client.PutObjectAsync(request, cancellationToken).ConfigureAwait(false);
            return PutResult.Written(S3ETag.Normalize(response.ETag));
        }
        catch (AmazonS3Exception exception) when (mode.Kind != PutModeKind.Overwrite && IsLostCondition(exception, mode.Kind))
        {
            return mode.Kind == PutModeKind.Create ? PutResult.AlreadyExists : PutResult.VersionMismatch;
        }
        catch (Exception exception) when (S3Errors.ShouldWrap(exception, cancellationToken))
        {
            throw S3Errors.Wrap(exception, "PUT", _bucket, key);
        }
    }

    /// <inheritdoc/>
    public async ValueTask DeleteAsync(string path, CancellationToken cancellationToken)
    {
        ObjectPath.Validate(path);
        var key = _keyPrefix + path;
        try
        {
            await _client.DeleteObjectAsync(new DeleteObjectRequest { BucketName = _bucket, Key = key }, cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonS3Exception exception) when (exception.StatusCode == HttpStatusCode.NotFound && exception.ErrorCode != "NoSuchBucket")
        {
            // Already gone.
        }
        catch (Exception exception) when (S3Errors.ShouldWrap(exception, cancellationToken))
        {
            throw S3Errors.Wrap(exception, "DELETE", _bucket, key);
        }
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<ObjectMetadata> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ObjectPath.ValidatePrefix(prefix);
        var request = new ListObjectsV2Request { BucketName = _bucket, Prefix = _keyPrefix + prefix, MaxKeys = _listPageSize };
        while (true)
        {
            var page = await ListPageAsync(request, cancellationToken).ConfigureAwait(false);
            foreach (var item in page.S3Objects ?? [])
            {
                // Keys outside the prefix or ending in '/' (folder markers made by consoles) are not SlateDB objects.
                if (item.Key is not { } key || !key.StartsWith(_keyPrefix, StringComparison.Ordinal) || key.Length == _keyPrefix.Length || key.EndsWith('/'))
                {
                    continue;
                }

                yield return new ObjectMetadata(key[_keyPrefix.Length..], item.Size ?? 0, ToTime(item.LastModified), S3ETag.Normalize(item.ETag));
            }

            if (page.IsTruncated != true || string.IsNullOrEmpty(page.NextContinuationToken))
            {
                yield break;
            }

            request.ContinuationToken = page.NextContinuationToken;
        }
    }

    /// <summary>Disposes the client if this store created it or was given ownership of it.</summary>
    public void Dispose()
    {
        if (_ownsClient)
        {
            _client.Dispose();
        }
    }

    /// <inheritdoc/>
    public override string ToString() => $"s3://{_bucket}/{_keyPrefix}";

    private async ValueTask<ListObjectsV2Response> ListPageAsync(ListObjectsV2Request request, CancellationToken cancellationToken)
    {
        try
        {
            return await _client.ListObjectsV2Async(request, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (S3Errors.ShouldWrap(exception, cancellationToken))
        {
            throw S3Errors.Wrap(exception, "LIST", _bucket, request.Prefix);
        }
    }

    /// <summary>True when S3 refused a conditional put because its condition did not hold.</summary>
    private static bool IsLostCondition(AmazonS3Exception exception, PutModeKind kind) => exception.StatusCode switch
    {
        HttpStatusCode.PreconditionFailed => true,
        // ConditionalRequestConflict: a concurrent conditional write to the key was in flight; ours did not happen.
        HttpStatusCode.Conflict => true,
        // If-Match on a missing key: some services answer 404 rather than 412.
        HttpStatusCode.NotFound => kind == PutModeKind.Update && exception.ErrorCode != "NoSuchBucket",
        _ => false,
    };

    private static DateTimeOffset ToTime(DateTime? time)
    {
        if (time is not { } value)
        {
            return DateTimeOffset.UnixEpoch;
        }

        var utc = value.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(value, DateTimeKind.Utc) : value.ToUniversalTime();
        // Headers carry whole seconds and listings milliseconds; whole seconds keep HEAD, GET and LIST in agreement.
        return new DateTimeOffset(utc.Ticks - (utc.Ticks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
    }

    private static IAmazonS3 CreateClient(S3ObjectStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var config = new AmazonS3Config { MaxErrorRetry = options.SdkMaxErrorRetry };
        if (options.ServiceUrl is { } serviceUrl)
        {
            config.ServiceURL = serviceUrl.ToString();
            config.AuthenticationRegion = options.Region ?? "us-east-1";
            config.ForcePathStyle = options.ForcePathStyle ?? true;
        }
        else
        {
            if (options.Region is { } region)
            {
                config.RegionEndpoint = RegionEndpoint.GetBySystemName(region);
            }

            if (options.ForcePathStyle is { } pathStyle)
            {
                config.ForcePathStyle = pathStyle;
            }
        }

        if (!options.SendOptionalChecksums)
        {
            config.RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED;
            config.ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED;
        }

        if (options.RequestTimeout is { } timeout)
        {
            config.Timeout = timeout;
        }

        return options.Credentials is { } credentials ? new AmazonS3Client(credentials, config) : new AmazonS3Client(config);
    }

    private async ValueTask<ObjectContent?> ReadAsync(string path, ByteRange? range, CancellationToken cancellationToken)
    {
        var key = _keyPrefix + path;
        var request = new GetObjectRequest { BucketName = _bucket, Key = key };
        if (range is { } r)
        {
            request.ByteRange = new Amazon.S3.Model.ByteRange(r.Offset, r.End - 1);
        }

        try
        {
            using var response = await _client.GetObjectAsync(request, cancellationToken).ConfigureAwait(false);
            var data = await ReadBodyAsync(response, cancellationToken).ConfigureAwait(false);
            var metadata = new ObjectMetadata(path, data.Length, ToTime(response.LastModified), S3ETag.Normalize(response.ETag));
            if (range is not { } asked)
            {
                return new ObjectContent(data, metadata);
            }

            if (TryParseTotalSize(response.ContentRange, out var total))
            {
                return new ObjectContent(data, metadata with { Size = total });
            }

            // No Content-Range: the service ignored the range and sent the whole object; cut the range out here.
            var cut = asked.ClipTo(data.Length);
            return new ObjectContent(data.AsMemory((int)cut.Offset, (int)cut.Length), metadata);
        }
        catch (AmazonS3Exception exception) when (exception.StatusCode == HttpStatusCode.NotFound && exception.ErrorCode != "NoSuchBucket")
        {
            return null;
        }
        catch (AmazonS3Exception exception) when (exception.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable)
        {
            // The range starts at or past the end (or the object is empty): no bytes, and the metadata from a HEAD.
            var metadata = await HeadAsync(path, cancellationToken).ConfigureAwait(false);
            return metadata is null ? null : new ObjectContent(ReadOnlyMemory<byte>.Empty, metadata);
        }
        catch (Exception exception) when (S3Errors.ShouldWrap(exception, cancellationToken))
        {
            throw S3Errors.Wrap(exception, "GET", _bucket, key);
        }
    }

    private static async ValueTask<byte[]> ReadBodyAsync(GetObjectResponse response, CancellationToken cancellationToken)
    {
        var stream = response.ResponseStream;
        if (response.ContentLength >= 0 && response.ContentLength <= Array.MaxLength)
        {
            var buffer = new byte[response.ContentLength];
            // A body cut short throws EndOfStreamException, an IOException: transient.
            await stream.ReadExactlyAsync(buffer, cancellationToken).ConfigureAwait(false);
            return buffer;
        }

        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy, cancellationToken).ConfigureAwait(false);
        return copy.ToArray();
    }

    /// <summary>Reads the object's full size from a <c>Content-Range: bytes first-last/total</c> header.</summary>
    internal static bool TryParseTotalSize(string? contentRange, out long total)
    {
        total = 0;
        var slash = contentRange?.LastIndexOf('/') ?? -1;
        return slash >= 0
            && long.TryParse(contentRange.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out total);
    }
}
