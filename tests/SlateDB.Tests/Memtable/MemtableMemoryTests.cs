using SlateDB.Format;
using SlateDB.Memtable;
using SlateDB.Storage;
using SlateDB.Tests.Engine;

namespace SlateDB.Tests.Memtable;

/// <summary>
/// What a memory budget counts for a memtable (<see cref="KvTable.MemoryBytes"/>: arena chunks plus skip-list nodes) and
/// that writers under a budget wait on it, not only on SlateDB's row estimate.
/// </summary>
public sealed class MemtableMemoryTests
{
    private const long MiB = 1024 * 1024;

    [Theory]
    [InlineData(16, 100)]
    [InlineData(8, 8)]
    [InlineData(40, 400)]
    public void The_count_matches_what_the_table_allocates(int keyLength, int valueLength)
    {
        const int Rows = 40_000;
        var rows = Enumerable.Range(0, Rows).Select(i => Row(i, keyLength, valueLength)).ToArray();
        var before = GC.GetAllocatedBytesForCurrentThread();
        var table = new KvTable();
        foreach (var row in rows)
        {
            table.Put(row);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        var counted = table.MemoryBytes;

        counted.Should().BeInRange((long)(allocated * 0.85), (long)(allocated * 1.15), "the row and node arenas' chunks are what the table allocates");
        counted.Should().BeGreaterThan(table.EstimatedSize + (Rows * 40L), "the row estimate leaves the nodes and row headers out");
        GC.KeepAlive(table);
    }

    [Fact]
    public void The_state_sums_the_active_and_frozen_tables()
    {
        var active = new KvTable();
        var frozen = new KvTable();
        for (var i = 0; i < 1000; i++)
        {
            active.Put(Row(i, 16, 100));
            frozen.Put(Row(i + 1000, 16, 100));
        }

        frozen.Freeze();
        var state = new SlateDB.Db.DbState(active, [new SlateDB.Db.FrozenMemtable(frozen, 1)], new SlateDB.Manifest.ManifestCore());

        state.MemtableMemoryBytes.Should().Be(active.MemoryBytes + frozen.MemoryBytes);
        state.MemtableMemoryBytes.Should().BeGreaterThan(state.UnflushedBytes);
    }

    [Fact]
    public async Task Under_a_budget_writers_wait_once_the_memtables_memory_reaches_the_unflushed_share()
    {
        // 16 MiB budget: memtables frozen at 1 MiB of row estimate, writers wait at 6 MiB. With 8-byte keys and values
        // (a row estimate of 24 bytes, about 3x that in memory) the memory reaches 6 MiB long before the estimate.
        var gated = new GatedObjectStore(new InMemoryObjectStore(), "db/compacted/");
        var options = SlateDbOptions.Default with { MemoryBudgetBytes = 16 * MiB, CompactorOptions = null };
        await using var db = await SlateDb.Builder("db", gated).WithOptions(options).WithSeed(5).OpenAsync();
        var limit = options.MemoryBudget!.UnflushedBytes;
        gated.Close();

        var noWait = new WriteOptions { AwaitDurable = false };
        ValueTask<WriteHandle> waiting = default;
        var key = 0L;
        for (var b = 0; b < 1000 && waiting == default; b++)
        {
            var batch = new WriteBatch();
            for (var i = 0; i < 1000; i++, key++)
            {
                batch.Put(BitConverter.GetBytes(key), BitConverter.GetBytes(~key));
            }

            var write = db.WriteAsync(batch, noWait);
            if (!write.IsCompleted)
            {
                waiting = write;
            }
        }

        waiting.IsCompleted.Should().BeFalse("a write waits while L0 flushes are held back");
        EngineInternals.FrozenCount(db).Should().BeGreaterThan(0);
        EngineInternals.MemtableMemoryBytes(db).Should().BeGreaterThanOrEqualTo(limit);
        EngineInternals.MemtableMemoryBytes(db).Should().BeLessThan(limit + (2 * MiB), "writers stopped at the limit (one batch past it)");
        EngineInternals.UnflushedBytes(db).Should().BeLessThan(limit / 2, "the row estimate alone would have let them go on");

        gated.Open();
        await waiting.AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        (await db.GetAsync(BitConverter.GetBytes(key - 1))).Should().Equal(BitConverter.GetBytes(~(key - 1)));
        (await db.GetAsync(BitConverter.GetBytes(0L))).Should().Equal(BitConverter.GetBytes(~0L));
    }

    [Fact]
    public async Task Without_a_budget_only_the_row_estimate_counts()
    {
        var gated = new GatedObjectStore(new InMemoryObjectStore(), "db/compacted/");
        var options = SlateDbOptions.Default with { L0SstSizeBytes = 1 * MiB, MaxUnflushedBytes = 6 * MiB, CompactorOptions = null };
        await using var db = await SlateDb.Builder("db", gated).WithOptions(options).WithSeed(5).OpenAsync();
        gated.Close();

        var noWait = new WriteOptions { AwaitDurable = false };
        var key = 0L;
        for (var b = 0; b < 100; b++)
        {
            var batch = new WriteBatch();
            for (var i = 0; i < 1000; i++, key++)
            {
                batch.Put(BitConverter.GetBytes(key), BitConverter.GetBytes(~key));
            }

            var write = db.WriteAsync(batch, noWait);
            write.IsCompleted.Should().BeTrue($"batch {b}: the row estimate ({EngineInternals.UnflushedBytes(db)} bytes) is below the limit");
            await write;
        }

        EngineInternals.MemtableMemoryBytes(db).Should().BeGreaterThan(6 * MiB, "stock settings let the memory pass MaxUnflushedBytes, as SlateDB does");
        gated.Open();
    }

    private static RowEntry Row(long i, int keyLength, int valueLength)
    {
        var key = new byte[keyLength];
        BitConverter.TryWriteBytes(key, i * 2654435761L);
        var value = new byte[valueLength];
        value.AsSpan().Fill((byte)i);
        return RowEntry.Put(key, value, (ulong)i + 1);
    }
}
