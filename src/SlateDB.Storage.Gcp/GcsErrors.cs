using System.Net;
using Google;

namespace SlateDB.Storage.Gcp;

/// <summary>Turns Google client failures into <see cref="SlateDbException"/>s whose kind tells a retry when to try again.</summary>
internal static class GcsErrors
{
    /// <summary>404 for the object itself (not its bucket, which is a configuration error).</summary>
    public static bool IsObjectNotFound(GoogleApiException exception) =>
        exception.HttpStatusCode == HttpStatusCode.NotFound && !IsMissingBucket(exception);

    /// <summary>412: an <c>ifGenerationMatch</c> condition did not hold.</summary>
    public static bool IsPreconditionFailed(GoogleApiException exception) =>
        exception.HttpStatusCode == HttpStatusCode.PreconditionFailed;

    /// <summary>416: a range starts at or past the end of the object.</summary>
    public static bool IsRangeNotSatisfiable(GoogleApiException exception) =>
        exception.HttpStatusCode == HttpStatusCode.RequestedRangeNotSatisfiable;

    /// <summary>True for every failure except the caller's own cancellation, which passes through unchanged.</summary>
    public static bool ShouldWrap(Exception exception, CancellationToken callerToken) => ObjectStoreFailure.ShouldWrap(exception, callerToken);

    /// <summary>Wraps a failed request's exception in a <see cref="SlateDbException"/> of the fitting kind.</summary>
    public static SlateDbException Wrap(Exception exception, string operation, string bucket, string name)
    {
        var kind = Classify(exception);
        var detail = exception is GoogleApiException { HttpStatusCode: > 0 } failed
            ? $"HTTP {(int)failed.HttpStatusCode} {failed.Error?.Errors?.FirstOrDefault()?.Reason}: {ObjectStoreFailure.FirstLine(failed.Error?.Message ?? failed.Message)}"
            : $"{exception.GetType().Name}: {ObjectStoreFailure.FirstLine(exception.Message)}";
        return ObjectStoreFailure.Wrap(kind, "GCS", operation, $"{bucket}/{name}", detail, "credentials, permissions, bucket and endpoint", exception);
    }

    /// <summary>The kind of a failure: see the remarks of <see cref="GcsObjectStore"/>.</summary>
    public static SlateDbErrorKind Classify(Exception exception)
    {
        switch (exception)
        {
            case GoogleApiException failed:
                var status = (int)failed.HttpStatusCode;
                if (status == 0)
                {
                    // No HTTP answer: the connection failed or timed out.
                    return failed.InnerException is { } inner ? Classify(inner) : SlateDbErrorKind.Unavailable;
                }

                if (status is 408 or 429 || (status >= 500 && status != 501))
                {
                    return SlateDbErrorKind.Unavailable;
                }

                if (status is 401 or 403 || IsMissingBucket(failed))
                {
                    return SlateDbErrorKind.Invalid;
                }

                return SlateDbErrorKind.Internal;

            default:
                // The SDK gave up after retries, the transport failed, or it timed out (for GCS, a download whose
                // CRC32C does not match its bytes is an IOException): the shared rules decide.
                return ObjectStoreFailure.ClassifyTransport(exception, Classify);
        }
    }

    /// <summary>A 404 that names the bucket rather than the object ("The specified bucket does not exist.").</summary>
    private static bool IsMissingBucket(GoogleApiException exception) =>
        exception.HttpStatusCode == HttpStatusCode.NotFound
        && (exception.Error?.Message ?? exception.Message).Contains("bucket does not exist", StringComparison.OrdinalIgnoreCase);
}
