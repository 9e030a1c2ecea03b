using System.Net;

namespace SlateDB.Storage;

/// <summary>Tells transient object-store failures (retrying may help) from permanent ones.</summary>
internal static class TransientFailures
{
    /// <summary>
    /// True for failures a retry may cure: <see cref="SlateDbException"/> of kind
    /// <see cref="SlateDbErrorKind.Unavailable"/>, <see cref="TimeoutException"/>, <see cref="IOException"/> (except
    /// missing files or folders and too-long paths, which no retry fixes), <see cref="HttpRequestException"/> without a
    /// status or with 408, 429 or a 5xx other than 501, and an <see cref="OperationCanceledException"/> the caller did
    /// not ask for (a client-side timeout). False for everything else, including cancellation by
    /// <paramref name="callerToken"/>.
    /// </summary>
    public static bool IsTransient(Exception exception, CancellationToken callerToken) => exception switch
    {
        OperationCanceledException => !callerToken.IsCancellationRequested,
        SlateDbException slate => slate.Kind == SlateDbErrorKind.Unavailable,
        TimeoutException => true,
        FileNotFoundException or DirectoryNotFoundException or PathTooLongException => false,
        IOException => true,
        HttpRequestException http => http.StatusCode is not { } status || IsTransientStatus(status),
        _ => false,
    };

    private static bool IsTransientStatus(HttpStatusCode status)
    {
        var code = (int)status;
        return code is 408 or 429 || (code >= 500 && code != 501);
    }
}
