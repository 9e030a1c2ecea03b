namespace SlateDB.Format.Filters;

/// <summary>What a filter query asks about: one whole key, or every key that starts with some bytes.</summary>
internal enum FilterTargetKind : byte
{
    /// <summary>A point lookup: might this exact key be in the SST?</summary>
    Point = 0,

    /// <summary>A prefix scan: might any key starting with these bytes be in the SST?</summary>
    Prefix = 1,
}

/// <summary>
/// A membership question put to an SST's filters (Rust <c>FilterQuery</c>). Filters that cannot answer a kind of
/// query say "might match", so a query never causes a false negative.
/// </summary>
/// <param name="Kind">Whether <paramref name="Bytes"/> is a whole key or a scan prefix.</param>
/// <param name="Bytes">The key or prefix; a slice of an immutable buffer.</param>
internal readonly record struct FilterQuery(FilterTargetKind Kind, ReadOnlyMemory<byte> Bytes)
{
    /// <summary>A point-lookup query for <paramref name="key"/>.</summary>
    public static FilterQuery Point(ReadOnlyMemory<byte> key) => new(FilterTargetKind.Point, key);

    /// <summary>A prefix-scan query for <paramref name="prefix"/>.</summary>
    public static FilterQuery Prefix(ReadOnlyMemory<byte> prefix) => new(FilterTargetKind.Prefix, prefix);
}
