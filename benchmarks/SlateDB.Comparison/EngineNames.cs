namespace SlateDB.Comparison;

/// <summary>The engines the runner knows, with their display names.</summary>
internal static class EngineNames
{
    public const string Ours = "ours";

    /// <summary>
    /// SlateDB for .NET with the ReadyToRun code of SlateDB.dll ignored (the runtime JIT-compiles every method of it, as
    /// when the package shipped IL only); only when asked for with --engines, to measure what the R2R image is worth.
    /// </summary>
    public const string OursJit = "ours-jit";

    /// <summary>
    /// SlateDB for .NET in a child with the runtime's dynamic PGO off (<c>DOTNET_TieredPGO=0</c>, what an application
    /// sets with <c>&lt;TieredPGO&gt;false&lt;/TieredPGO&gt;</c>): hot ReadyToRun code goes straight to tier 1 instead of
    /// through an instrumented tier first. An application's choice, not the library's; only when asked for with
    /// --engines, to measure what that choice is worth to cold and warm reads (docs/packaging.md).
    /// </summary>
    public const string OursNoPgo = "ours-nopgo";

    /// <summary>
    /// SlateDB for .NET opened with one <c>SlateDbOptions.MemoryBudgetBytes</c> (<c>--budget-bytes</c>, default
    /// 128 MiB) for its memtables, block cache and compaction buffers: the memory target (peak RSS during fills
    /// within 1.5x RocksDB's) is stated under such a budget, while <see cref="Ours"/> runs SlateDB's stock settings.
    /// It runs the fills only (<see cref="Workloads.Budget"/>) and is no peer in the ratio tables: it is ours too.
    /// </summary>
    public const string OursBudget = "ours-budget";
    public const string RocksDb = "rocksdb";
    public const string ZoneTree = "zonetree";
    public const string SlateDbNode = "slatedb-0.12.1";

    /// <summary>The engines a run has by default.</summary>
    public static readonly IReadOnlyList<string> All = [Ours, OursBudget, RocksDb, ZoneTree, SlateDbNode];

    /// <summary>Every engine --engines accepts.</summary>
    public static readonly IReadOnlyList<string> Known = [.. All, OursJit, OursNoPgo];

    /// <summary>True for the engines that run SlateDB for .NET.</summary>
    public static bool IsOurs(string engine) => engine is Ours or OursJit or OursNoPgo or OursBudget;

    /// <summary>
    /// True for the engines the ratio tables divide ours by: every engine but ours at stock settings and
    /// <see cref="OursBudget"/> (the same engine under a budget, compared in its own section). <see cref="OursJit"/> and
    /// <see cref="OursNoPgo"/>, when asked for, stay peers: ours ÷ them is what the ReadyToRun image, and what the
    /// application's dynamic PGO, are worth.
    /// </summary>
    public static bool IsPeer(string engine) => engine is not (Ours or OursBudget);

    /// <summary>The environment a child of <paramref name="engine"/> runs with, beyond the parent's.</summary>
    public static IReadOnlyDictionary<string, string> Environment(string engine) => engine switch
    {
        OursJit => new Dictionary<string, string> { [SlateDbImage.ExcludeVariable] = "SlateDB" },
        OursNoPgo => new Dictionary<string, string> { ["DOTNET_TieredPGO"] = "0" },
        _ => new Dictionary<string, string>(),
    };

    public static string Display(string engine) => engine switch
    {
        Ours => "SlateDB for .NET",
        OursJit => "SlateDB for .NET, JIT only",
        OursNoPgo => "SlateDB for .NET, app with TieredPGO off",
        OursBudget => "SlateDB for .NET under one memory budget",
        RocksDb => "RocksDB (NuGet RocksDB 11.12.0.7641)",
        ZoneTree => "ZoneTree 2.1.8",
        SlateDbNode => "SlateDB 0.12.1 (Node binding)",
        _ => engine,
    };

    public static string Short(string engine) => engine switch
    {
        Ours => "ours",
        OursJit => "ours (JIT)",
        OursNoPgo => "ours (no PGO)",
        OursBudget => "ours (budget)",
        RocksDb => "RocksDB",
        ZoneTree => "ZoneTree",
        SlateDbNode => "SlateDB 0.12.1 (Node)",
        _ => engine,
    };

