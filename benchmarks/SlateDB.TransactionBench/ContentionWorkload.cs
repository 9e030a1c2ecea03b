namespace SlateDB.TransactionBench;

/// <summary>
/// The transaction contention workload (after SlateDB's bencher transaction mode, with reads): each transaction
/// reads <see cref="Reads"/> random hot keys and updates <see cref="Writes"/> random hot keys, then commits; clients
/// run transactions back to back for <see cref="Duration"/>.
/// </summary>
internal sealed record ContentionWorkload(int Clients, int Keys, int Reads, int Writes, int ValueSize, TimeSpan Duration, bool Serializable, int Seed)
{
    /// <summary>Ours only: reads then one plain write batch instead of a transaction (to measure what transactions add).</summary>
    public bool PlainBatches { get; init; }

    public static byte[] KeyOf(int index) => System.Text.Encoding.ASCII.GetBytes($"hot{index:D8}");
}

/// <summary>What one engine did in one run.</summary>
internal sealed record ContentionResult(string Engine, long Commits, long Conflicts, double Seconds, double CommitP50Ms, double CommitP99Ms, double CpuSeconds)
{
    /// <summary>Process CPU time (all threads, background work included) per commit: steadier than throughput on a loaded machine.</summary>
    public double CpuMicrosPerCommit => Commits == 0 ? 0 : CpuSeconds * 1e6 / Commits;

    public double CommitsPerSecond => Commits / Seconds;

    public double ConflictRate => Commits + Conflicts == 0 ? 0 : (double)Conflicts / (Commits + Conflicts);
}

/// <summary>An engine under the contention workload.</summary>
internal interface ITransactionEngine : IAsyncDisposable
{
    string Name { get; }

    /// <summary>Writes every hot key once.</summary>
    ValueTask PreloadAsync(ContentionWorkload workload, byte[] value);

    /// <summary>One transaction: reads, updates, commit. Whether it committed (false on a conflict) and how long the commit took (Stopwatch ticks).</summary>
    ValueTask<(bool Committed, long CommitTicks)> RunOneAsync(ContentionWorkload workload, Random random, byte[] value);
}
