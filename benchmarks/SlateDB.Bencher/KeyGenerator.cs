using System.Buffers.Binary;

namespace SlateDB.Bencher;

/// <summary>Keys of a fixed size from a key space, uniform or zipfian (YCSB's generator, theta 0.99), seeded.</summary>
internal sealed class KeyGenerator
{
    private const double Theta = 0.99;
    private readonly long _count;
    private readonly int _keySize;
    private readonly bool _zipfian;
    private readonly double _zetaN;
    private readonly double _alpha;
    private readonly double _eta;

    public KeyGenerator(long count, int keySize, string distribution)
    {
        _count = count;
        _keySize = keySize;
        _zipfian = distribution.Equals("zipfian", StringComparison.OrdinalIgnoreCase);
        if (!_zipfian && !distribution.Equals("uniform", StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"Unknown distribution '{distribution}'.");
        }

        if (_zipfian)
        {
            _zetaN = Zeta(count);
            _alpha = 1.0 / (1.0 - Theta);
            _eta = (1 - Math.Pow(2.0 / count, 1 - Theta)) / (1 - (Zeta(2) / _zetaN));
        }
    }

    public long NextIndex(Random random)
    {
        if (!_zipfian)
        {
            return random.NextInt64(_count);
        }

        var u = random.NextDouble();
        var uz = u * _zetaN;
        if (uz < 1.0)
        {
            return 0;
        }

        if (uz < 1.0 + Math.Pow(0.5, Theta))
        {
            return 1;
        }

        return Math.Min(_count - 1, (long)(_count * Math.Pow((_eta * u) - _eta + 1, _alpha)));
    }

    /// <summary>The key of index <paramref name="index"/>: a scrambled 8-byte prefix (so keys spread) then the index.</summary>
    public byte[] KeyOf(long index)
    {
        var key = new byte[_keySize];
        BinaryPrimitives.WriteUInt64BigEndian(key, Scramble((ulong)index));
        if (_keySize >= 16)
        {
            BinaryPrimitives.WriteUInt64BigEndian(key.AsSpan(8), (ulong)index);
        }

        return key;
    }

    /// <summary>A bijection on 64-bit numbers (splitmix64's finalizer), so a seeded permutation of the key space.</summary>
    public static ulong Scramble(ulong x)
    {
        x ^= x >> 30;
        x *= 0xbf58476d1ce4e5b9UL;
        x ^= x >> 27;
        x *= 0x94d049bb133111ebUL;
        x ^= x >> 31;
        return x;
    }

    private static double Zeta(long n)
    {
        double sum = 0;
        for (long i = 1; i <= n; i++)
        {
            sum += 1 / Math.Pow(i, Theta);
        }

        return sum;
    }
}
