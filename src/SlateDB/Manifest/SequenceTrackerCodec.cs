using System.Buffers.Binary;

namespace SlateDB.Manifest;

/// <summary>
/// The sequence tracker blob of RFC-0012: a version byte (1), the pair count as a little-endian u32, then two
/// Gorilla delta-of-delta bit streams, sequence numbers first, then Unix-second timestamps. Each stream is a
/// 32-bit count, the first value in 64 bits, then per value a prefix code and the delta of deltas (<c>0</c>;
/// <c>10</c>+7 bits; <c>110</c>+9; <c>1110</c>+12; <c>1111</c>+32, two's complement, truncated as SlateDB does).
/// Bits are packed most significant first and each stream is padded to a whole byte.
/// </summary>
internal static class SequenceTrackerCodec
{
    /// <summary>The only version SlateDB writes and reads.</summary>
    public const byte Version = 1;

    /// <summary>Encodes the pairs (both lists have the same length).</summary>
    public static byte[] Encode(IReadOnlyList<ulong> sequenceNumbers, IReadOnlyList<long> timestamps)
    {
        ArgumentNullException.ThrowIfNull(sequenceNumbers);
        ArgumentNullException.ThrowIfNull(timestamps);
        if (sequenceNumbers.Count != timestamps.Count)
        {
            throw new ArgumentException("Sequence numbers and timestamps must pair up.", nameof(timestamps));
        }

        var output = new List<byte>(5 + (2 * (12 + sequenceNumbers.Count)));
        output.Add(Version);
        Span<byte> count = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(count, (uint)sequenceNumbers.Count);
        output.AddRange(count);
        EncodeStream(output, sequenceNumbers.Count, i => unchecked((long)sequenceNumbers[i]));
        EncodeStream(output, timestamps.Count, i => timestamps[i]);
        return [.. output];
    }

    /// <summary>Decodes a blob.</summary>
    /// <exception cref="FormatException">The bytes are not a version-1 sequence tracker.</exception>
    public static (ulong[] SequenceNumbers, long[] Timestamps) Decode(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty)
        {
            throw new FormatException("The sequence tracker blob is empty.");
        }

        if (bytes[0] != Version)
        {
            throw new FormatException($"Unsupported sequence tracker version {bytes[0]}.");
        }

        if (bytes.Length < 5)
        {
            throw new FormatException("The sequence tracker blob is too short for its length field.");
        }

        var count = BinaryPrimitives.ReadUInt32LittleEndian(bytes[1..]);
        var offset = 5;
        var sequences = DecodeStream(bytes[offset..], out var consumed);
        if ((uint)sequences.Length != count)
        {
            throw new FormatException($"Expected {count} sequence numbers, found {sequences.Length}.");
        }

        offset += consumed;
        var timestamps = DecodeStream(bytes[offset..], out _);
        if ((uint)timestamps.Length != count)
        {
            throw new FormatException($"Expected {count} timestamps, found {timestamps.Length}.");
        }

        var sequenceNumbers = new ulong[sequences.Length];
        for (var i = 0; i < sequences.Length; i++)
        {
            sequenceNumbers[i] = unchecked((ulong)sequences[i]);
        }