    /// <summary>The settings each engine runs with, and why any default was changed.</summary>
    public static string Settings(string engine) => engine switch
    {
        Ours => "Defaults (WAL on, flush interval 100 ms, 64 MiB memtable, no compression, 512 MiB block cache) over "
            + "`LocalFileSystemObjectStore` (every object written to a temporary file, fsynced, renamed), compactor "
            + "included (these fills make at most 3 L0 SSTs, fewer than the 4 that start a compaction). Writes use "
            + "`AwaitDurable = false`; a fill ends with `FlushAsync()` (one WAL flush). It runs the ReadyToRun image of "
            + "SlateDB.dll that the package ships for this platform (runtimes/<rid>/lib/net10.0, docs/packaging.md), as "
            + "an app that references the package does; the comparison's build copies it over the IL assembly.",
        OursJit => "As SlateDB for .NET, same files, with `DOTNET_ReadyToRunExcludeList=SlateDB` in the child's environment: "
            + "the runtime ignores the image's native code and JIT-compiles every method of SlateDB.dll (tier 0, then "
            + "tier 1), as it did before the package shipped ReadyToRun images. The framework's own R2R code is used as usual.",
        OursNoPgo => "As SlateDB for .NET, same files, with `DOTNET_TieredPGO=0` in the child's environment (what an "
            + "application sets with `<TieredPGO>false</TieredPGO>`): hot ReadyToRun code is recompiled once, straight to "
            + "tier 1, instead of first to an instrumented tier that gathers a profile. Every engine in this comparison "
            + "runs with the runtime's defaults; this row shows what an application's choice is worth (docs/packaging.md).",
        OursBudget => "As SlateDB for .NET, opened with `SlateDbOptions.MemoryBudgetBytes` (`--budget-bytes`, 128 MiB by "
            + "default; the section on fill memory names the budget this run had), which shares one budget out "
            + "(src/SlateDB/Options/SlateDbOptions.MemoryBudget.cs, docs/memory-budget.md): three eighths bound the unflushed "
            + "writes (`MaxUnflushedBytes`; writers also wait while the memtables' memory is at that share and a flush is "
            + "pending), a memtable is flushed at a sixteenth (`L0SstSizeBytes`), the block cache gets the other five eighths "
            + "(half for data blocks, an eighth for indexes and filters), the compactor's output SSTs are cut at an eighth and "
            + "its reads go in pieces of a 512th into one shared buffer pool, and each L0 flush asks for a background full "
            + "collection. The budget counts the bytes the engine accounts; resident memory adds the runtime's overhead. "
            + "It runs the fills only (fillrandom, fillbatch), for their peak memory.",
        RocksDb => "Defaults (WAL on, 64 MiB write buffer, leveled compaction in the background) with "
            + "`WriteOptions.sync = false` (no fsync per write), and what our tables have by default so that both do "
            + "the same work: a 10-bit bloom filter per key, a 512 MiB LRU block cache and no compression (RocksDB's "
            + "defaults are no filter, a 32 MiB cache and Snappy). A fill ends with `FlushWAL(sync: true)`; reads and "
            + "scans first flush the memtable (`Flush`, waiting). Its full compaction (compaction, readrandom-compacted) is "
            + "`CompactRange` over all keys with `BottommostLevelCompaction.kForceOptimized`: with the default, a database "
            + "that is one L0 file is moved to the bottom level without being rewritten.",
        ZoneTree => "Defaults (WAL mode `AsyncCompressed`: log entries are queued and appended by a background thread, "
            + "no fsync per write; 1M-row mutable segment; Zstd disk segments), with the byte-array comparer "
            + "(`BytesLexicographicComparerAscending`), `BytesSerializer` for keys and values, and the default "
            + "maintainer (`CreateMaintainer()`). ZoneTree has no non-transactional batch API, so fillbatch issues "
            + "1,000 upserts per batch. A fill ends with `SyncWALAsync()`; reads and scans first move the mutable "
            + "segment to a disk segment and merge.",
        SlateDbNode => "The real SlateDB 0.12.1 through its official Node binding `@slatedb/uniffi` "
            + "(tools/slatedb-node/bench.mjs), default settings, `file://` object store, one writer awaiting each "
            + "call, `await_durable: false`, batches via `WriteBatch`. A fill ends with a WAL flush; reads and scans "
            + "first flush the memtable. Every call crosses the FFI boundary (a Promise per call), which bounds its "
            + "rates far below the engine's own speed, so its fillrandom (one call per put) runs a smaller count.",
        _ => string.Empty,
    };
}
