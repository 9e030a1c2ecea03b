using Microsoft.Extensions.Logging;

namespace SlateDB.Storage;

/// <summary>Log messages of the object-store decorators. Event ids 1100-1199; next free id: 1107.</summary>
internal static partial class ObjectStoreLog
{
    [LoggerMessage(EventId = 1100, Level = LogLevel.Debug,
        Message = "Object store {Operation} of '{Path}' failed transiently again (attempt {Attempt}, {ErrorType}: {Error}); retrying in {Delay}")]
    public static partial void Retrying(ILogger logger, string operation, string path, int attempt, TimeSpan delay, string errorType, string error);

    [LoggerMessage(EventId = 1101, Level = LogLevel.Warning,
        Message = "Object store {Operation} of '{Path}' failed transiently {Attempts} times; giving up after the retry limit ({ErrorType}: {Error})")]
    public static partial void GivingUp(ILogger logger, string operation, string path, int attempts, string errorType, string error);

    [LoggerMessage(EventId = 1105, Level = LogLevel.Warning,
        Message = "The object store is failing: {Operation} of '{Path}' failed transiently; retrying in {Delay}, and further failures are logged at Debug until a request succeeds")]
    public static partial void OutageStarted(ILogger logger, string operation, string path, TimeSpan delay, Exception exception);

    [LoggerMessage(EventId = 1106, Level = LogLevel.Information,
        Message = "The object store answers again ({Operation} of '{Path}' succeeded) after {Failures} transient failures over {Lasted}")]
    public static partial void OutageEnded(ILogger logger, string operation, string path, long failures, TimeSpan lasted);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Information,
        Message = "Retried {Mode} put of '{Path}' reported {Outcome}, but the object holds the bytes we sent: an earlier attempt was applied and its response lost; reporting it written")]
    public static partial void LostPutResolved(ILogger logger, PutModeKind mode, string path, PutOutcome outcome);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Debug,
        Message = "Retried {Mode} put of '{Path}' reported {Outcome} and the object holds other bytes: a real conflict")]
    public static partial void RetriedPutConflicted(ILogger logger, PutModeKind mode, string path, PutOutcome outcome);

    [LoggerMessage(EventId = 1104, Level = LogLevel.Warning,
        Message = "Could not read '{Path}' back after a retried {Mode} put reported {Outcome}; reporting the conflict")]
    public static partial void LostPutCheckFailed(ILogger logger, PutModeKind mode, string path, PutOutcome outcome, Exception exception);
}
