using Microsoft.Extensions.Logging;

namespace SlateDB;

/// <summary>The engine's log messages (source-generated). Next free event id: 13.</summary>
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
}
