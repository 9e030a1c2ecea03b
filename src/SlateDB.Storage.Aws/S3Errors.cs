using System.Net;
using System.Net.Sockets;
using Amazon.Runtime;

namespace SlateDB.Storage.Aws;

/// <summary>Turns AWS SDK failures into <see cref="SlateDbException"/>s whose kind tells a retry when to try again.</summary>
internal static class S3Errors
{
    // Error codes S3 and S3-compatible services use for throttling and passing trouble (some with a 4xx status).
    private static readonly HashSet<string> s_transientCodes = new(StringComparer.OrdinalIgnoreCase)
    {
        "SlowDown", "RequestTimeout", "RequestTimeTooSkewed", "InternalError", "ServiceUnavailable", "Throttling",
        "ThrottlingException", "ThrottledException", "RequestThrottled", "RequestLimitExceeded", "TooManyRequests",
        "TooManyRequestsException", "ProvisionedThroughputExceededException", "BandwidthLimitExceeded",
        "EC2ThrottledException", "PriorRequestNotComplete",
    };

    // Codes that say the request can never work as configured: credentials, permissions, a missing bucket.
    private static readonly HashSet<string> s_invalidCodes = new(StringComparer.OrdinalIgnoreCase)
    {
        "AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "ExpiredToken", "InvalidToken", "TokenRefreshRequired",
        "AllAccessDisabled", "AccountProblem", "NoSuchBucket", "InvalidBucketName", "PermanentRedirect", "AuthorizationHeaderMalformed",
    };

    /// <summary>True for every failure except the caller's own cancellation, which passes through unchanged.</summary>
    public static bool ShouldWrap(Exception exception, CancellationToken callerToken) => ObjectStoreFailure.ShouldWrap(exception, callerToken);

    /// <summary>Wraps a failed request's exception in a <see cref="SlateDbException"/> of the fitting kind.</summary>
    public static SlateDbException Wrap(Exception exception, string operation, string bucket, string key)
    {
        var kind = Classify(exception);
        var detail = exception is AmazonServiceException service && service.StatusCode != 0
            ? $"HTTP {(int)service.StatusCode} {service.ErrorCode}: {service.Message}"
            : $"{exception.GetType().Name}: {exception.Message}";
        return ObjectStoreFailure.Wrap(kind, "S3", operation, $"{bucket}/{key}", detail, "credentials, permissions, bucket and endpoint", exception);
    }

    /// <summary>The kind of a failure: see the remarks of <see cref="S3ObjectStore"/>.</summary>
    public static SlateDbErrorKind Classify(Exception exception)
    {
        switch (exception)
        {
            case AmazonServiceException service:
                var status = (int)service.StatusCode;
                if (service.ErrorCode is { } code && s_transientCodes.Contains(code))
                {
                    return SlateDbErrorKind.Unavailable;
                }

                if (status is 408 or 429 || (status >= 500 && status != 501))
                {
                    return SlateDbErrorKind.Unavailable;
                }

                if (status == 0)
                {
                    // No HTTP answer at all: the connection failed or timed out.
                    return HasNetworkCause(service) || service.InnerException is null ? SlateDbErrorKind.Unavailable : SlateDbErrorKind.Internal;
                }

                if (status is 401 or 403 || (service.ErrorCode is { } invalid && s_invalidCodes.Contains(invalid)))
                {
                    return SlateDbErrorKind.Invalid;
                }

                return SlateDbErrorKind.Internal;

            case AmazonClientException client:
                // Client-side: a network failure underneath, or a configuration problem (no credentials, no region).
                return HasNetworkCause(client) ? SlateDbErrorKind.Unavailable : SlateDbErrorKind.Invalid;

            case HttpRequestException http:
                return http.StatusCode is { } httpStatus && (int)httpStatus is >= 400 and < 500 and not 408 and not 429
                    ? SlateDbErrorKind.Internal
                    : SlateDbErrorKind.Unavailable;

            default:
                return IsNetworkFailure(exception) ? SlateDbErrorKind.Unavailable : SlateDbErrorKind.Internal;
        }
    }

    private static bool HasNetworkCause(Exception exception)
    {
        for (var inner = exception.InnerException; inner is not null; inner = inner.InnerException)
        {
            if (IsNetworkFailure(inner) || inner is HttpRequestException)
            {
                return true;
            }
        }

        return false;
    }

    // A client-side timeout surfaces as OperationCanceledException (the caller's own cancellation never gets here).
    private static bool IsNetworkFailure(Exception exception) =>
        exception is IOException or SocketException or TimeoutException or OperationCanceledException or WebException;
}
