namespace SlateDB.Tests.Write;

public sealed class WriteBatchTests
{
    [Theory]
    [InlineData(1, 6)]
    [InlineData(2, 40)]
    [InlineData(3, 3000)]
    public void Operations_keep_their_first_position_and_the_last_write_of_each_key(int seed, int keyCount)
    {
        var random = new Random(seed);
        var keys = Enumerable.Range(0, keyCount).Select(_ => RandomBytes(random, random.Next(1, 40))).ToList();
        var batch = new WriteBatch();
        var order = new List<string>();
        var latest = new Dictionary<string, (byte[] Key, byte[] Value, bool IsDelete, Ttl Ttl)>();
        for (var i = 0; i < keyCount * 3; i++)
        {
            var key = keys[random.Next(keys.Count)];
            var hex = Convert.ToHexString(key);
            var isDelete = random.Next(5) == 0;
            var ttl = random.Next(4) switch
            {
                0 => Ttl.ExpireAfter(TimeSpan.FromMilliseconds(random.Next(1, 10_000))),
                1 => Ttl.NoExpiry,
                _ => Ttl.Default,
            };
            var value = isDelete ? [] : RandomBytes(random, random.Next(10) == 0 ? random.Next(60_000, 140_000) : random.Next(0, 200));
            if (isDelete)
            {
                batch.Delete(key);
                ttl = Ttl.Default;
            }
            else
            {
                batch.Put(key, value, new PutOptions { Ttl = ttl });
            }

            if (!latest.ContainsKey(hex))
            {
                order.Add(hex);
            }

            latest[hex] = (key, value.ToArray(), isDelete, ttl);

            // The caller may reuse its buffers: the batch holds copies.
            value.AsSpan().Fill(0xEE);
        }

        batch.Count.Should().Be(order.Count, $"seed {seed}");
        for (var i = 0; i < order.Count; i++)
        {
            batch.GetOperation(i, out var key, out var value, out var isDelete, out var ttl);
            var expected = latest[order[i]];
            var because = $"seed {seed}, operation {i}";
            Convert.ToHexString(key.Span).Should().Be(order[i], because);
            isDelete.Should().Be(expected.IsDelete, because);
            ttl.Should().Be(expected.Ttl, because);
            value.ToArray().Should().Equal(expected.Value, because);
        }
    }

    [Fact]
    public void Values_are_copied_when_added()
    {
        var key = new byte[] { 1, 2, 3 };
        var value = new byte[] { 4, 5, 6, 7 };
        var batch = new WriteBatch().Put(key, value);
        key[0] = 9;
        value[0] = 9;

        batch.GetOperation(0, out var storedKey, out var storedValue, out var isDelete, out var ttl);
        storedKey.ToArray().Should().Equal(1, 2, 3);
        storedValue.ToArray().Should().Equal(4, 5, 6, 7);
        isDelete.Should().BeFalse();
        ttl.Should().Be(Ttl.Default);
    }

    [Fact]
    public void Large_values_get_slabs_of_their_own_and_small_ones_still_pack()
    {
        var random = new Random(5);
        var values = new List<byte[]>();
        var batch = new WriteBatch();
        for (var i = 0; i < 200; i++)
        {
            var value = RandomBytes(random, i % 50 == 0 ? 300_000 : random.Next(1, 5000));
            values.Add(value);
            batch.Put(BitConverter.GetBytes(i), value);
        }

        for (var i = 0; i < values.Count; i++)
        {
            batch.GetOperation(i, out var key, out var value, out _, out _);
            BitConverter.ToInt32(key.Span).Should().Be(i, "seed 5");
            value.ToArray().Should().Equal(values[i], $"seed 5, operation {i}");
        }
    }

    [Fact]
    public void Keys_must_be_present_and_at_most_65535_bytes()
    {
        var batch = new WriteBatch();
        FluentActions.Invoking(() => batch.Put(Array.Empty<byte>(), new byte[1])).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => batch.Delete(new byte[WriteBatch.MaxKeyLength + 1])).Should().Throw<ArgumentException>();
        batch.Put(new byte[WriteBatch.MaxKeyLength], new byte[1]);
        batch.Count.Should().Be(1);
        batch.IsEmpty.Should().BeFalse();
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }
}
