using SlateDB.Format;

namespace SlateDB.Memtable;

/// <summary>
/// A <see cref="RowEntry"/> as the table keeps it: the seq lives in the skip-list node, and the optional
/// timestamps are flagged rather than nullable, which brings the slot from 80 to 56 bytes.
/// </summary>
internal readonly struct StoredRow
{
    private const byte HasCreateTs = 1;
    private const byte HasExpireTs = 2;

    private readonly ReadOnlyMemory<byte> _key;
    private readonly ReadOnlyMemory<byte> _value;
    private readonly long _createTs;
    private readonly long _expireTs;
    private readonly RowKind _kind;
    private readonly byte _flags;

    public StoredRow(in RowEntry row)
    {
        _key = row.Key;
        _value = row.Value;
        _kind = row.Kind;
        if (row.CreateTs is { } createTs)
        {
            _createTs = createTs;
            _flags |= HasCreateTs;
        }

        if (row.ExpireTs is { } expireTs)
        {
            _expireTs = expireTs;
            _flags |= HasExpireTs;
        }
    }

    /// <summary>The key memory as it was given.</summary>
    public ReadOnlyMemory<byte> Key => _key;

    /// <summary>The row again, with its seq.</summary>
    public RowEntry ToRow(ulong seq) => new(
        _key,
        _value,
        _kind,
        seq,
        (_flags & HasCreateTs) != 0 ? _createTs : null,
        (_flags & HasExpireTs) != 0 ? _expireTs : null);

    /// <summary>Same as <see cref="KvTable.EstimateSize"/> of the row.</summary>
    public long EstimatedSize =>
        _key.Length + _value.Length + sizeof(ulong)
        + ((_flags & HasCreateTs) != 0 ? sizeof(long) : 0)
        + ((_flags & HasExpireTs) != 0 ? sizeof(long) : 0);
}
