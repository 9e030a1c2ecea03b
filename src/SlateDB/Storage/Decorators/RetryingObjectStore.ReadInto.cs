namespace SlateDB.Storage;

/// <summary>
/// Ranged reads into a caller's buffer with retries: a transient failure is retried as a ranged GET is (the attempt
/// that failed has returned, so nothing writes into the buffer any more when the next one starts).
/// </summary>
public sealed partial class RetryingObjectStore : IRangeReadInto
{
    /// <inheritdoc/>
    bool IRangeReadInto.CanReadInto => _inner is IRangeReadInto { CanReadInto: true };

    /// <inheritdoc/>
    async ValueTask<int> IRangeReadInto.ReadRangeIntoAsync(string path, ByteRange range, Memory<byte> destination, CancellationToken cancellationToken)
    {
        var attempt = await RunAsync(
            GetRangeOperation,
            path,
            (path, range, destination),
            static (inner, s, ct) => ((IRangeReadInto)inner).ReadRangeIntoAsync(s.path, s.range, s.destination, ct),
            cancellationToken).ConfigureAwait(false);
        return attempt.Value;
    }
}
