namespace SlateDB.Format.Filters;

/// <summary>
/// Collects the rows of one SST while it is written and then produces its filter (Rust <c>FilterBuilder</c>).
/// Rows arrive in the SST's order: key ascending, newest version first. Not thread-safe.
/// </summary>
internal interface IFilterBuilder
{
    /// <summary>Feeds one row; every version of a key is fed, tombstones and merge operands included.</summary>
    void Add(in RowEntry entry);

    /// <summary>Builds the filter from every row fed so far.</summary>
    IFilter Build();
}
