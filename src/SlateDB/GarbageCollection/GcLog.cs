using Microsoft.Extensions.Logging;

namespace SlateDB.GarbageCollection;

/// <summary>The garbage collector's log messages (source-generated; event ids 2000 and up). Next free event id: 2014.</summary>
internal static partial class GcLog
{
    [LoggerMessage(EventId = 2000, Level = LogLevel.Information, Message = "Garbage collector started for '{Path}' (tasks: {Tasks}).")]
    public static partial void Started(ILogger logger, string path, string tasks);

    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "Garbage collector for '{Path}' stopped.")]
    public static partial void Stopped(ILogger logger, string path);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Debug, Message = "{Kind} collection found {Count} obsolete objects.")]
    public static partial void Candidates(ILogger logger, GarbageKind kind, int count);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Information, Message = "Dry run: would delete {Kind} object '{ObjectPath}'.")]
    public static partial void WouldDelete(ILogger logger, GarbageKind kind, string objectPath);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Debug, Message = "Deleted {Kind} object '{ObjectPath}'.")]
    public static partial void DeletedObject(ILogger logger, GarbageKind kind, string objectPath);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Information, Message = "{Kind} collection deleted {Deleted} objects ({Failed} deletes failed).")]
    public static partial void Collected(ILogger logger, GarbageKind kind, int deleted, int failed);

    [LoggerMessage(EventId = 2006, Level = LogLevel.Warning, Message = "Deleting {Kind} object '{ObjectPath}' failed; a later run retries it.")]
    public static partial void DeleteFailed(ILogger logger, GarbageKind kind, string objectPath, Exception error);

    [LoggerMessage(EventId = 2007, Level = LogLevel.Error, Message = "{Kind} collection failed; nothing more was deleted this run.")]
    public static partial void TaskFailed(ILogger logger, GarbageKind kind, Exception error);

    [LoggerMessage(EventId = 2008, Level = LogLevel.Information, Message = "Removed {Count} expired checkpoints (manifest {ManifestId}).")]
    public static partial void CheckpointsExpired(ILogger logger, int count, ulong manifestId);

    [LoggerMessage(EventId = 2009, Level = LogLevel.Debug, Message = "Compacted SST cutoff {CutoffMs} ms (min age {MinAgeMs}, compactions {CompactionMs}, newest L0 {NewestL0Ms}).")]
    public static partial void CompactedCutoff(ILogger logger, long cutoffMs, long minAgeMs, long? compactionMs, long newestL0Ms);

    [LoggerMessage(EventId = 2010, Level = LogLevel.Debug, Message = "Advanced the GC boundary '{BoundaryPath}' to {Boundary}.")]
    public static partial void BoundaryAdvanced(ILogger logger, string boundaryPath, ulong boundary);

    [LoggerMessage(EventId = 2011, Level = LogLevel.Debug, Message = "Another process wrote manifest {ManifestId} first; reapplying the checkpoint expiry.")]
    public static partial void CheckpointExpiryConflict(ILogger logger, ulong manifestId);

    [LoggerMessage(EventId = 2012, Level = LogLevel.Information, Message = "Detached the clone from '{ParentPath}': released checkpoint {CheckpointId} there (manifest {ManifestId}).")]
    public static partial void CloneDetached(ILogger logger, string parentPath, Guid checkpointId, ulong manifestId);

    [LoggerMessage(EventId = 2013, Level = LogLevel.Warning, Message = "Releasing checkpoint {CheckpointId} in the parent '{ParentPath}' failed; a later run retries the detach.")]
    public static partial void CloneDetachFailed(ILogger logger, string parentPath, Guid checkpointId, Exception error);
}
