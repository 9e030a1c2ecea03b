using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace SlateDB.Format.Filters;

/// <summary>
/// SipHash-1-3 (one compression round per 8-byte word, three finalisation rounds) with a 128-bit key and a
/// 64-bit result, as Aumasson and Bernstein define it. SlateDB hashes bloom filter keys with it, keyed (0, 0),
/// through the Rust <c>siphasher</c> crate's one-shot <c>SipHasher13::hash(&amp;[u8])</c>: that call feeds the
/// bytes as they are, with no length prefix (the length only enters through the final block, as in every SipHash).
/// </summary>
internal static class SipHash13
{
    /// <summary>Hashes <paramref name="data"/> with the key (0, 0), which is what SlateDB's filters use.</summary>
    public static ulong Hash(ReadOnlySpan<byte> data) => Hash(data, 0, 0);

    /// <summary>Hashes <paramref name="data"/> with the key (<paramref name="k0"/>, <paramref name="k1"/>).</summary>
    /// <remarks>
    /// A 16-byte key is split into two little-endian words: bytes 0..7 give <paramref name="k0"/> and bytes
    /// 8..15 give <paramref name="k1"/>.
    /// </remarks>
    public static ulong Hash(ReadOnlySpan<byte> data, ulong k0, ulong k1)
    {
        // Initial state: the key XORed with the ASCII of "somepseudorandomlygeneratedbytes".
        ulong v0 = k0 ^ 0x736f6d6570736575UL;
        ulong v1 = k1 ^ 0x646f72616e646f6dUL;
        ulong v2 = k0 ^ 0x6c7967656e657261UL;
        ulong v3 = k1 ^ 0x7465646279746573UL;

        int wholeWords = data.Length & ~7;
        for (int i = 0; i < wholeWords; i += 8)
        {
            ulong m = BinaryPrimitives.ReadUInt64LittleEndian(data.Slice(i, 8));
            v3 ^= m;
            Round(ref v0, ref v1, ref v2, ref v3);
            v0 ^= m;
        }

        // Last block: the remaining 0..7 bytes little-endian, with the low byte of the total length on top.
        ulong last = (ulong)(uint)data.Length << 56;
        ReadOnlySpan<byte> tail = data[wholeWords..];
        for (int i = 0; i < tail.Length; i++)
        {
            last |= (ulong)tail[i] << (8 * i);
        }

        v3 ^= last;
        Round(ref v0, ref v1, ref v2, ref v3);
        v0 ^= last;

        v2 ^= 0xff;
        Round(ref v0, ref v1, ref v2, ref v3);
        Round(ref v0, ref v1, ref v2, ref v3);
        Round(ref v0, ref v1, ref v2, ref v3);

        return v0 ^ v1 ^ v2 ^ v3;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Round(ref ulong v0, ref ulong v1, ref ulong v2, ref ulong v3)
    {
        v0 += v1;
        v1 = BitOperations.RotateLeft(v1, 13);
        v1 ^= v0;
        v0 = BitOperations.RotateLeft(v0, 32);
        v2 += v3;
        v3 = BitOperations.RotateLeft(v3, 16);
        v3 ^= v2;
        v0 += v3;
        v3 = BitOperations.RotateLeft(v3, 21);
        v3 ^= v0;
        v2 += v1;
        v1 = BitOperations.RotateLeft(v1, 17);
        v1 ^= v2;
        v2 = BitOperations.RotateLeft(v2, 32);
    }
}
