namespace SlateDB.Storage;

/// <summary>Ranged reads into a caller's buffer through the instrumentation: recorded as ranged GETs.</summary>
public sealed partial class InstrumentedObjectStore : IRangeReadInto
{
    /// <inheritdoc/>
    bool IRangeReadInto.CanReadInto => _inner is IRangeReadInto { CanReadInto: true };

    /// <inheritdoc/>
    async ValueTask<int> IRangeReadInto.ReadRangeIntoAsync(string path, ByteRange range, Memory<byte> destination, CancellationToken cancellationToken)
    {
        var start = _timeProvider.GetTimestamp();
        var activity = StartSpan(ObjectStoreOperation.GetRange, path);
        try
        {
            var read = await ((IRangeReadInto)_inner).ReadRangeIntoAsync(path, range, destination, cancellationToken).ConfigureAwait(false);
            Completed(activity, ObjectStoreOperation.GetRange, PutModeKind.Overwrite, start, Math.Max(0, read), outcome: null);
            return read;
        }
        catch (Exception exception) when (Failed(activity, ObjectStoreOperation.GetRange, PutModeKind.Overwrite, start, exception))
        {
            throw;
        }
    }
}
