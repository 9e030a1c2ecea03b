namespace SlateDB;

/// <summary>What a WAL row holds (SlateDB's <c>RowEntryKind</c>).</summary>
public enum WalRowKind
{
    /// <summary>A put: the row has a value.</summary>
    Value,

    /// <summary>A delete: the row has no value.</summary>
    Tombstone,

    /// <summary>A merge operand, folded with older versions by the database's merge operator.</summary>
    Merge,
}
