namespace SlateDB.Format.Filters;

/// <summary>
/// A built or decoded per-SST filter that answers membership queries (Rust <c>Filter</c>). Immutable and safe
/// to share between threads.
/// </summary>
internal interface IFilter
{
    /// <summary>
    /// False only when no key matching <paramref name="query"/> can be in the SST; true when the filter cannot
    /// rule it out, including for query kinds it does not understand.
    /// </summary>
    bool MightMatch(in FilterQuery query);

    /// <summary>Length in bytes of <see cref="Encode"/>'s output.</summary>
    int EncodedLength { get; }

    /// <summary>
    /// Writes the filter's policy-specific bytes (what a composite block stores as one entry's data, or what a
    /// legacy SST stores as its whole filter block) into the first <see cref="EncodedLength"/> bytes of
    /// <paramref name="destination"/>.
    /// </summary>
    void Encode(Span<byte> destination);

    /// <summary>Bytes of filter data held in memory (for cache weighing).</summary>
    int Size { get; }
}
