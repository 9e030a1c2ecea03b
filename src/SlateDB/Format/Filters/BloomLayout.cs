using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace SlateDB.Format.Filters;

/// <summary>
/// The arithmetic SlateDB's bloom filters share between building and probing: how big the bit array is, how
/// many probes a key gets, and where those probes land. Every rule here is fixed by the on-disk format, so a
/// filter written by the Rust engine answers the same way here and the other way round.
/// </summary>
internal static class BloomLayout
{
    /// <summary>
    /// The largest bit array SlateDB can address: it counts bits in a 32-bit unsigned integer, so the array
    /// holds at most <c>uint.MaxValue / 8</c> whole bytes.
    /// </summary>
    public const int MaxFilterBytes = (int)(uint.MaxValue / 8);

    /// <summary>
    /// Number of probes per key for <paramref name="bitsPerKey"/>: <c>floor(bitsPerKey * 0.69)</c> with the
    /// product rounded to a 32-bit float first (so 10 bits per key gives 6, not 7), saturating at
    /// <see cref="ushort.MaxValue"/> as Rust's float-to-u16 conversion does.
    /// </summary>
    public static ushort NumProbes(int bitsPerKey)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bitsPerKey);

        // The explicit cast forces single-precision rounding of the product, as Rust's f32 arithmetic does.
        float product = (float)((float)bitsPerKey * 0.69f);
        return product >= ushort.MaxValue ? ushort.MaxValue : (ushort)product;
    }

    /// <summary>
    /// Size in bytes of the bit array for <paramref name="numKeys"/> hashed entries:
    /// <c>ceil(numKeys * bitsPerKey / 8)</c>. Duplicate keys count once per entry.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">
    /// The bit count does not fit SlateDB's 32-bit bit counter (about 429 million entries at 10 bits per key).
    /// </exception>
    public static int FilterBytes(long numKeys, int bitsPerKey)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(numKeys);
        ArgumentOutOfRangeException.ThrowIfNegative(bitsPerKey);

        ulong bits = (ulong)numKeys * (ulong)bitsPerKey;
        ulong bytes = (bits + 7) / 8;
        if (bits > uint.MaxValue || bytes > MaxFilterBytes)
        {
            throw new ArgumentOutOfRangeException(
                nameof(numKeys),
                numKeys,
                $"{numKeys} keys at {bitsPerKey} bits per key exceed the largest bloom filter SlateDB can address.");
        }

        return (int)bytes;
    }

    /// <summary>
    /// Sets the probe bits of <paramref name="keyHash"/> in <paramref name="bits"/> (which must not be empty).
    /// </summary>
    public static void SetProbes(Span<byte> bits, ulong keyHash, ushort numProbes)
    {
        Debug.Assert(bits.Length is > 0 and <= MaxFilterBytes, "callers size the bit array");
        uint bitCount = (uint)bits.Length * 8;
        ulong m = bitCount;
        ulong h = Low(keyHash) % bitCount;
        ulong delta = High(keyHash) % bitCount;
        for (uint i = 0; i < numProbes; i++)
        {
            delta = Advance(delta, i, m);
            bits[(int)(h >> 3)] |= (byte)(1 << (int)(h & 7));
            h = Step(h, delta, m);
        }
    }

    /// <summary>
    /// True when every probe bit of <paramref name="keyHash"/> is set in <paramref name="bits"/> (which must
    /// not be empty); false as soon as one is clear.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool AllProbesSet(ReadOnlySpan<byte> bits, ulong keyHash, ushort numProbes)
    {
        Debug.Assert(bits.Length is > 0 and <= MaxFilterBytes, "callers size the bit array");
        uint bitCount = (uint)bits.Length * 8;
        ulong m = bitCount;
        ulong h = Low(keyHash) % bitCount;
        ulong delta = High(keyHash) % bitCount;
        for (uint i = 0; i < numProbes; i++)
        {
            delta = Advance(delta, i, m);
            if ((bits[(int)(h >> 3)] & (1 << (int)(h & 7))) == 0)
            {
                return false;
            }

            h = Step(h, delta, m);
        }

        return true;
    }

    /// <summary>
    /// The probe positions of <paramref name="keyHash"/> in an <paramref name="filterBits"/>-bit array, in
    /// order ("enhanced double hashing", Dillinger and Manolios): start at the low 32 bits of the hash and a
    /// step of the high 32 bits, both modulo the bit count; before probe i the step grows by i.
    /// </summary>
    public static uint[] Probes(ulong keyHash, ushort numProbes, uint filterBits)
    {
        ArgumentOutOfRangeException.ThrowIfZero(filterBits);

        var probes = new uint[numProbes];
        ulong m = filterBits;
        ulong h = Low(keyHash) % filterBits;
        ulong delta = High(keyHash) % filterBits;
        for (uint i = 0; i < numProbes; i++)
        {
            delta = Advance(delta, i, m);
            probes[i] = (uint)h;
            h = Step(h, delta, m);
        }

        return probes;
    }

    // The hash's two 32-bit halves. Both they and every bit count fit in 32 bits, so the two divisions that
    // start each probe sequence can be 32-bit ones.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Low(ulong keyHash) => (uint)keyHash;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint High(ulong keyHash) => (uint)(keyHash >> 32);

    // (delta + i) mod m, with delta < m already: skip the division in the common case.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Advance(ulong delta, uint i, ulong m)
    {
        ulong next = delta + i;
        return next < m ? next : next % m;
    }

    // (h + delta) mod m, with both below m: one subtraction is enough.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Step(ulong h, ulong delta, ulong m)
    {
        ulong next = h + delta;
        return next < m ? next : next - m;
    }
}
