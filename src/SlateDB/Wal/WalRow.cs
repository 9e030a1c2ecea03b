namespace SlateDB;

/// <summary>One row of a WAL file as written (SlateDB's raw <c>RowEntry</c>).</summary>
/// <param name="Kind">A value, a tombstone or a merge operand.</param>
/// <param name="Key">The key.</param>
/// <param name="Value">The value or merge operand; null for a tombstone.</param>
/// <param name="Sequence">The write's sequence number (every row of a batch has the same one).</param>
/// <param name="CreateTs">The create time (Unix milliseconds, database clock), when recorded.</param>
/// <param name="ExpireTs">The expire time (Unix milliseconds), when the row has a time to live.</param>
/// <remarks>Key and value are read-only views of the bytes read; they stay valid as long as they are referenced.</remarks>
public sealed record WalRow(WalRowKind Kind, ReadOnlyMemory<byte> Key, ReadOnlyMemory<byte>? Value, long Sequence, long? CreateTs, long? ExpireTs)
{
    internal static WalRow From(in Format.RowEntry row) => new(
        row.Kind switch
        {
            Format.RowKind.Value => WalRowKind.Value,
            Format.RowKind.Tombstone => WalRowKind.Tombstone,
            _ => WalRowKind.Merge,
        },
        row.Key,
        row.Kind == Format.RowKind.Tombstone ? (ReadOnlyMemory<byte>?)null : row.Value,
        (long)row.Seq,
        row.CreateTs,
        row.ExpireTs);
}
