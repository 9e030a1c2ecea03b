namespace SlateDB.Compatibility.Tests.Model;

/// <summary>
/// Seeded random operations over a fixed key space (printable and binary keys): puts, overwrites, deletes, batches,
/// TTL puts, occasional large values, WAL and memtable flushes, and reads checked against the model on the spot.
/// </summary>
internal sealed class RandomWorkload
{
    private readonly Random _random;
    private readonly byte[][] _keys;

    public RandomWorkload(int seed, int keyCount)
    {
        Seed = seed;
        _random = new Random(seed);
        var keys = new HashSet<string>(StringComparer.Ordinal);
        var list = new List<byte[]>();
        foreach (var edge in TestData.EdgeKeys)
        {
            if (keys.Add(Convert.ToHexString(edge)))
            {
                list.Add(edge);
            }
        }

        while (list.Count < keyCount)
        {
            var key = _random.Next(3) == 0 ? TestData.BinaryKey(_random) : TestData.Key($"k/{_random.Next(1_000_000):D6}");
            if (keys.Add(Convert.ToHexString(key)))
            {
                list.Add(key);
            }
        }

        _keys = [.. list];
    }

    public int Seed { get; }

    public Random Random => _random;

    /// <summary>Operations run so far (a batch counts as one per row it holds).</summary>
    public int Operations { get; private set; }

    /// <summary>Runs <paramref name="count"/> operations through <paramref name="writer"/>.</summary>
    public async Task RunAsync(ModelWriter writer, int count)
    {
        var end = Operations + count;
        while (Operations < end)
        {
            var roll = _random.Next(1000);
            if (roll < 80)
            {
                var ops = new List<ModelOp>();
                var size = _random.Next(2, 40);
                for (var i = 0; i < size; i++)
                {
                    ops.Add(NextOp());
                }

                await writer.BatchAsync(ops, awaitDurable: _random.Next(10) == 0);
                Operations += size;
            }
            else if (roll < 84)
            {
                await writer.Engine.FlushWalAsync();
                Operations++;
            }
            else if (roll < 86)
            {
                await writer.Engine.FlushMemtableAsync();
                Operations++;
            }
            else if (roll < 130)
            {
                var key = PickKey();
                var actual = await writer.Engine.GetAsync(key);
                var expected = writer.Model[key];
                if (!Same(expected, actual))
                {
                    throw new Xunit.Sdk.XunitException(
                        $"seed {Seed}, op {Operations}: {writer.Engine.Kind} read {Hex.Of(key)} as {Describe(actual)}, the model has {Describe(expected)}");
                }

                Operations++;
            }
            else
            {
                await writer.ApplyAsync(NextOp(), awaitDurable: _random.Next(200) == 0);
                Operations++;
            }
        }
    }

    private ModelOp NextOp()
    {
        var key = PickKey();
        var roll = _random.Next(100);
        return roll switch
        {
            < 20 => ModelOp.Delete(key),
            < 26 => ModelOp.Put(key, TestData.Text(_random, "ttl"), _random.Next(2) == 0 ? TestData.LongTtlMs : TestData.DayTtlMs),
            < 27 => ModelOp.Put(key, TestData.Value(_random, _random.Next(100 * 1024, 140 * 1024))),
            < 30 => ModelOp.Put(key, []),
            _ => ModelOp.Put(key, TestData.Value(_random, _random.Next(1, 120))),
        };
    }

    /// <summary>Skewed towards a hot tenth of the keys, so keys are overwritten and deleted many times.</summary>
    private byte[] PickKey() => _random.Next(3) == 0 ? _keys[_random.Next(_keys.Length / 10)] : _keys[_random.Next(_keys.Length)];

    private static bool Same(ModelRow? expected, Engines.ReadRow? actual) =>
        expected is null
            ? actual is null
            : actual is not null && actual.Value.AsSpan().SequenceEqual(expected.Value) && actual.Seq == expected.Seq
                && actual.CreateTs == expected.CreateTs && actual.ExpireTs == expected.ExpireTs;

    private static string Describe(ModelRow? row) => row is null ? "absent" : $"{Hex.Of(row.Value)} seq {row.Seq} created {row.CreateTs} expires {row.ExpireTs}";

    private static string Describe(Engines.ReadRow? row) => row is null ? "absent" : $"{Hex.Of(row.Value)} seq {row.Seq} created {row.CreateTs} expires {row.ExpireTs}";
}
