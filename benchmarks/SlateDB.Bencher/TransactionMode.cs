using System.Diagnostics;

namespace SlateDB.Bencher;

/// <summary>
/// The bencher's transaction mode (SlateDB's bencher <c>transaction</c>, with reads): each operation is one
/// transaction that reads <see cref="BencherOptions.TxnReads"/> keys, puts <see cref="BencherOptions.TxnWrites"/>
/// keys, then rolls back (<see cref="BencherOptions.AbortPercent"/> of the time) or commits.
/// </summary>
internal sealed class TransactionMode(BencherOptions options, KeyGenerator keys, byte[] value)
{
    private long _commits;
    private long _conflicts;
    private long _aborts;

    public LatencyRecorder CommitLatency { get; } = new(options.Concurrency);

    public long Commits => Interlocked.Read(ref _commits);

    public long Conflicts => Interlocked.Read(ref _conflicts);

    public long Aborts => Interlocked.Read(ref _aborts);

    public async Task RunOneAsync(SlateDb db, int worker, Random random, WriteOptions writeOptions)
    {
        var level = options.Serializable ? IsolationLevel.SerializableSnapshot : IsolationLevel.Snapshot;
        await using var txn = await db.BeginTransactionAsync(level);
        for (var i = 0; i < options.TxnReads; i++)
        {
            await txn.GetAsync(keys.KeyOf(keys.NextIndex(random)));
        }

        for (var i = 0; i < options.TxnWrites; i++)
        {
            await txn.PutAsync(keys.KeyOf(keys.NextIndex(random)), value);
        }

        if (random.Next(100) < options.AbortPercent)
        {
            txn.Rollback();
            Interlocked.Increment(ref _aborts);
            return;
        }

        var start = Stopwatch.GetTimestamp();
        try
        {
            await txn.CommitAsync(writeOptions);
            Interlocked.Increment(ref _commits);
        }
        catch (SlateDbException e) when (e.Kind == SlateDbErrorKind.Transaction)
        {
            Interlocked.Increment(ref _conflicts);
        }

        CommitLatency.Record(worker, (long)Stopwatch.GetElapsedTime(start).TotalMicroseconds);
    }

    public string Report(double elapsedSeconds)
    {
        var (p50, p99, p999, max) = CommitLatency.Percentiles();
        var attempts = Commits + Conflicts;
        return string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"transactions: {Commits / elapsedSeconds:N0} commits/s, {Conflicts / elapsedSeconds:N0} conflicts/s ({(attempts == 0 ? 0 : (double)Conflicts / attempts):P1} of commits), {Aborts / elapsedSeconds:N0} rollbacks/s\n"
            + $"commit latency ms{(options.AwaitDurable ? " (durable)" : string.Empty)}: p50 {p50:F3}  p99 {p99:F3}  p99.9 {p999:F3}  max {max:F3}");
    }
}
