using SlateDB.Compaction;
using SlateDB.Storage;

namespace SlateDB.Tests.Compaction;

/// <summary>
/// Under a memory budget the embedded compactor reads its inputs in pieces of at most
/// <see cref="MemoryBudgetSplit.CompactionReadAheadBytes"/> (its read buffers bounded by the budget); without one, as
/// SlateDB, 2 MiB (<see cref="CompactionWorkerOptions.BytesToFetch"/>).
/// </summary>
public sealed class BudgetedCompactionReadTests
{
    private const long MiB = 1024 * 1024;

    [Theory]
    [InlineData(16 * MiB, 64 * 1024)]
    [InlineData(128 * MiB, 256 * 1024)]
    [InlineData(1024 * MiB, 2 * MiB)]
    [InlineData(64L * 1024 * MiB, 2 * MiB)]
    public void The_read_size_is_a_512th_of_the_budget_at_least_64_KiB_and_at_most_the_setting(long budget, long expected)
    {
        var split = MemoryBudgetSplit.Of(budget);

        split.CompactionReadAheadBytes.Should().Be(Math.Max(64 * 1024, budget / 512));
        CompactorContext.ExecutorSettingsFor(new CompactorOptions(), build: null, split).ReadAheadBytes.Should().Be(expected);
        CompactorContext.ExecutorSettingsFor(new CompactorOptions(), build: null).ReadAheadBytes
            .Should().Be(new CompactionWorkerOptions().BytesToFetch, "no budget: SlateDB's read size (2 MiB)");
        CompactorContext.ExecutorSettingsFor(new CompactorOptions { Worker = new CompactionWorkerOptions { BytesToFetch = 32 * 1024 } }, build: null, split).ReadAheadBytes
            .Should().Be(32 * 1024, "a smaller read size is kept");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_budgeted_databases_compactor_reads_its_inputs_in_small_pieces(bool budgeted)
    {
        var store = new RangeRecordingStore(new InMemoryObjectStore());
        var options = budgeted
            ? SlateDbOptions.Default with { MemoryBudgetBytes = 16 * MiB }
            : SlateDbOptions.Default with { L0SstSizeBytes = 1 * MiB, MaxUnflushedBytes = 6 * MiB };
        // No block cache: the flushes would warm it and the compactor would read the blocks from there.
        await using var db = await SlateDb.Builder("db", store).WithOptions(options).WithBlockCacheDisabled().WithSeed(3).OpenAsync();
        var noWait = new WriteOptions { AwaitDurable = false };
        var value = new byte[100];
        for (var i = 0; i < 40_000; i++)
        {
            await db.PutAsync(BitConverter.GetBytes(i * 2654435761L), value, writeOptions: noWait);
        }

        await db.FlushAsync(new FlushOptions { FlushType = FlushType.MemTable });
        store.Recording = true;
        (await db.CompactFullAsync()).Should().NotBeNull();
        store.Recording = false;

        store.LargestSstRead.Should().BeGreaterThan(0);
        if (budgeted)
        {
            store.LargestSstRead.Should().BeLessThanOrEqualTo(64 * 1024 + (8 * 1024), "reads of at most 64 KiB (16 MiB / 512), to a block boundary");
        }
        else
        {
            store.LargestSstRead.Should().BeGreaterThan(256 * 1024, "2 MiB reads take the ~1 MiB L0 SSTs whole");
        }

        (await db.GetAsync(BitConverter.GetBytes(7 * 2654435761L))).Should().Equal(value);
    }

    /// <summary>Passes calls on (no streaming puts, no reads into a caller's buffer) and records the largest SST range read.</summary>
    private sealed class RangeRecordingStore(IObjectStore inner) : IObjectStore
    {
        private long _largest;

        public volatile bool Recording;

        public long LargestSstRead => Interlocked.Read(ref _largest);

        public ValueTask<ObjectContent?> GetAsync(string path, CancellationToken cancellationToken) => inner.GetAsync(path, cancellationToken);

        public ValueTask<ObjectContent?> GetRangeAsync(string path, ByteRange range, CancellationToken cancellationToken)
        {
            if (Recording && path.Contains("/compacted/", StringComparison.Ordinal))
            {
                var length = range.Length;
                long seen;
                while (length > (seen = Interlocked.Read(ref _largest)) && Interlocked.CompareExchange(ref _largest, length, seen) != seen)
                {
                }
            }

            return inner.GetRangeAsync(path, range, cancellationToken);
        }

        public ValueTask<ObjectMetadata?> HeadAsync(string path, CancellationToken cancellationToken) => inner.HeadAsync(path, cancellationToken);

        public ValueTask<PutResult> PutAsync(string path, ReadOnlyMemory<byte> data, PutMode mode, CancellationToken cancellationToken) => inner.PutAsync(path, data, mode, cancellationToken);

        public ValueTask DeleteAsync(string path, CancellationToken cancellationToken) => inner.DeleteAsync(path, cancellationToken);

        public IAsyncEnumerable<ObjectMetadata> ListAsync(string prefix, CancellationToken cancellationToken) => inner.ListAsync(prefix, cancellationToken);
    }
}
