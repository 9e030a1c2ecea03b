using SlateDB.Format;

namespace SlateDB.Tests.Format;

/// <summary>Seeded generators of rows and sorted row sets for property tests.</summary>
internal static class RandomRows
{
    private static readonly byte[][] Prefixes =
    [
        "user:"u8.ToArray(), "user:0001:"u8.ToArray(), "order/2024/"u8.ToArray(), [0x00, 0x00], [0xFF, 0xFE], [],
    ];

    /// <summary>A non-empty key, often sharing a prefix with others; sometimes long.</summary>
    public static byte[] Key(Random random)
    {
        var prefix = Prefixes[random.Next(Prefixes.Length)];
        var suffixLength = random.Next(10) switch
        {
            0 => random.Next(200, 3000),
            < 3 => random.Next(0, 3),
            _ => random.Next(1, 24),
        };
        var key = new byte[prefix.Length + suffixLength];
        prefix.CopyTo(key, 0);
        random.NextBytes(key.AsSpan(prefix.Length));
        if (key.Length == 0)
        {
            key = [(byte)random.Next(256)];
        }

        return key;
    }

    public static byte[] Value(Random random)
    {
        var length = random.Next(12) switch
        {
            0 => 0,
            1 => random.Next(1000, 20000),
            _ => random.Next(1, 64),
        };
        var value = new byte[length];
        random.NextBytes(value);
        return value;
    }

    /// <summary>A row of any kind with optional timestamps (some at the i64 extremes).</summary>
    public static RowEntry Row(Random random, byte[] key, ulong seq)
    {
        long? Timestamp() => random.Next(3) switch
        {
            0 => null,
            1 => random.Next(2) == 0 ? long.MinValue + random.Next(5) : long.MaxValue - random.Next(5),
            _ => random.NextInt64(-1_000_000, 2_000_000_000_000),
        };

        var createTs = Timestamp();
        var expireTs = Timestamp();
        return random.Next(6) switch
        {
            0 => RowEntry.Delete(key, seq, createTs, expireTs),
            1 => RowEntry.MergeOperand(key, Value(random), seq, createTs, expireTs),
            _ => RowEntry.Put(key, Value(random), seq, createTs, expireTs),
        };
    }

    public static ulong Seq(Random random) => random.Next(4) == 0 ? ulong.MaxValue - (ulong)random.Next(10) : (ulong)random.NextInt64(0, long.MaxValue);

    /// <summary>
    /// Rows in SST order: distinct keys ascending (unsigned bytewise), and for a key with several versions,
    /// sequence numbers descending.
    /// </summary>
    public static List<RowEntry> Sorted(Random random, int keyCount)
    {
        var keys = new SortedSet<byte[]>(ByteComparer.Instance);
        while (keys.Count < keyCount)
        {
            keys.Add(Key(random));
        }

        var rows = new List<RowEntry>();
        foreach (var key in keys)
        {
            var versions = random.Next(5) == 0 ? random.Next(2, 5) : 1;
            var seq = (ulong)random.NextInt64(1000, long.MaxValue);
            for (var v = 0; v < versions; v++)
            {
                rows.Add(Row(random, key, seq));
                seq -= (ulong)random.Next(1, 100);
            }
        }

        return rows;
    }

    /// <summary>What a codec gives back for <paramref name="row"/>: no value for tombstones and, in V1, no tombstone expire_ts.</summary>
    public static RowEntry AsDecoded(RowEntry row, bool v1) => row.Kind == RowKind.Tombstone
        ? row with { Value = ReadOnlyMemory<byte>.Empty, ExpireTs = v1 ? null : row.ExpireTs }
        : row;
}

/// <summary>Unsigned bytewise order, as SlateDB sorts keys.</summary>
internal sealed class ByteComparer : IComparer<byte[]>
{
    public static readonly ByteComparer Instance = new();

    public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
}
