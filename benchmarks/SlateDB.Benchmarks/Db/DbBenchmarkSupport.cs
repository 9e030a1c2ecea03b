using System.Buffers.Binary;
using SlateDB.Storage;

namespace SlateDB.Benchmarks.Db;

/// <summary>Settings and data shared by the database benchmarks.</summary>
internal static class DbBenchmarkSupport
{
    /// <summary>Defaults, except: no compactor or GC (not part of what is measured) and room for many L0 SSTs.</summary>
    public static SlateDbOptions Options(TimeSpan? flushInterval) => new()
    {
        FlushInterval = flushInterval,
        L0MaxSsts = 1000,
        L0MaxSstsPerKey = 1000,
        CompactorOptions = null,
        GarbageCollectorOptions = null,
    };

    public static Task<SlateDb> OpenAsync(IObjectStore store, SlateDbOptions options) =>
        SlateDb.Builder("bench", store).WithOptions(options).WithSeed(1).OpenAsync();

    /// <summary>A 16-byte key: a fixed prefix and the big-endian index.</summary>
    public static byte[] Key(long index)
    {
        var key = new byte[16];
        "bench-k-"u8.CopyTo(key);
        BinaryPrimitives.WriteInt64BigEndian(key.AsSpan(8), index);
        return key;
    }

    /// <summary>A 100-byte value.</summary>
    public static byte[] Value(Random random)
    {
        var value = new byte[100];
        random.NextBytes(value);
        return value;
    }
}
