namespace SlateDB.Compatibility.Tests.Model;

/// <summary>
/// The fixed, seeded workload of the write-then-read scenarios: every kind of write (puts, overwrites, deletes of live
/// and absent keys, batches with repeated keys, TTLs, values from empty to over 1 MiB, binary keys with 0x00 and 0xFF),
/// spread over phases separated by memtable flushes, so the reader meets L0 SSTs shadowing each other plus an unflushed
/// tail (which Rust 0.12.1 leaves in the WAL at close, and ours writes to L0).
/// </summary>
internal static class MixedWorkload
{
    /// <summary>Range bounds worth scanning over the workload's keys.</summary>
    public static IReadOnlyList<(byte[]? Start, byte[]? End)> ScanRanges { get; } =
    [
        ([0x00], [0x01]),
        (null, [0x00, 0x01]),
        ([0x61], [0x62]),
        (TestData.Key("user/"), TestData.Key("user0")),
        (TestData.Key("big/"), TestData.Key("big0")),
        ([0xFF], null),
        ([0xFF, 0x00], [0xFF, 0xFF, 0xFF]),
    ];

    public static async Task RunAsync(ModelWriter writer, Random random, int scale = 1)
    {
        var keys = new List<byte[]>();

        // Phase A: fresh keys of every shape.
        for (var i = 0; i < 200 * scale; i++)
        {
            var key = TestData.Key($"user/{random.Next(10_000_000):D7}");
            keys.Add(key);
            await writer.PutAsync(key, TestData.Text(random, "a"));
        }

        foreach (var key in TestData.EdgeKeys)
        {
            keys.Add(key);
            await writer.PutAsync(key, key.Length == 1 ? [] : TestData.Text(random, "edge"));
        }

        for (var i = 0; i < 40; i++)
        {
            var key = TestData.BinaryKey(random);
            keys.Add(key);
            await writer.PutAsync(key, TestData.Value(random, random.Next(0, 200)));
        }

        await writer.PutAsync(TestData.Key("big/100k"), TestData.Value(random, 100 * 1024));
        await writer.PutAsync(TestData.Key("big/150k"), TestData.Value(random, 150 * 1024 + 7));
        await writer.PutAsync(TestData.Key("big/1m"), TestData.Value(random, 1024 * 1024 + 3), awaitDurable: true);
        await writer.PutAsync(TestData.Key("long-key/" + new string('k', 4000)), TestData.Text(random, "long"));
        for (var i = 0; i < 20; i++)
        {
            var key = TestData.Key($"ttl/{i:D3}");
            keys.Add(key);
            await writer.PutAsync(key, TestData.Text(random, "ttl"), i % 2 == 0 ? TestData.LongTtlMs : TestData.DayTtlMs);
        }

        await writer.Engine.FlushMemtableAsync();

        // Phase B: overwrites, deletes (live and never-written keys), batches with repeated keys, resurrections.
        for (var i = 0; i < 60 * scale; i++)
        {
            await writer.PutAsync(Pick(random, keys), TestData.Text(random, "b"));
        }

        await writer.PutAsync(TestData.Key("big/100k"), TestData.Text(random, "small-now"));
        await writer.PutAsync(TestData.Key("big/grown"), TestData.Value(random, 120 * 1024), TestData.LongTtlMs);
        var deleted = new List<byte[]>();
        for (var i = 0; i < 40 * scale; i++)
        {
            var key = Pick(random, keys);
            deleted.Add(key);
            await writer.DeleteAsync(key);
        }

        await writer.DeleteAsync([0x00]);
        await writer.DeleteAsync([0xFF, 0xFF]);
        await writer.DeleteAsync(TestData.Key("ttl/001"));
        for (var i = 0; i < 5; i++)
        {
            await writer.DeleteAsync(TestData.Key($"never-written/{i}"));
        }

        for (var b = 0; b < 5; b++)
        {
            var ops = new List<ModelOp>();
            for (var i = 0; i < 30; i++)
            {
                var key = random.Next(4) == 0 ? TestData.BinaryKey(random) : Pick(random, keys);
                ops.Add((random.Next(5)) switch
                {
                    0 => ModelOp.Delete(key),
                    1 => ModelOp.Put(key, TestData.Text(random, "bt"), TestData.LongTtlMs),
                    _ => ModelOp.Put(key, TestData.Text(random, "batch")),
                });
            }

            // The same key twice in one batch: the later operation wins.
            ops.Add(ModelOp.Put(TestData.Key($"batch/dup/{b}"), TestData.Text(random, "first")));
            ops.Add(ModelOp.Put(TestData.Key($"batch/dup/{b}"), TestData.Text(random, "second")));
            ops.Add(ModelOp.Put(TestData.Key($"batch/gone/{b}"), TestData.Text(random, "first")));
            ops.Add(ModelOp.Delete(TestData.Key($"batch/gone/{b}")));
            await writer.BatchAsync(ops, awaitDurable: b == 4);
        }

        foreach (var key in deleted.Take(10))
        {
            await writer.PutAsync(key, TestData.Text(random, "again"));
        }

        await writer.Engine.FlushMemtableAsync();

        // Phase C: a tail that is not flushed to L0 by the writer itself.
        for (var i = 0; i < 50 * scale; i++)
        {
            var key = Pick(random, keys);
            if (random.Next(4) == 0)
            {
                await writer.DeleteAsync(key);
            }
            else
            {
                await writer.PutAsync(key, TestData.Text(random, "c"), random.Next(5) == 0 ? TestData.LongTtlMs : null);
            }
        }

        await writer.PutAsync(TestData.Key("big/tail"), TestData.Value(random, 100 * 1024 + 1));
        await writer.PutAsync([0x00], TestData.Text(random, "back"));
        await writer.BatchAsync([ModelOp.Put(TestData.Key("tail/batch/1"), [0x00, 0xFF], TestData.DayTtlMs), ModelOp.Delete(TestData.Key("user/none"))], awaitDurable: true);
    }

    private static byte[] Pick(Random random, List<byte[]> keys) => keys[random.Next(keys.Count)];
}
