namespace SlateDB.Storage;

/// <summary>
/// How object-store adapters (the S3, Azure and GCS packages, or one of your own) report a failed request: as a
/// <see cref="SlateDbException"/> whose kind tells the engine whether to retry (Unavailable), stop and tell the
/// operator (Invalid) or treat it as a bug (Internal), with a one-line message that says what to check.
/// </summary>
public static class ObjectStoreFailure
{
    /// <summary>True for every failure except the caller's own cancellation (which passes through) and errors already wrapped.</summary>
    public static bool ShouldWrap(Exception exception, CancellationToken callerToken)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception is not SlateDbException
            && !(exception is OperationCanceledException && callerToken.IsCancellationRequested);
    }

    /// <summary>
    /// Wraps <paramref name="exception"/>: "<paramref name="service"/> <paramref name="operation"/> of
    /// '<paramref name="location"/>' failed (what to do): <paramref name="detail"/>".
    /// </summary>
    /// <param name="kind">Unavailable (transient), Invalid (settings, credentials or permissions) or Internal.</param>
    /// <param name="service">The service's name, e.g. <c>S3</c>.</param>
    /// <param name="operation">The request, e.g. <c>PUT</c>.</param>
    /// <param name="location">The container and object name.</param>
    /// <param name="detail">What the service answered (status, code, first line of its message).</param>
    /// <param name="settingsToCheck">For Invalid: what to check, e.g. <c>credentials, permissions, bucket and endpoint</c>.</param>
    /// <param name="exception">The failure.</param>
    public static SlateDbException Wrap(SlateDbErrorKind kind, string service, string operation, string location, string detail, string settingsToCheck, Exception exception)
    {
        var advice = kind switch
        {
            SlateDbErrorKind.Unavailable => "transient; retrying may help",
            SlateDbErrorKind.Invalid => "check the " + settingsToCheck,
            _ => "unexpected",
        };
        return new SlateDbException(kind, $"{service} {operation} of '{location}' failed ({advice}): {detail}", exception);
    }

    /// <summary>
    /// The kind of a failure that is not a service's own answer: for an <see cref="AggregateException"/> (an SDK's
    /// retries gave up) the last attempt's, by <paramref name="classify"/>; an HTTP 4xx from the transport other than 408
    /// and 429 is Internal; network errors, timeouts and other HTTP failures are Unavailable; anything else Internal.
    /// </summary>
    public static SlateDbErrorKind ClassifyTransport(Exception exception, Func<Exception, SlateDbErrorKind> classify)
    {
        ArgumentNullException.ThrowIfNull(exception);
        ArgumentNullException.ThrowIfNull(classify);
        return exception switch
        {
            AggregateException aggregate => aggregate.InnerExceptions.Count > 0 ? classify(aggregate.InnerExceptions[^1]) : SlateDbErrorKind.Internal,
            HttpRequestException http => http.StatusCode is { } status && (int)status is >= 400 and < 500 and not 408 and not 429
                ? SlateDbErrorKind.Internal
                : SlateDbErrorKind.Unavailable,

            // A client-side timeout surfaces as OperationCanceledException (the caller's own is never classified).
            IOException or System.Net.Sockets.SocketException or TimeoutException or OperationCanceledException or System.Net.WebException
                => SlateDbErrorKind.Unavailable,
            _ => SlateDbErrorKind.Internal,
        };
    }

    /// <summary>The first line of a service's message (some services answer with whole documents).</summary>
    public static string FirstLine(string? message)
    {
        if (message is null)
        {
            return string.Empty;
        }

        var newline = message.IndexOfAny(['\r', '\n']);
        return newline < 0 ? message : message[..newline];
    }
}