        return (sequenceNumbers, timestamps);
    }

    private static void EncodeStream(List<byte> output, int count, Func<int, long> valueAt)
    {
        var writer = new BitWriter(output);
        writer.Write((uint)count, 32);
        if (count > 0)
        {
            var previous = valueAt(0);
            writer.Write((ulong)previous, 64);
            long previousDelta = 0;
            for (var i = 1; i < count; i++)
            {
                var value = valueAt(i);
                var delta = unchecked(value - previous);
                var dod = unchecked(delta - previousDelta);
                switch (dod)
                {
                    case 0:
                        writer.Write(0, 1);
                        break;
                    case >= -63 and <= 63:
                        writer.Write(0b10, 2);
                        writer.Write(unchecked((ulong)dod) & 0x7F, 7);
                        break;
                    case >= -255 and <= 255:
                        writer.Write(0b110, 3);
                        writer.Write(unchecked((ulong)dod) & 0x1FF, 9);
                        break;
                    case >= -2047 and <= 2047:
                        writer.Write(0b1110, 4);
                        writer.Write(unchecked((ulong)dod) & 0xFFF, 12);
                        break;
                    default:
                        writer.Write(0b1111, 4);
                        writer.Write(unchecked((ulong)dod) & 0xFFFF_FFFF, 32);
                        break;
                }

                previous = value;
                previousDelta = delta;
            }
        }

        writer.Flush();
    }

    private static long[] DecodeStream(ReadOnlySpan<byte> bytes, out int consumedBytes)
    {
        var reader = new BitReader(bytes);
        var count = (uint)reader.Read(32, "the value count");
        if (count == 0)
        {
            consumedBytes = reader.ConsumedBytes;
            return [];
        }

        // Every value after the first takes at least one bit, so a count larger than the bits left is a lie:
        // reject it before allocating anything sized by it.
        if (count - 1 > (ulong)reader.RemainingBits - Math.Min(64UL, (ulong)reader.RemainingBits))
        {
            throw new FormatException($"The stream claims {count} values but holds too few bits.");
        }

        var values = new long[count];
        var previous = unchecked((long)reader.Read(64, "the first value"));
        values[0] = previous;
        long previousDelta = 0;
        for (var i = 1; i < values.Length; i++)
        {
            long dod = 0;
            if (reader.ReadBit())
            {
                var ones = 1;
                while (ones < 4 && reader.ReadBit())
                {
                    ones++;
                }

                var width = ones switch { 1 => 7, 2 => 9, 3 => 12, _ => 32 };
                var raw = reader.Read(width, "a delta of deltas");
                dod = SignExtend(raw, width);
            }

            var delta = unchecked(previousDelta + dod);
            var value = unchecked(previous + delta);
            values[i] = value;
            previousDelta = delta;
            previous = value;
        }

        consumedBytes = reader.ConsumedBytes;
        return values;
    }

    private static long SignExtend(ulong raw, int width)
    {
        var shift = 64 - width;
        return unchecked((long)(raw << shift)) >> shift;
    }

    private struct BitWriter(List<byte> output)
    {
        private byte _current;
        private int _filled;

        public void Write(ulong value, int width)
        {
            for (var i = width - 1; i >= 0; i--)
            {
                if (((value >> i) & 1) != 0)
                {
                    _current |= (byte)(1 << (7 - _filled));
                }

                if (++_filled == 8)
                {
                    output.Add(_current);
                    _current = 0;
                    _filled = 0;
                }
            }
        }

        public readonly void Flush()
        {
            if (_filled > 0)
            {
                output.Add(_current);
            }
        }
    }

    private ref struct BitReader(ReadOnlySpan<byte> bytes)
    {
        private readonly ReadOnlySpan<byte> _bytes = bytes;
        private long _bitPosition;

        public readonly long RemainingBits => ((long)_bytes.Length * 8) - _bitPosition;

        public readonly int ConsumedBytes => (int)((_bitPosition + 7) / 8);

        public bool ReadBit()
        {
            if (_bitPosition >= (long)_bytes.Length * 8)
            {
                throw new FormatException("The sequence tracker stream ends early.");
            }

            var bit = (_bytes[(int)(_bitPosition >> 3)] >> (7 - (int)(_bitPosition & 7))) & 1;
            _bitPosition++;
            return bit != 0;
        }

        public ulong Read(int width, string what)
        {
            if (RemainingBits < width)
            {
                throw new FormatException($"The sequence tracker stream ends early while reading {what}.");
            }

            ulong value = 0;
            for (var i = 0; i < width; i++)
            {
                value = (value << 1) | (ReadBit() ? 1UL : 0UL);
            }

            return value;
        }
    }
}
