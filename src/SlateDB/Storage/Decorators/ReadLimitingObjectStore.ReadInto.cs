namespace SlateDB.Storage;

/// <summary>Ranged reads into a caller's buffer under the read cap: each holds a slot as a ranged GET does.</summary>
internal sealed partial class ReadLimitingObjectStore : IRangeReadInto
{
    /// <inheritdoc/>
    bool IRangeReadInto.CanReadInto => _inner is IRangeReadInto { CanReadInto: true };

    /// <inheritdoc/>
    async ValueTask<int> IRangeReadInto.ReadRangeIntoAsync(string path, ByteRange range, Memory<byte> destination, CancellationToken cancellationToken)
    {
        await EnterAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await ((IRangeReadInto)_inner).ReadRangeIntoAsync(path, range, destination, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Exit();
        }
    }
}
