namespace SlateDB.Comparison.Ingest;

/// <summary>
/// What the opt-in <c>ingest</c> workload measured for one engine: N single puts by one writer (no durable wait),
/// then one cold pass of gets on what they left.
/// </summary>
internal sealed record IngestResult
{
    /// <summary>Puts per second from the first put to the last put acknowledged plus the final WAL flush.</summary>
    public double PutsPerSecond { get; init; }

    /// <summary>Seconds of the write phase (the same span).</summary>
    public double WriteSeconds { get; init; }

    /// <summary>Puts per second in each tenth of the puts, in order (shows whether the rate collapses late).</summary>
    public required IReadOnlyList<double> SlicePutsPerSecond { get; init; }

    /// <summary>Process CPU time (all threads) of the write phase per put, in microseconds (background flushes and compactions included).</summary>
    public double CpuMicrosPerPut { get; init; }

    /// <summary>Keys plus values put.</summary>
    public long UserBytes { get; init; }

    /// <summary>Bytes the process passed to write system calls during the write phase (<c>wchar</c> of /proc/self/io): WAL, flushes, compactions, manifests, logs.</summary>
    public long FileBytesWritten { get; init; }

    /// <summary>Ours only: bytes put to the object store during the write phase (WAL, L0, compaction outputs, manifests).</summary>
    public long? StoreBytesWritten { get; init; }

    /// <summary>Engine-specific byte counters of the write phase (ours: WAL, L0 flush and compaction output bytes).</summary>
    public IReadOnlyDictionary<string, double>? Counters { get; init; }

    /// <summary>Seconds writers were held by the engine's backpressure / write stalls.</summary>
    public double? StallSeconds { get; init; }

    /// <summary>The engine's L0 limit the over-limit fraction is measured against (ours: <c>L0MaxSsts</c>).</summary>
    public int? L0Limit { get; init; }

    /// <summary>Fraction of the L0 samples of the write phase with more L0 SSTs than <see cref="L0Limit"/>.</summary>
    public double? L0OverLimitFraction { get; init; }

    /// <summary>Fraction of the L0 samples of the write phase with L0 at or above <see cref="L0Limit"/> (flushes wait there).</summary>
    public double? L0AtLimitFraction { get; init; }

    public int? MaxL0 { get; init; }

    public int Samples { get; init; }

    /// <summary>Every tenth sample's managed heap in MiB (one a second; results JSON only).</summary>
    public IReadOnlyList<int>? ManagedMiBEverySecond { get; init; }

    /// <summary>Ours: the most bytes held in memory not yet in L0 (WAL buffer and memtables) at a sample.</summary>
    public long? MaxUnflushedBytes { get; init; }

    /// <summary>The largest managed heap at a sample (<c>GC.GetTotalMemory</c>; .NET engines' own heap, not native memory).</summary>
    public long? MaxManagedBytes { get; init; }

    /// <summary>Every tenth sample's L0 count (one a second), for plotting and diagnosis (results JSON only).</summary>
    public IReadOnlyList<int>? L0EverySecond { get; init; }

    /// <summary>Every tenth sample's sorted-run count (one a second; results JSON only).</summary>
    public IReadOnlyList<int>? SortedRunsEverySecond { get; init; }

    /// <summary>L0 SSTs (files) when the write phase ended.</summary>
    public int? FinalL0 { get; init; }

    /// <summary>Sorted runs when the write phase ended (ours: compacted runs; RocksDB: non-empty levels below L0).</summary>
    public int? FinalSortedRuns { get; init; }

    public double ReadOpsPerSecond { get; init; }

    public double ReadCpuMicrosPerOp { get; init; }

    public long Reads { get; init; }

    public long ReadsFound { get; init; }

    /// <summary>L0 and sorted runs when the read pass started.</summary>
    public int? ReadL0 { get; init; }

    public int? ReadSortedRuns { get; init; }
}
