using Microsoft.Extensions.Logging;

namespace SlateDB.Compaction.Workers;

/// <summary>Log messages of compaction workers and of a coordinator's side of the worker protocol (source-generated; event ids 3000 and up). Next free event id: 3010.</summary>
internal static partial class WorkerLog
{
    [LoggerMessage(EventId = 3000, Level = LogLevel.Information, Message = "Compaction worker {WorkerId} started on '{Path}' ({Max} compactions at once).")]
    public static partial void Started(ILogger logger, string workerId, string path, int max);

    [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "Compaction worker {WorkerId} claimed compaction {Id}.")]
    public static partial void Claimed(ILogger logger, string workerId, string id);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Information, Message = "Compaction worker {WorkerId} wrote compaction {Id}: {Ssts} SSTs, {Bytes} bytes, {Millis} ms.")]
    public static partial void Compacted(ILogger logger, string workerId, string id, int ssts, long bytes, long millis);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Information, Message = "Compaction worker {WorkerId} lost compaction {Id} (reclaimed or dropped by the coordinator); its work is abandoned.")]
    public static partial void Lost(ILogger logger, string workerId, string id);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Warning, Message = "Compaction worker {WorkerId}: compaction {Id} failed and is released for another attempt.")]
    public static partial void JobFailed(ILogger logger, string workerId, string id, Exception error);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Warning, Message = "Compaction worker {WorkerId}: a poll or heartbeat failed; retrying.")]
    public static partial void LoopFailed(ILogger logger, string workerId, Exception error);

    [LoggerMessage(EventId = 3006, Level = LogLevel.Information, Message = "Compaction worker {WorkerId} stopped.")]
    public static partial void Stopped(ILogger logger, string workerId);

    [LoggerMessage(EventId = 3007, Level = LogLevel.Information, Message = "Compaction {Id}: worker {WorkerId} sent no heartbeat for {Millis} ms; the compaction is reclaimed for another worker.")]
    public static partial void Reclaimed(ILogger logger, string id, string workerId, long millis);

    [LoggerMessage(EventId = 3008, Level = LogLevel.Information, Message = "Compaction {Id} was handed to the compaction workers: {Sources} sources into SR {Destination}.")]
    public static partial void Scheduled(ILogger logger, string id, int sources, uint destination);

    [LoggerMessage(EventId = 3009, Level = LogLevel.Warning, Message = "Compaction worker {WorkerId}: claimed compaction {Id} cannot run on the newest manifest ({Reason}); released.")]
    public static partial void ClaimInvalid(ILogger logger, string workerId, string id, string reason);

    [LoggerMessage(EventId = 3010, Level = LogLevel.Information, Message = "Compaction worker {WorkerId}: compaction {Id} resumes recorded progress ({Ranges} ranges, {Ssts} SSTs already written).")]
    public static partial void Resuming(ILogger logger, string workerId, string id, int ranges, int ssts);
}
