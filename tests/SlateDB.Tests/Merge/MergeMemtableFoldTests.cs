using System.Buffers.Binary;
using Microsoft.Extensions.Time.Testing;
using SlateDB.Storage;
using SlateDB.Wal;
using static SlateDB.Tests.Engine.EngineTestSupport;

namespace SlateDB.Tests.Merge;

/// <summary>
/// Memtable folds seen from the database: snapshots and transactions between operands read their own sequence,
/// operands keep their own TTL, the WAL keeps every operand as written, and reopened (replayed) memtables read right.
/// </summary>
public sealed class MergeMemtableFoldTests
{
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

    private static Task<SlateDb> OpenAsync(IObjectStore store, IMergeOperator op, TimeProvider? time = null, SlateDbOptions? options = null) =>
        SlateDb.Builder("db", store).WithOptions(options ?? Options).WithTimeProvider(time ?? TimeProvider.System).WithMergeOperator(op).OpenAsync();

    [Fact]
    public async Task Snapshots_and_transactions_taken_between_operands_read_their_own_sequence()
    {
        await using var db = await OpenAsync(new InMemoryObjectStore(), MergeOperators.Int64Add);
        for (var i = 0; i < 50; i++)
        {
            await db.MergeAsync(Bytes("n"), L(1));
            await db.MergeAsync(Bytes("fresh"), L(1));
        }

        await using var first = db.Snapshot();
        await using var transaction = await db.BeginTransactionAsync();
        for (var i = 0; i < 50; i++)
        {
            await db.MergeAsync(Bytes("n"), L(1));
            await db.MergeAsync(Bytes("fresh"), L(1));
        }

        await using var second = db.Snapshot();
        await db.PutAsync(Bytes("n"), L(1000));
        for (var i = 0; i < 10; i++)
        {
            await db.MergeAsync(Bytes("n"), L(1));
        }

        // Twice each: the first read of a key with nothing older marks its fold resolved, the second uses it.
        for (var round = 0; round < 2; round++)
        {
            AsLong(await db.GetAsync(Bytes("n"))).Should().Be(1010);
            AsLong(await db.GetAsync(Bytes("fresh"))).Should().Be(100);
            AsLong(await first.GetAsync(Bytes("n"))).Should().Be(50);
            AsLong(await first.GetAsync(Bytes("fresh"))).Should().Be(50);
            AsLong(await transaction.GetAsync(Bytes("n"))).Should().Be(50);
            AsLong(await transaction.GetAsync(Bytes("fresh"))).Should().Be(50);
            AsLong(await second.GetAsync(Bytes("n"))).Should().Be(100);
            AsLong(await second.GetAsync(Bytes("fresh"))).Should().Be(100);
            var kv = await db.GetKeyValueAsync(Bytes("fresh"));
            kv!.Sequence.Should().Be(second.Sequence, "the value carries its newest operand's sequence");
        }

        await transaction.MergeAsync(Bytes("fresh"), L(5));
        AsLong(await transaction.GetAsync(Bytes("fresh"))).Should().Be(55, "a transaction sees its own operand over its snapshot");
        await db.FlushAsync(new FlushOptions { FlushType = FlushType.MemTable });
        AsLong(await first.GetAsync(Bytes("fresh"))).Should().Be(50);
        AsLong(await second.GetAsync(Bytes("n"))).Should().Be(100);
        AsLong(await db.GetAsync(Bytes("n"))).Should().Be(1010);
        AsLong(await db.GetAsync(Bytes("fresh"))).Should().Be(100);
    }

