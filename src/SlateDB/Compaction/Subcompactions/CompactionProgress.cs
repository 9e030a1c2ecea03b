using SlateDB.Manifest;

namespace SlateDB.Compaction;

/// <summary>
/// Where an executing compaction keeps its resume state (the <c>.compactions</c> record's context: its key ranges, the
/// SSTs each has written so far, and the retention sequence it started with).
/// </summary>
internal interface ICompactionProgress
{
    /// <summary>The state an earlier attempt of the same compaction recorded; null when it starts afresh.</summary>
    CompactionContext? Resumed { get; }

    /// <summary>Records the state; called with the ranges before any output is written, then after each output SST.</summary>
    Task RecordAsync(CompactionContext context, CancellationToken cancellationToken);
}

/// <summary>
/// The outputs of each range of one compaction as its subcompactions write them, recorded in order: a recorded SST is
/// always preceded by every SST of its range written before it. Thread-safe.
/// </summary>
internal sealed class SubcompactionTracker(CompactionContext initial, ICompactionProgress? progress) : IDisposable
{
    private readonly SemaphoreSlim _recording = new(1, 1);
    private readonly Lock _lock = new();
    private readonly List<SsTableHandle>[] _outputs = initial.Subcompactions.Select(sub => sub.OutputSsts.ToList()).ToArray();

    public IReadOnlyList<BytesRange> Ranges { get; } = initial.Subcompactions.Select(sub => sub.Range).ToArray();

    public ulong RetentionMinSeq => initial.RetentionMinSeq;

    /// <summary>The SSTs range <paramref name="index"/> has written, in key order.</summary>
    public IReadOnlyList<SsTableHandle> OutputsOf(int index)
    {
        lock (_lock)
        {
            return _outputs[index].ToArray();
        }
    }

    /// <summary>Forgets what range <paramref name="index"/> wrote (it restarts from its first key).</summary>
    public void Reset(int index)
    {
        lock (_lock)
        {
            _outputs[index].Clear();
        }
    }

    /// <summary>Adds an SST range <paramref name="index"/> finished uploading and records the new state.</summary>
    public async ValueTask AddAsync(int index, SsTableHandle sst, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            _outputs[index].Add(sst);
        }

        if (progress is null)
        {
            return;
        }

        await _recording.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await progress.RecordAsync(Snapshot(), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _recording.Release();
        }
    }

    public void Dispose() => _recording.Dispose();

    /// <summary>The current state as a record context.</summary>
    public CompactionContext Snapshot()
    {
        lock (_lock)
        {
            return new CompactionContext(Ranges.Select((range, i) => new Subcompaction(range, _outputs[i].ToArray())).ToArray(), RetentionMinSeq);
        }
    }
}
