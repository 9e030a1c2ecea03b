namespace SlateDB.Wal;

/// <summary>One WAL object as a listing of the WAL shows it: its id, size in bytes and last write time.</summary>
/// <remarks>A size of zero is a fence written by a newer SlateDB writer (it reads as an object with no rows).</remarks>
internal readonly record struct WalObjectInfo(ulong Id, long Size, DateTimeOffset LastModified);
