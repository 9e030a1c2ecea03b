using SlateDB.Caching;

namespace SlateDB;

public sealed partial record SlateDbOptions
{
    /// <summary>The smallest <see cref="MemoryBudgetBytes"/> accepted: 16 MiB.</summary>
    public const long MinMemoryBudgetBytes = 16L * 1024 * 1024;

    /// <summary>
    /// One memory budget for the database's memtables and its block cache, in bytes; null (the default) keeps each
    /// setting as given. When set, it is split (see <see cref="MemoryBudgetSplit"/>): three eighths bound the unflushed
    /// writes (WAL buffer and memtables: <see cref="MaxUnflushedBytes"/> becomes at most that), a memtable is flushed at
    /// a sixteenth (<see cref="L0SstSizeBytes"/> at most that, so several memtables and their L0 uploads fit), and the
    /// block cache the database creates for itself gets the other five eighths (one for metadata: indexes and filters,
    /// four for data blocks). A block cache given to the builder (<c>WithBlockCache</c>) is the caller's and keeps its
    /// own size; the budget then bounds the memtables only. The embedded compactor's output SSTs, built whole in
    /// memory, are cut at an eighth (<see cref="CompactorOptions.MaxSstSize"/> at most that), and each L0 flush asks the
    /// runtime for a background full collection unless one ran since the previous flush (the large arrays a flush leaves
    /// behind are reclaimed only by full collections). Writers also wait while the memtables' memory (arena chunks
    /// and skip-list nodes, not only the row estimate) is at the unflushed share and a flush is pending, and the
    /// embedded compactor reads its inputs in pieces of <see cref="MemoryBudgetSplit.CompactionReadAheadBytes"/> into
    /// one shared pool of buffers. The budget counts the bytes the engine accounts (memtable memory, encoded rows,
    /// decoded block sizes); the process's resident memory adds the runtime's own overhead on top. At least
    /// <see cref="MinMemoryBudgetBytes"/>.
    /// </summary>
    public long? MemoryBudgetBytes { get; init; }

    /// <summary>How <see cref="MemoryBudgetBytes"/> is shared out; null when no budget is set.</summary>
    public MemoryBudgetSplit? MemoryBudget => MemoryBudgetBytes is { } budget ? MemoryBudgetSplit.Of(budget) : null;

    /// <summary>These settings with <see cref="MemoryBudgetBytes"/> applied to the memtable sizes (the engine runs with these).</summary>
    internal SlateDbOptions WithMemoryBudgetApplied() => MemoryBudget is { } split
        ? this with
        {
            L0SstSizeBytes = Math.Min(L0SstSizeBytes, split.L0SstBytes),
            MaxUnflushedBytes = Math.Min(MaxUnflushedBytes, split.UnflushedBytes),
            CompactorOptions = CompactorOptions is { } compactor
                ? compactor with { MaxSstSize = Math.Min(compactor.MaxSstSize, split.CompactedSstBytes) }
                : null,
        }
        : this;

    /// <summary>The block cache a database creates for itself under these settings.</summary>
    internal MemoryBlockCache CreateOwnedBlockCache() => MemoryBudget is { } split
        ? new MemoryBlockCache(split.DataCacheBytes, split.MetadataCacheBytes)
        : new MemoryBlockCache();
}

/// <summary>The shares of a <see cref="SlateDbOptions.MemoryBudgetBytes"/>.</summary>
/// <param name="TotalBytes">The whole budget.</param>
/// <param name="UnflushedBytes">Unflushed writes (WAL buffer and memtables) at most: three eighths.</param>
/// <param name="L0SstBytes">The memtable size that triggers a flush at most: a sixteenth.</param>
/// <param name="DataCacheBytes">The data blocks of the database's own block cache: half.</param>
/// <param name="MetadataCacheBytes">Its indexes and filters: an eighth.</param>
public sealed record MemoryBudgetSplit(long TotalBytes, long UnflushedBytes, long L0SstBytes, long DataCacheBytes, long MetadataCacheBytes)
{
    /// <summary>
    /// The largest SST the embedded compactor writes at most (<see cref="CompactorOptions.MaxSstSize"/>): an eighth.
    /// A compaction builds each output SST whole in memory before uploading it, so the default 256 MiB would make one
    /// compaction's buffers larger than a small budget.
    /// </summary>
    public long CompactedSstBytes => TotalBytes / 8;

    /// <summary>
    /// The embedded compactor's read size at most: a 512th of the budget, at least 64 KiB (256 KiB at 128 MiB; SlateDB
    /// reads 2 MiB, <see cref="CompactionWorkerOptions.BytesToFetch"/>, a smaller setting is kept). A compaction range
    /// keeps up to 8 reads in flight and about as many read buffers again behind rows queued for its writer, and up to
    /// 4 compactions run at once, so its read buffers stay within about an eighth of the budget (with 2 MiB reads they
    /// could take more than the whole of a 128 MiB budget).
    /// </summary>
    public long CompactionReadAheadBytes => Math.Max(TotalBytes / 512, 64L * 1024);

    /// <summary>Splits <paramref name="budget"/> bytes.</summary>
    public static MemoryBudgetSplit Of(long budget)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(budget, SlateDbOptions.MinMemoryBudgetBytes);
        var eighth = budget / 8;
        return new MemoryBudgetSplit(budget, 3 * eighth, budget / 16, budget - (3 * eighth) - eighth, eighth);
    }
}
