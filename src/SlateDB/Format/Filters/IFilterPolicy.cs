namespace SlateDB.Format.Filters;

/// <summary>
/// A named kind of per-SST filter (Rust <c>FilterPolicy</c>): it makes a builder for each new SST and decodes the
/// filters earlier SSTs stored under its <see cref="Name"/>.
/// </summary>
internal interface IFilterPolicy
{
    /// <summary>
    /// The name stored with each filter in a composite filter block. It names everything that decides whether a
    /// stored filter can be read and trusted (for the bloom policy: the prefix extractor and whole-key
    /// filtering, but not bits per key, which only changes the false-positive rate).
    /// </summary>
    string Name { get; }

    /// <summary>A fresh builder for one SST.</summary>
    IFilterBuilder CreateBuilder();

    /// <summary>
    /// Decodes filter data this policy wrote. <paramref name="data"/> must be immutable: the filter may keep
    /// a reference to it instead of copying.
    /// </summary>
    /// <param name="data">The policy-specific bytes.</param>
    /// <param name="objectName">The SST the bytes came from, for error messages.</param>
    /// <exception cref="SlateDbException">The bytes are not a valid filter (kind <see cref="SlateDbErrorKind.Data"/>).</exception>
    IFilter Decode(ReadOnlyMemory<byte> data, string objectName);

    /// <summary>
    /// An estimate of <see cref="IFilter.EncodedLength"/> for a filter over <paramref name="numKeys"/> rows,
    /// without block framing, compression or checksum. Used to size SST buffers; it need not be exact.
    /// </summary>
    int EstimateEncodedLength(long numKeys);
}
