using SlateDB.Storage;

namespace SlateDB.Caching;

/// <summary>
/// Ranged reads into a caller's buffer (<see cref="IRangeReadInto"/>): cached parts are read from their files straight
/// into it, missing parts are fetched (and cached) as for any read; objects the cache does not keep are read through
/// the store beneath, into the buffer where it can.
/// </summary>
public sealed partial class DiskCachedObjectStore : IRangeReadInto
{
    /// <inheritdoc/>
    bool IRangeReadInto.CanReadInto => true;

    /// <inheritdoc/>
    async ValueTask<int> IRangeReadInto.ReadRangeIntoAsync(string path, ByteRange range, Memory<byte> destination, CancellationToken cancellationToken)
    {
        IRangeReadInto.CheckArguments(path, range, destination);

        if (!_isCacheable(path))
        {
            if (_inner is IRangeReadInto { CanReadInto: true } into)
            {
                return await into.ReadRangeIntoAsync(path, range, destination, cancellationToken).ConfigureAwait(false);
            }

            if (await _inner.GetRangeAsync(path, range, cancellationToken).ConfigureAwait(false) is not { } content)
            {
                return -1;
            }

            content.Data.CopyTo(destination);
            return content.Data.Length;
        }

        var metadata = await MetadataAsync(path, cancellationToken).ConfigureAwait(false);
        return metadata is null ? -1 : await ReadAsync(path, metadata, range, destination, cancellationToken).ConfigureAwait(false);
    }
}
