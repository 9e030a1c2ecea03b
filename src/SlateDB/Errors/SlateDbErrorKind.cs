namespace SlateDB;

/// <summary>
/// The coarse kind of a <see cref="SlateDbException"/>. Kinds are few and tell the caller what to do;
/// the message carries the detail (as SlateDB's RFC-0007).
/// </summary>
public enum SlateDbErrorKind
{
    /// <summary>A transaction conflicted with another commit; retry the transaction.</summary>
    Transaction,

    /// <summary>The database is closed (see <see cref="SlateDbException.CloseReason"/>); reopen it to go on.</summary>
    Closed,

    /// <summary>A dependency such as the object store is unavailable; the operation may succeed when retried later.</summary>
    Unavailable,

    /// <summary>The caller asked for something invalid (bad arguments, settings or state); fix the call.</summary>
    Invalid,

    /// <summary>Stored bytes are corrupt or not understood (checksum mismatch, unknown version, truncated object).</summary>
    Data,

    /// <summary>An unexpected internal failure: a bug in the engine.</summary>
    Internal,
}
