using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace SlateDB.Format;

/// <summary>
/// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320: what <see cref="System.IO.Hashing.Crc32"/> and Rust's
/// <c>crc32fast</c> compute), fast from a process's first call.
/// </summary>
/// <remarks>
/// <para>Why not only <see cref="System.IO.Hashing.Crc32"/>: its package ships IL alone, so in a fresh process its vector
/// loop runs as tier-0 and then instrumented code until the runtime has re-compiled it, which takes hundreds of
/// milliseconds of the first reads. A cold full scan spent about a third of its time in those checksums (the
/// ColdReadProbe's scan-cold pass: 0.53 s with them, 0.36-0.40 s with verification skipped). The folding kernel here
/// is marked <see cref="MethodImplOptions.AggressiveOptimization"/>: the JIT compiles it fully optimized on its first
/// call and never again, and there is no profile to gather for a loop of carry-less multiplies.</para>
/// <para>Where PCLMULQDQ is missing (ARM, old x86) the work goes to <see cref="System.IO.Hashing.Crc32"/>, which uses
/// the ARM CRC instructions. Inputs under 64 bytes use a byte table.</para>
/// <para>The kernel folds 64 bytes per step with four 128-bit accumulators, folds those into one, folds the remaining
/// 16-byte lanes, then reduces 128 to 64 to 32 bits and finishes with a Barrett reduction (the method of Gopal et al.,
/// "Fast CRC Computation for Generic Polynomials Using PCLMULQDQ Instruction", Intel, 2009, for the bit-reflected
/// polynomial). The constants are x^k mod P(x), bit-reflected, for the fold distances used.</para>
/// </remarks>
internal static class Crc32Ieee
{
    /// <summary>Inputs shorter than this use the byte table: a fold needs at least four lanes.</summary>
    internal const int FoldMinimum = 64;

    private const uint ReflectedPolynomial = 0xEDB88320u;

    private static readonly uint[] ByteTable = BuildTable();

    /// <summary>The CRC-32 of <paramref name="data"/>.</summary>
    public static uint Hash(ReadOnlySpan<byte> data)
    {
        if (data.Length < FoldMinimum)
        {
            return ~UpdateBytes(~0u, data);
        }

        return HashLong(data);
    }

    /// <summary>The CRC-32 of <paramref name="data"/> (at least <see cref="FoldMinimum"/> bytes): folded where the CPU has PCLMULQDQ.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static uint HashLong(ReadOnlySpan<byte> data) =>
        Pclmulqdq.IsSupported ? HashFolded(data) : System.IO.Hashing.Crc32.HashToUInt32(data);

    /// <summary>The CRC-32 of <paramref name="data"/> (at least <see cref="FoldMinimum"/> bytes) by carry-less folding; needs PCLMULQDQ.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static uint HashFolded(ReadOnlySpan<byte> data)
    {
        var folded = data.Length & ~15;
        var state = Fold(~0u, data[..folded]);
        return ~UpdateBytes(state, data[folded..]);
    }

    /// <summary>The byte-at-a-time CRC state after <paramref name="data"/>, starting from <paramref name="state"/>.</summary>
    internal static uint UpdateBytes(uint state, ReadOnlySpan<byte> data)
    {
        var table = ByteTable;
        foreach (var b in data)
        {
            state = table[(byte)(state ^ b)] ^ (state >> 8);
        }

        return state;
    }

    /// <summary>The CRC state after <paramref name="data"/> (a multiple of 16 bytes, at least 64), from <paramref name="state"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static uint Fold(uint state, ReadOnlySpan<byte> data)
    {
        ref var start = ref MemoryMarshal.GetReference(data);
        var remaining = (nuint)data.Length;

        var x1 = Vector128.LoadUnsafe(ref start).AsUInt64() ^ Vector128.CreateScalar((ulong)state);
        var x2 = Vector128.LoadUnsafe(ref start, 16).AsUInt64();
        var x3 = Vector128.LoadUnsafe(ref start, 32).AsUInt64();
        var x4 = Vector128.LoadUnsafe(ref start, 48).AsUInt64();
        nuint offset = 64;
        remaining -= 64;

        // x^(4*128+32) and x^(4*128-32) mod P: folds each lane 512 bits forward.
        var by512 = Vector128.Create(0x154442bd4UL, 0x1c6e41596UL);
        while (remaining >= 64)
        {
            x1 = FoldLane(x1, by512) ^ Vector128.LoadUnsafe(ref start, offset).AsUInt64();
            x2 = FoldLane(x2, by512) ^ Vector128.LoadUnsafe(ref start, offset + 16).AsUInt64();
            x3 = FoldLane(x3, by512) ^ Vector128.LoadUnsafe(ref start, offset + 32).AsUInt64();
            x4 = FoldLane(x4, by512) ^ Vector128.LoadUnsafe(ref start, offset + 48).AsUInt64();
            offset += 64;
            remaining -= 64;
        }

        // x^(128+32) and x^(128-32) mod P: folds one lane 128 bits forward.
        var by128 = Vector128.Create(0x1751997d0UL, 0x0ccaa009eUL);
        x1 = FoldLane(x1, by128) ^ x2;
        x1 = FoldLane(x1, by128) ^ x3;
        x1 = FoldLane(x1, by128) ^ x4;
        while (remaining >= 16)
        {
            x1 = FoldLane(x1, by128) ^ Vector128.LoadUnsafe(ref start, offset).AsUInt64();
            offset += 16;
            remaining -= 16;
        }

        // 128 bits to 64 (appending 32 zero bits), then 64 to 32.
        x1 = Sse2.ShiftRightLogical128BitLane(x1, 8) ^ Pclmulqdq.CarrylessMultiply(by128, x1, 0x01);
        var low32 = Vector128.Create(0xFFFFFFFFUL, 0UL);
        var by64 = Vector128.CreateScalar(0x163cd6124UL);
        x1 = Pclmulqdq.CarrylessMultiply(x1 & low32, by64, 0x00) ^ Sse2.ShiftRightLogical128BitLane(x1, 4);

        // Barrett reduction: low = P(x) (with its x^32 term), high = floor(x^64 / P(x)), both bit-reflected.
        var barrett = Vector128.Create(0x1DB710641UL, 0x1F7011641UL);
        var t = Pclmulqdq.CarrylessMultiply(x1 & low32, barrett, 0x10);
        t = Pclmulqdq.CarrylessMultiply(t & low32, barrett, 0x00);
        return (t ^ x1).AsUInt32().GetElement(1);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<ulong> FoldLane(Vector128<ulong> lane, Vector128<ulong> constants) =>
        Pclmulqdq.CarrylessMultiply(lane, constants, 0x00) ^ Pclmulqdq.CarrylessMultiply(lane, constants, 0x11);

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            var c = i;
            for (var bit = 0; bit < 8; bit++)
            {
                c = (c & 1) != 0 ? (c >> 1) ^ ReflectedPolynomial : c >> 1;
            }

            table[i] = c;
        }

        return table;
    }
}