    [Fact]
    public async Task Operands_keep_their_own_ttl_inside_runs_of_folded_operands()
    {
        var time = new FakeTimeProvider(Epoch);
        await using var db = await OpenAsync(new InMemoryObjectStore(), MergeOperators.Append(","), time);
        var shortTtl = new MergeOptions { Ttl = TimeSpan.FromMilliseconds(100) };
        var longTtl = new MergeOptions { Ttl = TimeSpan.FromMilliseconds(300) };
        foreach (var (operand, options) in new (string, MergeOptions?)[]
        {
            ("base-operand-1", null), ("base-operand-2", null),
            ("short-lived-1", shortTtl), ("short-lived-2", shortTtl), ("short-lived-3", shortTtl),
            ("long-lived-1", longTtl), ("long-lived-2", longTtl),
            ("forever-1", null), ("forever-2", null),
        })
        {
            await db.MergeAsync("k", operand, options);
            await db.MergeAsync("all-short", operand, shortTtl);
        }

        await using var snapshot = db.Snapshot();
        var everything = "base-operand-1,base-operand-2,short-lived-1,short-lived-2,short-lived-3,long-lived-1,long-lived-2,forever-1,forever-2";
        for (var round = 0; round < 2; round++)
        {
            (await db.GetAsync("k")).Should().Be(everything);
            (await db.GetAsync("all-short")).Should().Be(everything);
        }

        time.Advance(TimeSpan.FromMilliseconds(150));
        for (var round = 0; round < 2; round++)
        {
            (await db.GetAsync("k")).Should().Be("base-operand-1,base-operand-2,long-lived-1,long-lived-2,forever-1,forever-2");
            (await snapshot.GetAsync("k")).Should().Be("base-operand-1,base-operand-2,long-lived-1,long-lived-2,forever-1,forever-2");
            (await db.GetAsync("all-short")).Should().BeNull("every operand of the key expired, fold or not");
        }

        time.Advance(TimeSpan.FromMilliseconds(200));
        (await db.GetAsync("k")).Should().Be("base-operand-1,base-operand-2,forever-1,forever-2");
        await db.MergeAsync("all-short", "new");
        (await db.GetAsync("all-short")).Should().Be("new");
    }

    [Fact]
    public async Task The_wal_keeps_every_operand_and_replayed_memtables_read_the_same_values()
    {
        var store = new InMemoryObjectStore();
        var options = Options with { L0SstSizeBytes = 4 * 1024, WalFlushPolicy = WalFlushPolicy.Eager };
        var expected = new Dictionary<string, long>();
        var written = new List<long>();
        await using (var db = await OpenAsync(store, MergeOperators.Int64Add, options: options with { CompactorOptions = null }))
        {
            for (var i = 0; i < 600; i++)
            {
                var key = $"key{i % 7}";
                if (i % 97 == 5)
                {
                    await db.PutAsync(Bytes(key), L(1000));
                    expected[key] = 1000;
                    continue;
                }

                await db.MergeAsync(Bytes(key), L(i));
                expected[key] = expected.GetValueOrDefault(key) + i;
                written.Add(i);
            }

            foreach (var (key, value) in expected)
            {
                AsLong(await db.GetAsync(Bytes(key))).Should().Be(value, $"{key} across the active and the frozen memtables");
            }

            await db.FlushAsync();
        }

        var rows = new List<WalRow>();
        foreach (var file in await new WalReader("db", store).ListAsync())
        {
            rows.AddRange(await file.ReadRowsAsync());
        }

        var operands = rows.Where(r => r.Kind == WalRowKind.Merge).ToList();
        operands.Select(r => BinaryPrimitives.ReadInt64LittleEndian(r.Value!.Value.Span))
            .Should().Equal(written, "the WAL holds every operand as written, none folded");

        await using (var db = await OpenAsync(store, MergeOperators.Int64Add, options: options))
        {
            foreach (var (key, value) in expected)
            {
                AsLong(await db.GetAsync(Bytes(key))).Should().Be(value, $"{key} after a reopen");
            }

            await db.MergeAsync(Bytes("key1"), L(1));
            AsLong(await db.GetAsync(Bytes("key1"))).Should().Be(expected["key1"] + 1);
            await db.FlushAsync(new FlushOptions { FlushType = FlushType.MemTable });
            await db.CompactFullAsync();
            AsLong(await db.GetAsync(Bytes("key1"))).Should().Be(expected["key1"] + 1, "after the flush and a full compaction");
        }
    }

    [Fact]
    public async Task A_merge_written_while_the_operator_fails_succeeds_and_its_read_fails_until_the_operator_recovers()
    {
        var op = new SwitchableAppend();
        await using var db = await OpenAsync(new InMemoryObjectStore(), op);
        await db.PutAsync("k", "a-long-enough-base-value");
        await db.MergeAsync("k", "b-long-enough-operand");
        op.Failing = true;
        await db.MergeAsync("k", "c-long-enough-operand");
        var get = () => db.GetAsync("k").AsTask();
        (await get.Should().ThrowAsync<SlateDbException>()).Which.Kind.Should().Be(SlateDbErrorKind.Invalid);
        op.Failing = false;
        (await db.GetAsync("k")).Should().Be("a-long-enough-base-value,b-long-enough-operand,c-long-enough-operand");
    }

    private sealed class SwitchableAppend : IMergeOperator
    {
        public volatile bool Failing;

        public byte[] Merge(ReadOnlySpan<byte> key, bool hasExisting, ReadOnlySpan<byte> existing, ReadOnlySpan<byte> operand) =>
            Failing ? throw new InvalidOperationException("the operator is failing") : MergeOperators.Append(",").Merge(key, hasExisting, existing, operand);
    }
}
