using System.Buffers.Binary;
using SlateDB.Storage;
using Xunit.Abstractions;
using static SlateDB.Tests.Engine.EngineTestSupport;

namespace SlateDB.Tests.Engine;

/// <summary>
/// Writers, readers and flushes at once: while memtables freeze and move to L0 under them, readers always see every
/// write that already returned, and never see a key go back to an older value.
/// </summary>
public sealed class EngineConcurrencyTests(ITestOutputHelper output)
{
    private const int Writers = 4;
    private const int KeysPerWriter = 8;
    private const int WritesPerWriter = 1200;
    private const int Readers = 3;

    [Fact]
    public async Task Readers_see_every_returned_write_and_never_an_older_value_while_memtables_flush()
    {
        const int Seed = 20260904;
        var store = new InMemoryObjectStore();
        var options = TestOptions(l0SstSizeBytes: 8 * 1024) with { FlushInterval = TimeSpan.FromMilliseconds(2) };
        var db = await OpenAsync(store, options, seed: Seed);
        var returned = new long[Writers * KeysPerWriter];
        using var done = new CancellationTokenSource();

        var writers = Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
        {
            var random = new Random(Seed + w);
            var counters = new long[KeysPerWriter];
            for (var i = 0; i < WritesPerWriter; i++)
            {
                var slot = random.Next(KeysPerWriter);
                var counter = ++counters[slot];
                if (random.Next(5) == 0)
                {
                    // A batch moving two of this writer's keys forward together.
                    var other = (slot + 1) % KeysPerWriter;
                    var otherCounter = ++counters[other];
                    await db.WriteAsync(new WriteBatch()
                        .Put(Key(w, slot), Value(counter, random))
                        .Put(Key(w, other), Value(otherCounter, random)));
                    Volatile.Write(ref returned[(w * KeysPerWriter) + other], otherCounter);
                }
                else
                {
                    await db.PutAsync(Key(w, slot), Value(counter, random));
                }

                Volatile.Write(ref returned[(w * KeysPerWriter) + slot], counter);
            }
        })).ToList();

        long reads = 0;
        var readers = Enumerable.Range(0, Readers).Select(r => Task.Run(async () =>
        {
            var random = new Random(Seed + 100 + r);
            var seen = new long[returned.Length];
            while (!done.IsCancellationRequested)
            {
                var index = random.Next(returned.Length);
                var atLeast = Math.Max(Volatile.Read(ref returned[index]), seen[index]);
                var value = await db.GetAsync(Key(index / KeysPerWriter, index % KeysPerWriter));
                var counter = value is null ? 0 : BinaryPrimitives.ReadInt64BigEndian(value);
                counter.Should().BeGreaterThanOrEqualTo(atLeast, $"seed {Seed}: key {index} must show every write that returned, and never go back");
                seen[index] = counter;
                Interlocked.Increment(ref reads);
            }
        })).ToList();

        var flusher = Task.Run(async () =>
        {
            while (!done.IsCancellationRequested)
            {
                await db.FlushAsync(new FlushOptions { FlushType = FlushType.MemTable });
                await Task.Delay(10);
            }
        });

        try
        {
            await Task.WhenAll(writers).WaitAsync(TimeSpan.FromSeconds(60));
        }
        finally
        {
            await done.CancelAsync();
        }

        await Task.WhenAll(readers).WaitAsync(TimeSpan.FromSeconds(30));
        await flusher.WaitAsync(TimeSpan.FromSeconds(30));
        output.WriteLine($"{Writers * WritesPerWriter} writes, {Interlocked.Read(ref reads)} checked reads");
        await db.CloseAsync();

        await using var reopened = await OpenAsync(store, options, seed: Seed + 1);
        for (var index = 0; index < returned.Length; index++)
        {
            var value = await reopened.GetAsync(Key(index / KeysPerWriter, index % KeysPerWriter));
            (value is null ? 0 : BinaryPrimitives.ReadInt64BigEndian(value)).Should().Be(returned[index], $"key {index} after reopen");
        }
    }

    [Fact]
    public async Task A_memtable_flush_makes_every_write_that_returned_before_it_durable_while_writes_go_on()
    {
        // No WAL, so only L0 flushes make anything durable (with a WAL, each L0 flush writes the WAL first).
        // Memtables also freeze by size now and then, racing the explicit flushes. The writer stops after 200,000
        // writes, so the L0 SST count stays bounded.
        var db = await OpenAsync(new InMemoryObjectStore(), TestOptions(l0SstSizeBytes: 256 * 1024) with { WalEnabled = false });
        long returned = 0;
        using var done = new CancellationTokenSource();
        var writer = Task.Run(async () =>
        {
            var value = new byte[8];
            for (long i = 1; i <= 200_000 && !done.IsCancellationRequested; i++)
            {
                BinaryPrimitives.WriteInt64BigEndian(value, i);
                await db.PutAsync(Bytes("k"), value);
                Volatile.Write(ref returned, i);
            }
        });

        try
        {
            for (var round = 0; round < 200; round++)
            {
                var before = Volatile.Read(ref returned);
                await db.FlushAsync(new FlushOptions { FlushType = FlushType.MemTable });
                var durable = await db.GetAsync(Bytes("k"), new ReadOptions { DurabilityFilter = DurabilityLevel.Remote });
                var counter = durable is null ? 0 : BinaryPrimitives.ReadInt64BigEndian(durable);
                counter.Should().BeGreaterThanOrEqualTo(before, $"round {round}: the flush returned, so the write that returned before it is in L0");
            }
        }
        finally
        {
            await done.CancelAsync();
            await writer;
            await db.CloseAsync();
        }
    }

    private static byte[] Key(int writer, int slot) => Bytes($"w{writer}-k{slot}");

    private static byte[] Value(long counter, Random random)
    {
        var value = new byte[8 + random.Next(400)];
        BinaryPrimitives.WriteInt64BigEndian(value, counter);
        return value;
    }
}
