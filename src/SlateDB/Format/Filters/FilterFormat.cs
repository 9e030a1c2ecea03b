namespace SlateDB.Format.Filters;

/// <summary>
/// How an SST's filter block is laid out: the <c>filter_format</c> field of <c>SsTableInfo</c> (sst.fbs enum
/// <c>FilterFormat</c>, one byte). The field first appeared in SlateDB 0.13; SSTs without it are
/// <see cref="Legacy"/>.
/// </summary>
internal enum FilterFormat : byte
{
    /// <summary>
    /// The whole block is one bloom filter's bytes (<c>num_probes</c> then the bit array). SlateDB 0.12.x
    /// (including the 0.12.1 release) writes and reads only this; 0.13 and later still read it.
    /// </summary>
    Legacy = 0,

    /// <summary>
    /// A list of named filters (see <see cref="FilterBlockCodec"/>). Written by SlateDB 0.13 and later;
    /// SlateDB 0.12.1 cannot read it.
    /// </summary>
    Composite = 1,
}
