namespace SlateDB;

/// <summary>
/// What a write returns: its sequence number, and a way to wait until it is durable in object storage.
/// </summary>
/// <remarks>
/// A write whose durability wait failed with Closed or was cancelled may still have been applied: see
/// <see cref="AwaitDurableAsync"/>.
/// </remarks>
public sealed class WriteHandle
{
    private readonly Func<long, CancellationToken, Task> _awaitDurable;

    internal WriteHandle(long sequence, DateTimeOffset createdAt, Func<long, CancellationToken, Task> awaitDurable)
    {
        Sequence = sequence;
        CreatedAt = createdAt;
        _awaitDurable = awaitDurable;
    }

    /// <summary>The sequence number every row of the write got.</summary>
    public long Sequence { get; }

    /// <summary>The write's create time, by the database clock.</summary>
    public DateTimeOffset CreatedAt { get; }

    /// <summary>
    /// Completes when the write is durable (its WAL object written, or with the WAL disabled its memtable flushed to L0).
    /// Throws <see cref="SlateDbException"/> of kind Closed if the database closes or is fenced first.
    /// </summary>
    /// <remarks>
    /// A failed or cancelled wait says nothing about the write itself: it was committed when this handle was returned,
    /// and it may still become durable. When the wait fails with Closed (a clean close: the close writes out what was
    /// committed) or is cancelled, the write may be present after a reopen, or not; it is never present in part (all
    /// rows of a batch or none). Treat it as in doubt: read it back, or make the write idempotent and repeat it.
    /// </remarks>
    public Task AwaitDurableAsync(CancellationToken cancellationToken = default) => _awaitDurable(Sequence, cancellationToken);
}
