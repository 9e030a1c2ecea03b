namespace SlateDB;

/// <summary>A WAL file's metadata (SlateDB's <c>WalFileMetadata</c>).</summary>
/// <param name="Id">The WAL id.</param>
/// <param name="SizeBytes">Its size in bytes (zero for a fence written by a newer SlateDB).</param>
/// <param name="LastModified">When it was written, by the store.</param>
/// <param name="Location">Its object path in the WAL's store (or its file, for a local WAL).</param>
public sealed record WalFileMetadata(ulong Id, long SizeBytes, DateTimeOffset LastModified, string Location);
