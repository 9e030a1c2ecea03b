using System.Text.Json;
using System.Text.Json.Serialization;

namespace SlateDB.Comparison;

/// <summary>One timed workload of one engine in one child process (the child prints it as a JSON line).</summary>
internal sealed record RunResult
{
    public required string Engine { get; init; }

    public required string Workload { get; init; }

    public int Repetition { get; init; }

    public long Operations { get; init; }

    public double Seconds { get; init; }

    public double OpsPerSecond { get; init; }

    /// <summary>The child's peak resident set (VmHWM) at its end: the engine, its caches and the harness.</summary>
    public long PeakRssBytes { get; init; }

    /// <summary>Process CPU time (all threads, user + system) during the timed part, per operation, in microseconds.</summary>
    public double CpuMicrosPerOp { get; init; }

    /// <summary>Managed bytes allocated during the timed part per operation (.NET engines only; includes the harness's key and value arrays).</summary>
    public double? AllocatedBytesPerOp { get; init; }

    /// <summary>
    /// Time the .NET JIT spent compiling during the timed part, per operation, in microseconds (all threads; part of
    /// <see cref="CpuMicrosPerOp"/>; null for SlateDB through Node). A fresh process compiles the read path's methods
    /// several times over (tier 0, instrumented, tier 1) during its first passes.
    /// </summary>
    public double? JitMicrosPerOp { get; init; }

    /// <summary>
    /// The timed pass of gets only (.NET engines): the rate of each tenth of it, in order (null for other workloads and
    /// in results written before it was recorded). A first pass is not uniform: it shows where the runtime's
    /// recompilation or a background warming slowed it.
    /// </summary>
    public IReadOnlyList<double>? TenthOpsPerSecond { get; init; }

    /// <summary>SlateDB for .NET only: which code of SlateDB.dll ran (<see cref="SlateDbImage.Describe"/>).</summary>
    public string? SlateDbImage { get; init; }

    /// <summary>Rows found (gets) or seen (scans); for fills, rows written.</summary>
    public long Found { get; init; }

    /// <summary>
    /// The compaction workload only: megabytes (10^6 bytes) of logical input per second, rows × (key size + value
    /// size) ÷ the timed seconds (null for every other workload, and in results written before it was recorded).
    /// </summary>
    public double? InputMegabytesPerSecond { get; init; }

    /// <summary>
    /// The compaction workload only: bytes the process handed to write system calls during the timed part (<c>wchar</c>
    /// of /proc/self/io): about the database's size when the compaction really rewrote it, near 0 when it only moved files.
    /// </summary>
    public long? WrittenBytes { get; init; }

    /// <summary>The compaction workload only: what the engine says the compaction did (inputs, outputs, rows), when it says.</summary>
    public string? CompactionDetail { get; init; }

    /// <summary>The <c>MemoryBudgetBytes</c> SlateDB for .NET ran with (null: stock settings, or another engine).</summary>
    public long? MemoryBudgetBytes { get; init; }

    /// <summary>The ingest workload's figures (null for every other workload).</summary>
    public Ingest.IngestResult? Ingest { get; init; }
}

/// <summary>Shared JSON settings: camelCase, indented files.</summary>
internal static class Json
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static readonly JsonSerializerOptions Indented = new(Options) { WriteIndented = true };
}
