using Microsoft.Extensions.Logging;

namespace SlateDB;

/// <summary>The engine's log messages (source-generated). Next free event id: 19.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Opened database '{Path}' as writer epoch {Epoch}: replayed {WalCount} WAL objects ({Rows} rows), last sequence {LastSeq}.")]
    public static partial void Opened(ILogger logger, string path, ulong epoch, int walCount, long rows, ulong lastSeq);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "This writer was fenced: {Reason}")]
    public static partial void Fenced(ILogger logger, string reason);

    [LoggerMessage(EventId = 3, Level = LogLevel.Error, Message = "A background task failed while {Activity}; the database is closed.")]
    public static partial void BackgroundFailure(ILogger logger, string activity, Exception error);

    [LoggerMessage(EventId = 4, Level = LogLevel.Debug, Message = "L0 holds {Count} SSTs, the most allowed: memtable flushes wait for compaction.")]
    public static partial void L0Full(ILogger logger, int count);

    [LoggerMessage(EventId = 5, Level = LogLevel.Error, Message = "Writing out buffered data while closing failed.")]
    public static partial void CloseFlushFailed(ILogger logger, Exception error);

    [LoggerMessage(EventId = 6, Level = LogLevel.Debug, Message = "WAL object {WalId} exists already (an older writer's); fencing at the next id.")]
    public static partial void FenceSlotTaken(ILogger logger, ulong walId);

    [LoggerMessage(EventId = 12, Level = LogLevel.Warning, Message = "Preloading the local disk cache failed; reads will fill it instead.")]
    public static partial void PreloadFailed(ILogger logger, Exception error);

    [LoggerMessage(EventId = 7, Level = LogLevel.Information, Message = "Created database '{Path}'.")]
    public static partial void Created(ILogger logger, string path);

    [LoggerMessage(EventId = 13, Level = LogLevel.Debug, Message = "WAL object {WalId} written ({Bytes} bytes).")]
    public static partial void WalFlushed(ILogger logger, ulong walId, long bytes);

    [LoggerMessage(EventId = 14, Level = LogLevel.Debug, Message = "Memtable flushed to L0 SST {Sst} ({Bytes} bytes); manifest version {ManifestId}.")]
    public static partial void L0Flushed(ILogger logger, string sst, long bytes, ulong manifestId);

    [LoggerMessage(EventId = 18, Level = LogLevel.Warning, Message = "Streaming L0 SST {Sst} to the object store failed; writing it again whole through the store's ordinary put.")]
    public static partial void L0StreamFellBack(ILogger logger, Exception exception, string sst);

    [LoggerMessage(EventId = 15, Level = LogLevel.Information, Message = "Flushed {Rows} unflushed bytes at process exit in {Millis} ms.")]
    public static partial void ExitFlushed(ILogger logger, long rows, long millis);

    [LoggerMessage(EventId = 16, Level = LogLevel.Warning, Message = "The flush at process exit did not finish: {Reason}")]
    public static partial void ExitFlushIncomplete(ILogger logger, string reason);

    [LoggerMessage(EventId = 17, Level = LogLevel.Warning, Message = "Opening '{Path}' did not finish within {Timeout}; the object store kept failing transiently.")]
    public static partial void OpenTimedOut(ILogger logger, string path, TimeSpan timeout, Exception? lastFailure);
}
