using System.Buffers.Binary;
using BenchmarkDotNet.Attributes;
using SlateDB.Format.Filters;

namespace SlateDB.Benchmarks.Format;

/// <summary>Building a bloom filter (10 bits per key) over 1k and 100k keys, and probing it for present and absent keys.</summary>
[MemoryDiagnoser]
public class BloomBenchmarks
{
    private const int Probes = 1000;
    private byte[][] _keys = [];
    private byte[][] _absent = [];
    private BloomFilter _filter = null!;

    [Params(1_000, 100_000)]
    public int KeyCount { get; set; } = 1_000;

    [GlobalSetup]
    public void Setup()
    {
        _keys = Keys(KeyCount, salt: 0);
        _absent = Keys(Probes, salt: 1);
        _filter = Build(_keys);
    }

    /// <summary>Hashes every key and sets its probes.</summary>
    [Benchmark]
    public int Build() => Build(_keys).Size;

    /// <summary>A thousand probes of keys the filter holds (all "might match").</summary>
    [Benchmark(OperationsPerInvoke = Probes)]
    public int ProbePresent()
    {
        var hits = 0;
        for (var i = 0; i < Probes; i++)
        {
            hits += _filter.MightContain(_keys[i % _keys.Length]) ? 1 : 0;
        }

        return hits;
    }

    /// <summary>A thousand probes of keys it does not hold (about 1% false positives).</summary>
    [Benchmark(OperationsPerInvoke = Probes)]
    public int ProbeAbsent()
    {
        var hits = 0;
        foreach (var key in _absent)
        {
            hits += _filter.MightContain(key) ? 1 : 0;
        }

        return hits;
    }

    private static BloomFilter Build(byte[][] keys)
    {
        var builder = new BloomFilterBuilder(BloomFilterPolicy.DefaultBitsPerKey);
        foreach (var key in keys)
        {
            builder.AddKey(key);
        }

        return builder.BuildFilter();
    }

    /// <summary>16-byte keys: an 8-byte prefix and a big-endian counter (salted so key sets do not overlap).</summary>
    private static byte[][] Keys(int count, int salt)
    {
        var keys = new byte[count][];
        for (var i = 0; i < count; i++)
        {
            var key = new byte[16];
            "user/key"u8.CopyTo(key);
            BinaryPrimitives.WriteUInt64BigEndian(key.AsSpan(8), ((ulong)(uint)salt << 48) | (uint)i);
            keys[i] = key;
        }

        return keys;
    }
}

/// <summary>The filter hash alone: SipHash-1-3 of one 16-byte key.</summary>
[MemoryDiagnoser]
public class BloomHashBenchmarks
{
    private readonly byte[] _key = "user/key\0\0\0\0\0\0\0\x2a"u8.ToArray();

    [Benchmark]
    public ulong SipHash13Of16Bytes() => SipHash13.Hash(_key);
}
