namespace SlateDB.Compatibility.Tests.Model;

/// <summary>Seeded keys and values, including the awkward ones: 0x00/0xFF bytes, empty and very large values.</summary>
internal static class TestData
{
    /// <summary>A TTL far beyond any test run, so both engines still return the row (0.12.1 reads do not hide expired rows).</summary>
    public const long LongTtlMs = 10L * 365 * 24 * 3600 * 1000;

    /// <summary>A day: a second TTL length, also never reached by a test.</summary>
    public const long DayTtlMs = 24L * 3600 * 1000;

    /// <summary>Keys made only of, or containing, 0x00 and 0xFF, which order before and after everything else.</summary>
    public static IReadOnlyList<byte[]> EdgeKeys { get; } =
    [
        [0x00], [0xFF], [0x00, 0x00], [0xFF, 0xFF], [0x00, 0xFF], [0xFF, 0x00],
        [.. Enumerable.Repeat((byte)0x00, 16)], [.. Enumerable.Repeat((byte)0xFF, 16)],
        [0x61, 0x00, 0x62], [0x61, 0xFF, 0x62], [0x61], [0x61, 0x00], [0x60, 0xFF, 0xFF],
        [.. Enumerable.Repeat((byte)0xFF, 300)],
    ];

    public static byte[] Key(string text) => System.Text.Encoding.UTF8.GetBytes(text);

    /// <summary>A value of a given length, random but seeded.</summary>
    public static byte[] Value(Random random, int length)
    {
        var value = new byte[length];
        random.NextBytes(value);
        return value;
    }

    /// <summary>A short printable value.</summary>
    public static byte[] Text(Random random, string prefix) => Key($"{prefix}-{random.Next():x8}");

    /// <summary>A random binary key of 1..24 bytes that often holds 0x00 or 0xFF.</summary>
    public static byte[] BinaryKey(Random random)
    {
        var key = Value(random, random.Next(1, 25));
        if (random.Next(2) == 0)
        {
            key[random.Next(key.Length)] = 0x00;
        }

        if (random.Next(2) == 0)
        {
            key[random.Next(key.Length)] = 0xFF;
        }

        return key;
    }
}
