namespace SlateDB.Memtable;

/// <summary>How a <see cref="KeyBound"/> limits a key range.</summary>
internal enum BoundKind : byte
{
    /// <summary>No limit on this side.</summary>
    Unbounded = 0,

    /// <summary>The bound key itself is in the range.</summary>
    Included = 1,

    /// <summary>The bound key itself is outside the range.</summary>
    Excluded = 2,
}

/// <summary>One end of a key range: unbounded, or a key that is included or excluded. Keys compare as unsigned bytes.</summary>
internal readonly record struct KeyBound(BoundKind Kind, ReadOnlyMemory<byte> Key)
{
    /// <summary>No limit.</summary>
    public static KeyBound Unbounded => default;

    /// <summary>A bound that includes <paramref name="key"/>.</summary>
    public static KeyBound Included(ReadOnlyMemory<byte> key) => new(BoundKind.Included, key);

    /// <summary>A bound that excludes <paramref name="key"/>.</summary>
    public static KeyBound Excluded(ReadOnlyMemory<byte> key) => new(BoundKind.Excluded, key);

    /// <summary>True when this side of the range is open.</summary>
    public bool IsUnbounded => Kind == BoundKind.Unbounded;
}
