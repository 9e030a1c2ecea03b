using Azure;
using Azure.Storage.Blobs.Models;

namespace SlateDB.Storage.Azure;

/// <summary>Turns Azure SDK failures into <see cref="SlateDbException"/>s whose kind tells a retry when to try again.</summary>
internal static class AzureErrors
{
    private static readonly HashSet<string> s_transientCodes = new(StringComparer.OrdinalIgnoreCase)
    {
        BlobErrorCode.ServerBusy.ToString(), BlobErrorCode.OperationTimedOut.ToString(), BlobErrorCode.InternalError.ToString(),
    };

    private static readonly HashSet<string> s_invalidCodes = new(StringComparer.OrdinalIgnoreCase)
    {
        BlobErrorCode.ContainerNotFound.ToString(), BlobErrorCode.ContainerBeingDeleted.ToString(),
        BlobErrorCode.ContainerDisabled.ToString(), BlobErrorCode.AuthenticationFailed.ToString(),
        BlobErrorCode.AuthorizationFailure.ToString(), BlobErrorCode.InsufficientAccountPermissions.ToString(),
        BlobErrorCode.AccountIsDisabled.ToString(), BlobErrorCode.InvalidAuthenticationInfo.ToString(),

        // The service does not speak this client's protocol: an emulator or a service older than the SDK's API
        // version (Azurite started without --skipApiVersionCheck answers 400 InvalidHeaderValue), or a header or
        // query parameter it does not support.
        BlobErrorCode.InvalidHeaderValue.ToString(), BlobErrorCode.UnsupportedHeader.ToString(),
        BlobErrorCode.InvalidQueryParameterValue.ToString(), BlobErrorCode.UnsupportedQueryParameter.ToString(),
        BlobErrorCode.FeatureVersionMismatch.ToString(),
    };

    /// <summary>404 for the blob itself (not its container, which is a configuration error).</summary>
    public static bool IsBlobNotFound(RequestFailedException exception) =>
        exception.Status == 404 && !IsCode(exception, BlobErrorCode.ContainerNotFound);

    /// <summary>A create-if-absent upload found the blob: 409 <c>BlobAlreadyExists</c> (or 412 from some emulators).</summary>
    public static bool IsExistingBlob(RequestFailedException exception) =>
        (exception.Status == 409 && IsCode(exception, BlobErrorCode.BlobAlreadyExists)) || exception.Status == 412;

    /// <summary>An If-Match upload lost: 412 <c>ConditionNotMet</c>, or 404 because the blob is gone.</summary>
    public static bool IsVersionMismatch(RequestFailedException exception) =>
        exception.Status == 412 || IsBlobNotFound(exception);

    /// <summary>True for every failure except the caller's own cancellation, which passes through unchanged.</summary>
    public static bool ShouldWrap(Exception exception, CancellationToken callerToken) => ObjectStoreFailure.ShouldWrap(exception, callerToken);

    /// <summary>Wraps a failed request's exception in a <see cref="SlateDbException"/> of the fitting kind.</summary>
    public static SlateDbException Wrap(Exception exception, string operation, string container, string name)
    {
        var kind = Classify(exception);
        var detail = exception is RequestFailedException { Status: > 0 } failed
            ? $"HTTP {failed.Status} {failed.ErrorCode}: {ObjectStoreFailure.FirstLine(failed.Message)}"
            : $"{exception.GetType().Name}: {ObjectStoreFailure.FirstLine(exception.Message)}";
        var check = IsApiVersionRejection(exception)
            ? "service's API version: the service (or emulator) is older than Azure.Storage.Blobs; start Azurite with --skipApiVersionCheck or upgrade it"
            : "credentials, permissions, container (create it first) and endpoint";
        return ObjectStoreFailure.Wrap(kind, "Azure", operation, $"{container}/{name}", detail, check, exception);
    }

    /// <summary>True when the service refused the request's API version (an emulator or service older than the SDK).</summary>
    public static bool IsApiVersionRejection(Exception exception) =>
        exception is RequestFailedException { Status: 400 } failed
        && (failed.Message.Contains("API version", StringComparison.OrdinalIgnoreCase)
            || failed.Message.Contains("x-ms-version", StringComparison.OrdinalIgnoreCase)
            || IsCode(failed, BlobErrorCode.FeatureVersionMismatch));

    /// <summary>The kind of a failure: see the remarks of <see cref="AzureBlobObjectStore"/>.</summary>
    public static SlateDbErrorKind Classify(Exception exception)
    {
        switch (exception)
        {
            case RequestFailedException failed:
                if (failed.Status == 0)
                {
                    // No HTTP answer: the connection failed or timed out.
                    return SlateDbErrorKind.Unavailable;
                }

                if (failed.ErrorCode is { } code && s_transientCodes.Contains(code))
                {
                    return SlateDbErrorKind.Unavailable;
                }

                if (failed.Status is 408 or 429 || (failed.Status >= 500 && failed.Status != 501))
                {
                    return SlateDbErrorKind.Unavailable;
                }

                if (failed.Status is 401 or 403 || (failed.ErrorCode is { } invalid && s_invalidCodes.Contains(invalid)) || IsApiVersionRejection(failed))
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

    private static bool IsCode(RequestFailedException exception, BlobErrorCode code) =>
        string.Equals(exception.ErrorCode, code.ToString(), StringComparison.OrdinalIgnoreCase);
}
