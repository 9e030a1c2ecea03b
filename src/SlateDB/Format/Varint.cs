using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace SlateDB.Format;

/// <summary>
/// Unsigned LEB128 varints of at most 32 bits, as SlateDB's V2 row codec writes them: seven bits per byte,
/// low groups first, the high bit set on every byte but the last. At most five bytes; a value that does not
/// fit in 32 bits is rejected.
/// </summary>
internal static class Varint
{
    /// <summary>The longest encoding of a u32.</summary>
    public const int MaxLength = 5;

    /// <summary>How many bytes <see cref="Write"/> uses for <paramref name="value"/>.</summary>
    public static int Length(uint value)
    {
        var length = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            length++;
        }

        return length;
    }

    /// <summary>Writes <paramref name="value"/> at the start of <paramref name="destination"/> and returns the bytes used.</summary>
    public static int Write(Span<byte> destination, uint value)
    {
        var written = 0;
        while (value >= 0x80)
        {
            destination[written++] = (byte)(value | 0x80);
            value >>= 7;
        }

        destination[written++] = (byte)value;
        return written;
    }

    /// <summary>
    /// Reads a varint at <paramref name="position"/> in <paramref name="source"/> and advances the position.
    /// Returns false, leaving the position unchanged, when the bytes end first, the encoding runs past five
    /// bytes, or the value overflows 32 bits.
    /// </summary>
    /// <remarks>
    /// A one-byte varint (every length below 128) is read inline; longer ones by <see cref="TryReadLong"/>. Inlined so
    /// that precompiled and first-tier code, which has no profile to guide inlining, reads row headers without calls.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryRead(ReadOnlySpan<byte> source, ref int position, out uint value)
    {
        var pos = position;
        if ((uint)pos < (uint)source.Length && source[pos] < 0x80)
        {
            value = source[pos];
            position = pos + 1;
            return true;
        }

        return TryReadLong(source, ref position, out value);
    }

    /// <summary><see cref="TryRead"/> for any length: the loop over up to five bytes.</summary>
    private static bool TryReadLong(ReadOnlySpan<byte> source, ref int position, out uint value)
    {
        uint result = 0;
        var pos = position;
        for (var shift = 0; shift < 35; shift += 7)
        {
            if ((uint)pos >= (uint)source.Length)
            {
                break;
            }

            uint b = source[pos++];
            if (shift == 28 && b > 0x0F)
            {
                // The fifth byte may carry only the top four bits and no continuation.
                break;
            }

            result |= (b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                position = pos;
                value = result;
                return true;
            }
        }

        value = 0;
        return false;
    }

    /// <summary>Like <see cref="TryRead"/> but throws a <see cref="SlateDbErrorKind.Data"/> exception on bad bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Read(ReadOnlySpan<byte> source, ref int position, string objectName)
    {
        var pos = position;
        if ((uint)pos < (uint)source.Length && source[pos] < 0x80)
        {
            position = pos + 1;
            return source[pos];
        }

        return ReadLong(source, ref position, objectName);
    }

    private static uint ReadLong(ReadOnlySpan<byte> source, ref int position, string objectName)
    {
        if (!TryReadLong(source, ref position, out var value))
        {
            ThrowInvalid(objectName, position);
        }

        return value;
    }

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowInvalid(string objectName, int position) =>
        Corruption.Throw(objectName, $"invalid or truncated varint at byte {position}");
}
