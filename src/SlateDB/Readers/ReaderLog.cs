using Microsoft.Extensions.Logging;

namespace SlateDB.Readers;

internal static partial class ReaderLog
{
    [LoggerMessage(EventId = 1401, Level = LogLevel.Information, Message = "Reader opened on '{Path}' ({Mode}) at manifest {ManifestId}, sequence {Seq}.")]
    public static partial void Opened(ILogger logger, string path, string mode, ulong manifestId, ulong seq);

    [LoggerMessage(EventId = 1402, Level = LogLevel.Warning, Message = "Reader refresh failed; reads go on from manifest {ManifestId} and retry at the next poll.")]
    public static partial void RefreshFailed(ILogger logger, ulong manifestId, Exception error);

    [LoggerMessage(EventId = 1403, Level = LogLevel.Debug, Message = "WAL object {WalId} is not there (collected, or not written yet); replay stops before it until the next poll.")]
    public static partial void WalGap(ILogger logger, ulong walId);

    [LoggerMessage(EventId = 1404, Level = LogLevel.Information, Message = "Reader's checkpoint {Old} lapsed or the database moved on; it now holds checkpoint {New} on manifest {ManifestId}.")]
    public static partial void CheckpointMoved(ILogger logger, Guid? old, Guid @new, ulong manifestId);
}
