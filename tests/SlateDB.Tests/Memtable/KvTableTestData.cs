using SlateDB.Format;
using SlateDB.Memtable;

namespace SlateDB.Tests.Memtable;

/// <summary>Seeded generators of awkward keys and rows for the memtable tests.</summary>
internal static class KvTableTestData
{
    // Lengths around the 4-byte link hint, the 8-byte prefix and the 32-byte inline limit.
    private static readonly int[] s_lengths = [0, 1, 2, 3, 4, 5, 7, 8, 9, 12, 15, 16, 17, 31, 32, 33, 40, 64];
    private static readonly byte[] s_alphabet = [0x00, 0x01, 0x7F, 0x80, 0xFE, 0xFF];

    /// <summary>A pool of distinct keys sharing many prefixes, with 0x00/0xFF bytes and varied lengths.</summary>
    public static List<byte[]> KeyPool(Random random, int count)
    {
        var seen = new HashSet<string>();
        var pool = new List<byte[]>();
        while (pool.Count < count)
        {
            byte[] key;
            var shape = random.Next(4);
            if (shape == 0 && pool.Count > 0)
            {
                // Extend or truncate an existing key: prefixes of each other.
                var baseKey = pool[random.Next(pool.Count)];
                var length = Math.Max(0, baseKey.Length + random.Next(-3, 4));
                key = new byte[length];
                baseKey.AsSpan(0, Math.Min(length, baseKey.Length)).CopyTo(key);
                for (var i = baseKey.Length; i < length; i++)
                {
                    key[i] = s_alphabet[random.Next(s_alphabet.Length)];
                }
            }
            else if (shape == 1)
            {
                // A long shared prefix so comparisons reach past the inline bytes.
                key = new byte[34 + random.Next(8)];
                key.AsSpan().Fill(0xAB);
                for (var i = 30; i < key.Length; i++)
                {
                    key[i] = s_alphabet[random.Next(s_alphabet.Length)];
                }
            }
            else
            {
                key = new byte[s_lengths[random.Next(s_lengths.Length)]];
                for (var i = 0; i < key.Length; i++)
                {
                    key[i] = shape == 2 ? s_alphabet[random.Next(s_alphabet.Length)] : (byte)random.Next(256);
                }
            }

            if (seen.Add(Convert.ToHexString(key)))
            {
                pool.Add(key);
            }
        }

        return pool;
    }

    /// <summary>A row of a random kind whose value encodes its seq.</summary>
    public static RowEntry Row(Random random, byte[] key, ulong seq)
    {
        var value = BitConverter.GetBytes(seq ^ 0x5A5A5A5A5A5A5A5AUL);
        long? createTs = random.Next(3) == 0 ? null : random.Next(1_000_000);
        long? expireTs = random.Next(4) == 0 ? random.Next(1_000_000) : null;
        return random.Next(10) switch
        {
            0 => RowEntry.Delete(key, seq, createTs, expireTs),
            1 => RowEntry.MergeOperand(key, value, seq, createTs, expireTs),
            _ => RowEntry.Put(key, value, seq, createTs, expireTs),
        };
    }

    /// <summary>A random bound: unbounded, or a pool key (or a key near one) included or excluded.</summary>
    public static KeyBound Bound(Random random, List<byte[]> pool)
    {
        var kind = random.Next(3);
        if (kind == 0)
        {
            return KeyBound.Unbounded;
        }

        var key = pool[random.Next(pool.Count)];
        if (random.Next(3) == 0)
        {
            // A key that is probably absent: a pool key with one byte appended.
            key = [.. key, s_alphabet[random.Next(s_alphabet.Length)]];
        }

        return kind == 1 ? KeyBound.Included(key) : KeyBound.Excluded(key);
    }

    public static List<RowEntry> Drain(KvTableIterator iterator)
    {
        var rows = new List<RowEntry>();
        while (iterator.TryNext(out var row))
        {
            rows.Add(row);
        }

        return rows;
    }

    /// <summary>
    /// Asserts that two row sequences hold the same rows: same key and value bytes (the table keeps copies, so the
    /// memory differs), kind, seq and timestamps.
    /// </summary>
    public static void ShouldEqualRows(List<RowEntry> actual, List<RowEntry> expected, string because)
    {
        if (!actual.SequenceEqual(expected, SameContent.Instance))
        {
            // Only build the readable form on failure: it is slow for long lists.
            actual.Select(Describe).Should().Equal(expected.Select(Describe), because);
            actual.Select(Content).Should().Equal(expected.Select(Content), because);
        }
    }

    /// <summary>Asserts that a row read from the table holds what <paramref name="expected"/> held.</summary>
    public static void ShouldHoldSameContent(this RowEntry actual, RowEntry expected, string because) =>
        Content(actual).Should().Be(Content(expected), because);

    public static string Describe(RowEntry row) => $"{Convert.ToHexString(row.Key.Span)}@{row.Seq}";

    /// <summary>Everything a row holds, as text.</summary>
    public static string Content(RowEntry row) =>
        $"{Convert.ToHexString(row.Key.Span)}@{row.Seq} {row.Kind} {Convert.ToHexString(row.Value.Span)} create {row.CreateTs} expire {row.ExpireTs}";

    /// <summary>True when two rows hold the same key and value bytes, kind, seq and timestamps.</summary>
    public static bool SameRowContent(RowEntry x, RowEntry y) =>
        x.Seq == y.Seq && x.Kind == y.Kind && x.CreateTs == y.CreateTs && x.ExpireTs == y.ExpireTs
        && x.Key.Span.SequenceEqual(y.Key.Span) && x.Value.Span.SequenceEqual(y.Value.Span);

    private sealed class SameContent : IEqualityComparer<RowEntry>
    {
        public static readonly SameContent Instance = new();

        public bool Equals(RowEntry x, RowEntry y) => SameRowContent(x, y);

        public int GetHashCode(RowEntry obj) => obj.Seq.GetHashCode();
    }

    public static string Describe(KeyBound bound) =>
        bound.IsUnbounded ? "unbounded" : $"{bound.Kind}({Convert.ToHexString(bound.Key.Span)})";
}
