namespace SlateDB.Caching;

/// <summary>Bucket indexes for power-of-two tables (the clock cache's table, the miss doorkeeper's slots).</summary>
internal static class HashBuckets
{
    /// <summary>
    /// The bucket of <paramref name="hash"/> among <paramref name="length"/> (a power of two): the hash's bits mixed
    /// (Fibonacci hashing), so hashes that differ only in high bits spread too.
    /// </summary>
    public static int Index(int hash, int length) => (int)((ulong)(uint)hash * 0x9E3779B97F4A7C15UL >> 32) & (length - 1);
}
