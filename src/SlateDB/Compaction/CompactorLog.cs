using Microsoft.Extensions.Logging;

namespace SlateDB.Compaction;

/// <summary>The compactor's log messages (source-generated; event ids 100-119). Next free event id: 111.</summary>
internal static partial class CompactorLog
{
    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "Compactor started on '{Path}' as compactor epoch {Epoch}; {Resumed} unfinished compactions will be resumed.")]
    public static partial void Started(ILogger logger, string path, ulong epoch, int resumed);

    [LoggerMessage(EventId = 101, Level = LogLevel.Information, Message = "Compaction {Id} started: {Sources} sources into SR {Destination}.")]
    public static partial void CompactionStarted(ILogger logger, string id, int sources, uint destination);

    [LoggerMessage(EventId = 102, Level = LogLevel.Information, Message = "Compaction {Id} committed: {Sources} sources into SR {Destination}, {InputBytes} -> {OutputBytes} bytes, {Millis} ms.")]
    public static partial void CompactionCommitted(ILogger logger, string id, int sources, uint destination, long inputBytes, long outputBytes, long millis);

    [LoggerMessage(EventId = 110, Level = LogLevel.Debug, Message = "Compaction {Id} details: {Plan}; {Ssts} SSTs out, {RowsRead} rows read, {RowsWritten} written.")]
    public static partial void CompactionDetails(ILogger logger, string id, string plan, int ssts, long rowsRead, long rowsWritten);

    [LoggerMessage(EventId = 103, Level = LogLevel.Warning, Message = "Compaction {Id} failed: {Plan}.")]
    public static partial void CompactionFailed(ILogger logger, string id, string plan, Exception error);

    [LoggerMessage(EventId = 104, Level = LogLevel.Warning, Message = "Compaction {Id} was dropped: {Plan} cannot run because {Reason}.")]
    public static partial void CompactionRejected(ILogger logger, string id, string plan, string reason);

    [LoggerMessage(EventId = 105, Level = LogLevel.Warning, Message = "The compactor was fenced and stops: {Reason}")]
    public static partial void Fenced(ILogger logger, string reason);

    [LoggerMessage(EventId = 106, Level = LogLevel.Warning, Message = "A compactor poll failed; retrying at the next poll.")]
    public static partial void PollFailed(ILogger logger, Exception error);

    [LoggerMessage(EventId = 107, Level = LogLevel.Debug, Message = "Telling the writer about a compaction failed.")]
    public static partial void NotifyFailed(ILogger logger, Exception error);

    [LoggerMessage(EventId = 108, Level = LogLevel.Information, Message = "Compactor on '{Path}' stopped.")]
    public static partial void Stopped(ILogger logger, string path);

    [LoggerMessage(EventId = 109, Level = LogLevel.Error, Message = "The embedded compactor could not start; the database runs without compaction.")]
    public static partial void StartFailed(ILogger logger, Exception error);
}
