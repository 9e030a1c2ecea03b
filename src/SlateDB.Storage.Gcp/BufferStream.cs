namespace SlateDB.Storage.Gcp;

/// <summary>
/// A write-only stream that a download fills: first a buffer given up front (the range's size, or a caller's
/// destination), then, only if the server sends more than that (it may ignore a Range header and send the whole
/// object), a growing buffer of its own holding everything written.
/// </summary>
internal sealed class BufferStream(Memory<byte> buffer) : Stream
{
    private int _written;
    private MemoryStream? _overflow;

    /// <summary>Everything written, in order: the start of the given buffer, or the overflow buffer.</summary>
    public ReadOnlyMemory<byte> Written => _overflow is { } overflow
        ? overflow.GetBuffer().AsMemory(0, (int)overflow.Length)
        : buffer[.._written];

    /// <inheritdoc/>
    public override bool CanRead => false;

    /// <inheritdoc/>
    public override bool CanSeek => false;

    /// <inheritdoc/>
    public override bool CanWrite => true;

    /// <inheritdoc/>
    public override long Length => _overflow?.Length ?? _written;

    /// <inheritdoc/>
    public override long Position
    {
        get => Length;
        set => throw new NotSupportedException("The stream is written in order only.");
    }

    /// <inheritdoc/>
    public override void Write(ReadOnlySpan<byte> source)
    {
        if (_overflow is null && source.Length <= buffer.Length - _written)
        {
            source.CopyTo(buffer.Span[_written..]);
            _written += source.Length;
            return;
        }

        if (_overflow is null)
        {
            _overflow = new MemoryStream(Math.Max(2 * buffer.Length, _written + source.Length));
            _overflow.Write(buffer.Span[.._written]);
        }

        _overflow.Write(source);
    }

    /// <inheritdoc/>
    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    /// <inheritdoc/>
    public override ValueTask WriteAsync(ReadOnlyMemory<byte> source, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Write(source.Span);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc/>
    public override void Flush()
    {
    }

    /// <inheritdoc/>
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("The stream is write-only.");

    /// <inheritdoc/>
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException("The stream is written in order only.");

    /// <inheritdoc/>
    public override void SetLength(long value) => throw new NotSupportedException("The stream is written in order only.");

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _overflow?.Dispose();
        }

        base.Dispose(disposing);
    }
}
