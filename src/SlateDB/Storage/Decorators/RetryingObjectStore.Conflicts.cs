namespace SlateDB.Storage;

// Conditional-put conflicts, read back before they are believed (see the remarks on the class).
public sealed partial class RetryingObjectStore
{
    /// <summary>The largest range read at once when a conflicting put's object is compared with the bytes sent.</summary>
    private const int ReadBackChunk = 8 * 1024 * 1024;

    /// <summary>
    /// A conditional put reported a conflict: an earlier send of it (ours, retried by us or by the SDK) may have been
    /// applied. Reads the object back and reports it written when it holds our bytes.
    /// </summary>
    private async ValueTask<PutResult> ResolveConflictAsync(
        string path, ReadOnlyMemory<byte> data, PutMode mode, PutResult conflict, CancellationToken cancellationToken)
    {
        string? ours;
        try
        {
            ours = await ReadBackVersionIfOursAsync(path, data, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // As SlateDB: when the check itself fails, the conflict stands. A conflict is the safe answer: the engine
            // rereads and reapplies (manifests) or stops writing as fenced (WAL).
            ObjectStoreLog.LostPutCheckFailed(_logger, mode.Kind, path, conflict.Outcome, exception);
            return conflict;
        }

        if (ours is not null)
        {
            ObjectStoreLog.LostPutResolved(_logger, mode.Kind, path, conflict.Outcome);
            return PutResult.Written(ours.Length == 0 ? null : ours);
        }

        ObjectStoreLog.RetriedPutConflicted(_logger, mode.Kind, path, conflict.Outcome);
        return conflict;
    }

    /// <summary>
    /// The object's version ("" when the store reports none) when it holds exactly <paramref name="data"/>; null when
    /// it is absent, holds other bytes, or changed while it was read. Reads ranges of at most
    /// <see cref="ReadBackChunk"/> bytes (one request for all but large objects) and stops at the first difference.
    /// </summary>
    private async ValueTask<string?> ReadBackVersionIfOursAsync(string path, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        ObjectMetadata? first = null;
        for (long offset = 0; offset < data.Length; offset += ReadBackChunk)
        {
            var range = new ByteRange(offset, Math.Min(ReadBackChunk, data.Length - offset));
            var part = (await RunAsync(GetRangeOperation, path, (path, range), static (inner, s, ct) => GetRangeCheckedAsync(inner, s.path, s.range, ct), cancellationToken).ConfigureAwait(false)).Value;
            if (part is null
                || part.Metadata.Size != data.Length
                || (first is not null && part.Metadata.Version != first.Version)
                || !part.Data.Span.SequenceEqual(data.Span.Slice((int)offset, (int)range.Length)))
            {
                return null;
            }

            first ??= part.Metadata;
        }

        return first?.Version ?? string.Empty;
    }
}
