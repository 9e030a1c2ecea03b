namespace SlateDB.Storage;

/// <summary>Streaming puts through the instrumentation: the commit is recorded as one put of the bytes written.</summary>
public sealed partial class InstrumentedObjectStore : IStreamingPut
{
    /// <inheritdoc/>
    IStreamingObjectWriter? IStreamingPut.TryStartPut(string path) =>
        _inner is IStreamingPut streaming && streaming.TryStartPut(path) is { } writer ? new InstrumentedWriter(this, path, writer) : null;

    /// <summary>Passes the writes on; times and counts the commit as a put (its span and metrics).</summary>
    private sealed class InstrumentedWriter(InstrumentedObjectStore store, string path, IStreamingObjectWriter inner) : IStreamingObjectWriter
    {
        public long Length => inner.Length;

        public void Write(ReadOnlySpan<byte> data) => inner.Write(data);

        public async ValueTask<PutResult> CommitAsync(PutMode mode, CancellationToken cancellationToken)
        {
            var start = store._timeProvider.GetTimestamp();
            var activity = store.StartSpan(ObjectStoreOperation.Put, path);
            try
            {
                var result = await inner.CommitAsync(mode, cancellationToken).ConfigureAwait(false);
                store.Completed(activity, ObjectStoreOperation.Put, mode.Kind, start, inner.Length, result.Outcome);
                return result;
            }
            catch (Exception exception) when (store.Failed(activity, ObjectStoreOperation.Put, mode.Kind, start, exception))
            {
                throw;
            }
        }

        public void Dispose() => inner.Dispose();
    }
}
