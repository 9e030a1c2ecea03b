namespace SlateDB;

/// <summary>
/// What a write returns: its sequence number, and a way to wait until it is durable in object storage.
/// </summary>
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
    public Task AwaitDurableAsync(CancellationToken cancellationToken = default) => _awaitDurable(Sequence, cancellationToken);
}
