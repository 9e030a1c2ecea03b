namespace SlateDB.Transactions;

/// <summary>What the <see cref="TransactionManager"/> knows of one open transaction. Guarded by the manager's lock.</summary>
internal sealed class TransactionState(long id, long readSeq, IsolationLevel level, long startedTimestamp)
{
    public long Id { get; } = id;

    public long ReadSeq { get; } = readSeq;

    public IsolationLevel Level { get; } = level;

    /// <summary>When it began, as <see cref="TimeProvider.GetTimestamp"/>.</summary>
    public long StartedTimestamp { get; } = startedTimestamp;

    private volatile string? _expiredReason;
    private volatile bool _ended;

    /// <summary>Why it was expired (its snapshot released); null while usable. Set under the manager's lock.</summary>
    public string? ExpiredReason
    {
        get => _expiredReason;
        set => _expiredReason = value;
    }

    /// <summary>True once committed, rolled back or expired: it no longer holds a snapshot. Set under the manager's lock.</summary>
    public bool Ended
    {
        get => _ended;
        set => _ended = value;
    }
}
