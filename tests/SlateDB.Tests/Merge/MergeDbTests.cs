using System.Buffers.Binary;
using Microsoft.Extensions.Time.Testing;
using SlateDB.Compaction;
using SlateDB.Storage;
using static SlateDB.Tests.Engine.EngineTestSupport;

namespace SlateDB.Tests.Merge;

public sealed class MergeDbTests
{
    private static readonly FlushOptions MemTable = new() { FlushType = FlushType.MemTable };

    private static readonly SlateDbOptions Options = TestOptions() with
    {
        FlushInterval = null,
        CompactorOptions = new CompactorOptions { PollInterval = TimeSpan.FromDays(1) },
    };

    private static byte[] L(long value)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, value);
        return bytes;
    }

    private static long? AsLong(byte[]? bytes) => bytes is null ? null : BinaryPrimitives.ReadInt64LittleEndian(bytes);

    private static Task<SlateDb> OpenAsync(IObjectStore store, IMergeOperator? op, TimeProvider? time = null, SlateDbOptions? options = null)
    {
        var builder = SlateDb.Builder("db", store).WithOptions(options ?? Options).WithTimeProvider(time ?? TimeProvider.System);
        return (op is null ? builder : builder.WithMergeOperator(op)).OpenAsync();
    }

    [Fact]
    public async Task Merges_fold_over_a_put_across_memtable_L0_and_a_sorted_run()
    {
        var store = new InMemoryObjectStore();
        await using var db = await OpenAsync(store, MergeOperators.Int64Add);
        await db.PutAsync(Bytes("n"), L(100));
        await db.MergeAsync(Bytes("n"), L(1));
        await db.FlushAsync(MemTable);
        (await db.CompactFullAsync()).Should().NotBeNull();
        await db.MergeAsync(Bytes("n"), L(10));
        await db.FlushAsync(MemTable);
        await db.MergeAsync("n", L(1000));
        await db.MergeAsync(Bytes("fresh"), L(7));

        AsLong(await db.GetAsync(Bytes("n"))).Should().Be(1111);
        AsLong(await db.GetAsync(Bytes("fresh"))).Should().Be(7, "operands over nothing fold from an absent value");
        var rows = await db.ScanAsync(KeyRange.All).ToListAsync();
        rows.Select(r => (r.GetKeyString(), AsLong(r.Value.ToArray()))).Should().Equal(("fresh", 7L), ("n", 1111L));
        (await db.GetManyAsync(new[] { "n", "fresh" }.Select(k => new ReadOnlyMemory<byte>(Bytes(k))))).Select(AsLong).Should().Equal(1111L, 7L);
        var kv = await db.GetKeyValueAsync(Bytes("n"));
        AsLong(kv!.Value.ToArray()).Should().Be(1111);

        await db.FlushAsync(MemTable);
        await db.CompactFullAsync();
        AsLong(await db.GetAsync(Bytes("n"))).Should().Be(1111, "the compacted value is the folded one");
    }

    [Fact]
    public async Task A_delete_ends_the_history_operands_fold_over()
    {
        await using var db = await OpenAsync(new InMemoryObjectStore(), MergeOperators.Append(","));
        await db.PutAsync("k", "a");
        await db.MergeAsync("k", "b");
        await db.DeleteAsync("k");
        await db.MergeAsync("k", "c");
        (await db.GetAsync("k")).Should().Be("c");
        await db.FlushAsync(MemTable);
        await db.CompactFullAsync();
        (await db.GetAsync("k")).Should().Be("c");
    }

    [Fact]
    public async Task Compaction_folds_operands_and_writes_fewer_rows()
    {
        // No embedded compactor: its scheduler would compact the four L0s on its own.
        var store = new InMemoryObjectStore();
        await using var db = await OpenAsync(store, MergeOperators.Int64Add, options: Options with { CompactorOptions = null });
        for (var round = 0; round < 4; round++)
        {
            for (var i = 0; i < 50; i++)
            {
                await db.MergeAsync(Bytes($"k{i:D3}"), L(1));
            }

            await db.FlushAsync(MemTable);
        }

        await using var compactor = await Compactor.Builder("db", store).WithMergeOperator(MergeOperators.Int64Add).WithPollingDisabled().StartAsync();
        var result = await compactor.CompactFullAsync();
        result!.RowsRead.Should().Be(200);
        result.RowsWritten.Should().Be(50, "each key's four operands fold into one row");
        for (var i = 0; i < 50; i++)
        {
            AsLong(await db.GetAsync(Bytes($"k{i:D3}"))).Should().Be(4);
        }
    }

    [Fact]
    public async Task A_snapshot_keeps_reading_the_value_it_saw_through_flush_and_compaction()
    {
        await using var db = await OpenAsync(new InMemoryObjectStore(), MergeOperators.Append(","));
        await db.PutAsync("k", "a");
        await db.MergeAsync("k", "b");
        await using var snapshot = db.Snapshot();
        await db.MergeAsync("k", "c");
        await db.FlushAsync(MemTable);
        await db.MergeAsync("k", "d");
        await db.FlushAsync(MemTable);
        await db.CompactFullAsync();

        (await snapshot.GetAsync("k")).Should().Be("a,b");
        (await snapshot.ScanAsync(KeyRange.All).ToListAsync()).Single().GetValueString().Should().Be("a,b");
        (await db.GetAsync("k")).Should().Be("a,b,c,d");
    }

    [Fact]
    public async Task A_batch_folds_its_merges_over_the_keys_put_or_delete_in_the_batch()
    {
        await using var db = await OpenAsync(new InMemoryObjectStore(), MergeOperators.Append(","));
        await db.PutAsync("p", "old");
        await db.PutAsync("d", "old");
        await db.PutAsync("m", "old");
        var batch = new WriteBatch()
            .Put("p", "x").Merge("p", "y").Merge("p", "z")
            .Delete("d").Merge("d", "y")
            .Merge("m", "1").Merge("m", "2")
            .Merge("r", "1").Put("r", "replaced");
        batch.Count.Should().Be(4);
        await db.WriteAsync(batch);

        (await db.GetAsync("p")).Should().Be("x,y,z");
        (await db.GetAsync("d")).Should().Be("y");
        (await db.GetAsync("m")).Should().Be("old,1,2");
        (await db.GetAsync("r")).Should().Be("replaced");
    }

    [Fact]
    public async Task A_batch_whose_operations_on_one_key_expire_differently_is_refused_and_writes_nothing()
    {
        await using var db = await OpenAsync(new InMemoryObjectStore(), MergeOperators.Append(","));
        var batch = new WriteBatch().Put("other", "v").Put("k", "a").Merge("k", "b", new MergeOptions { Ttl = TimeSpan.FromMinutes(1) });
        var act = () => db.WriteAsync(batch).AsTask();
        (await act.Should().ThrowAsync<SlateDbException>()).Which.Kind.Should().Be(SlateDbErrorKind.Invalid);
        (await db.GetAsync("other")).Should().BeNull();
    }

    [Fact]
    public async Task An_operand_expires_on_its_own_and_expired_operands_are_dropped_by_flush_and_compaction()
    {
        var time = new FakeTimeProvider(Epoch);
        await using var db = await OpenAsync(new InMemoryObjectStore(), MergeOperators.Append(","), time);
        await db.PutAsync("k", "a");
        await db.MergeAsync("k", "short", new MergeOptions { Ttl = TimeSpan.FromMilliseconds(100) });
        await db.MergeAsync("k", "long");
        (await db.GetAsync("k")).Should().Be("a,short,long");
        time.Advance(TimeSpan.FromMilliseconds(150));
        (await db.GetAsync("k")).Should().Be("a,long");
        await db.FlushAsync(MemTable);
        await db.CompactFullAsync();
        (await db.GetAsync("k")).Should().Be("a,long");
        (await db.ScanAsync(KeyRange.All).ToListAsync()).Single().GetValueString().Should().Be("a,long");
    }

    [Fact]
    public async Task Without_an_operator_a_merge_is_Invalid_and_reading_operands_is_Invalid_naming_the_operator()
    {
        var store = new InMemoryObjectStore();
        await using (var db = await OpenAsync(store, op: null))
        {
            var merge = () => db.MergeAsync("k", "v").AsTask();
            (await merge.Should().ThrowAsync<SlateDbException>()).Which.Kind.Should().Be(SlateDbErrorKind.Invalid);
            var batch = () => db.WriteAsync(new WriteBatch().Merge("k", "v")).AsTask();
            (await batch.Should().ThrowAsync<SlateDbException>()).Which.Message.Should().Contain("merge operator");
        }

        await using (var db = await OpenAsync(store, MergeOperators.Append(",")))
        {
            await db.MergeAsync("k", "v");
            await db.PutAsync("plain", "p");
        }

        await using (var db = await OpenAsync(store, op: null))
        {
            var get = () => db.GetAsync("k").AsTask();
            (await get.Should().ThrowAsync<SlateDbException>()).Which.Message.Should().Contain("no merge operator");
            var scan = async () => await db.ScanAsync(KeyRange.All).ToListAsync();
            (await scan.Should().ThrowAsync<SlateDbException>()).Which.Kind.Should().Be(SlateDbErrorKind.Invalid);
            (await db.GetAsync("plain")).Should().Be("p", "keys without operands read as before");
        }

        await using (var db = await OpenAsync(store, MergeOperators.Append(",")))
        {
            (await db.GetAsync("k")).Should().Be("v", "nothing was damaged");
        }
    }

    [Fact]
    public async Task A_failing_operator_fails_the_read_and_the_flush_which_succeeds_once_the_operator_recovers()
    {
        var time = new FakeTimeProvider(Epoch);
        var op = new SwitchableOperator();
        var store = new InMemoryObjectStore();
        await using (var db = await OpenAsync(store, op, time))
        {
            await db.PutAsync("k", "a");

            // Failing before the merge: a memtable fold made at write time would otherwise let the read skip the operator.
            op.Failing = true;
            await db.MergeAsync("k", "b");
            var get = () => db.GetAsync("k").AsTask();
            (await get.Should().ThrowAsync<SlateDbException>()).Which.Message.Should().Contain(nameof(SwitchableOperator));
            var flush = () => db.FlushAsync(MemTable).AsTask();
            (await flush.Should().ThrowAsync<SlateDbException>()).Which.Message.Should().Contain("merge operator");

            op.Failing = false;
            (await db.GetAsync("k")).Should().Be("a,b", "the frozen memtable is still read");
            for (var attempt = 0; ; attempt++)
            {
                time.Advance(TimeSpan.FromSeconds(2));
                try
                {
                    await db.FlushAsync(MemTable);
                    break;
                }
                catch (SlateDbException) when (attempt < 50)
                {
                    await Task.Delay(20);
                }
            }

            (await db.GetAsync("k")).Should().Be("a,b");
        }

        await using (var db = await OpenAsync(store, op, time))
        {
            (await db.GetAsync("k")).Should().Be("a,b");
        }
    }

    [Fact]
    public async Task A_compaction_whose_operator_fails_changes_nothing_and_a_later_one_succeeds()
    {
        var store = new InMemoryObjectStore();
        var options = Options with { CompactorOptions = null };
        await using var db = await OpenAsync(store, MergeOperators.Append(","), options: options);
        await db.PutAsync("k", "a");
        await db.FlushAsync(MemTable);
        await db.MergeAsync("k", "b");
        await db.FlushAsync(MemTable);

        var failing = new SwitchableOperator { Failing = true };
        await using (var compactor = await Compactor.Builder("db", store).WithMergeOperator(failing).WithPollingDisabled().StartAsync())
        {
            var act = () => compactor.CompactFullAsync();
            (await act.Should().ThrowAsync<SlateDbException>()).Which.ToString().Should().Contain(nameof(SwitchableOperator));
        }

        (await db.GetAsync("k")).Should().Be("a,b");
        failing.Failing = false;
        await using (var compactor = await Compactor.Builder("db", store).WithMergeOperator(failing).WithPollingDisabled().StartAsync())
        {
            var result = await compactor.CompactFullAsync();
            result!.RowsWritten.Should().Be(1);
        }

        await db.MergeAsync("k", "c");
        (await db.GetAsync("k")).Should().Be("a,b,c");
    }

    /// <summary>Appends with ","; throws while <see cref="Failing"/>.</summary>
    private sealed class SwitchableOperator : IMergeOperator
    {
        public volatile bool Failing;

        public byte[] Merge(ReadOnlySpan<byte> key, bool hasExisting, ReadOnlySpan<byte> existing, ReadOnlySpan<byte> operand)
        {
            if (Failing)
            {
                throw new InvalidOperationException("the operator is failing");
            }

            return hasExisting ? [.. existing, (byte)',', .. operand] : operand.ToArray();
        }

        public override string ToString() => nameof(SwitchableOperator);
    }
}
