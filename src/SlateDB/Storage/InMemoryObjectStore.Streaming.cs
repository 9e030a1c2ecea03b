using System.Buffers;

namespace SlateDB.Storage;

/// <summary>Streaming puts (<see cref="IStreamingPut"/>): the pieces are gathered and put at once on commit.</summary>
public sealed partial class InMemoryObjectStore : IStreamingPut
{
    /// <inheritdoc/>
    IStreamingObjectWriter? IStreamingPut.TryStartPut(string path)
    {
        ObjectPath.Validate(path);
        return new StreamingWriter(this, path);
    }

    /// <summary>Gathers the object's bytes; nothing is stored before the commit.</summary>
    private sealed class StreamingWriter(InMemoryObjectStore store, string path) : IStreamingObjectWriter
    {
        private ArrayBufferWriter<byte>? _bytes = new();

        public long Length { get; private set; }

        public void Write(ReadOnlySpan<byte> data)
        {
            var bytes = _bytes ?? throw new InvalidOperationException($"The put of '{path}' has ended.");
            data.CopyTo(bytes.GetSpan(data.Length));
            bytes.Advance(data.Length);
            Length += data.Length;
        }

        public ValueTask<PutResult> CommitAsync(PutMode mode, CancellationToken cancellationToken)
        {
            var bytes = _bytes ?? throw new InvalidOperationException($"The put of '{path}' has ended.");
            _bytes = null;
            return store.PutAsync(path, bytes.WrittenMemory, mode, cancellationToken);
        }

        public void Dispose() => _bytes = null;
    }
}
