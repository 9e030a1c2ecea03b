using System.Buffers.Binary;

namespace SlateDB;

/// <summary>Ready-made merge operators; each documents the byte layout of its values and operands.</summary>
public static class MergeOperators
{
    /// <summary>
    /// A 64-bit signed counter. Values and operands are exactly 8 bytes: a two's-complement integer, little-endian
    /// (<see cref="BinaryPrimitives.WriteInt64LittleEndian(Span{byte}, long)"/>); an absent value counts as 0, and sums
    /// wrap around on overflow. Anything not 8 bytes long fails the merge.
    /// </summary>
    public static IMergeOperator Int64Add { get; } = new Int64AddOperator();

    /// <summary>
    /// The largest value seen: values and operands are any bytes, compared as unsigned bytes, lexicographically (a
    /// prefix sorts before the longer value), as keys sort. Big-endian unsigned integers of one width, ISO-8601
    /// timestamps of one format and ASCII strings compare as expected. An absent value is smaller than any operand.
    /// </summary>
    public static IMergeOperator Max { get; } = new MaxOperator();

    /// <summary>
    /// Concatenation: the value is the existing value, then <paramref name="separator"/>, then the operand (the
    /// operand alone when there is no existing value). Values and operands are any bytes.
    /// </summary>
    /// <param name="separator">Bytes put between the existing value and each operand; may be empty.</param>
    public static IMergeOperator Append(ReadOnlySpan<byte> separator) => new AppendOperator(separator.ToArray());

    /// <summary>Concatenation with a UTF-8 string separator; see <see cref="Append(ReadOnlySpan{byte})"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="separator"/> is null.</exception>
    public static IMergeOperator Append(string separator)
    {
        ArgumentNullException.ThrowIfNull(separator);
        return Append(System.Text.Encoding.UTF8.GetBytes(separator));
    }

    private sealed class Int64AddOperator : IMergeOperator
    {
        public byte[] Merge(ReadOnlySpan<byte> key, bool hasExisting, ReadOnlySpan<byte> existing, ReadOnlySpan<byte> operand)
        {
            var sum = unchecked((hasExisting ? Read(existing, "existing value") : 0) + Read(operand, "operand"));
            return Write(sum);
        }

        public byte[] MergeBatch(ReadOnlySpan<byte> key, bool hasExisting, ReadOnlySpan<byte> existing, IReadOnlyList<ReadOnlyMemory<byte>> operands)
        {
            ArgumentNullException.ThrowIfNull(operands);
            if (operands.Count == 0 && !hasExisting)
            {
                throw new ArgumentException("No operand to merge and no existing value.", nameof(operands));
            }

            var sum = hasExisting ? Read(existing, "existing value") : 0;
            for (var i = 0; i < operands.Count; i++)
            {
                sum = unchecked(sum + Read(operands[i].Span, "operand"));
            }

            return Write(sum);
        }

        private static long Read(ReadOnlySpan<byte> bytes, string what) => bytes.Length == sizeof(long)
            ? BinaryPrimitives.ReadInt64LittleEndian(bytes)
            : throw new ArgumentException($"Int64Add: the {what} has {bytes.Length} bytes; a 64-bit little-endian integer has 8.");

        private static byte[] Write(long value)
        {
            var bytes = new byte[sizeof(long)];
            BinaryPrimitives.WriteInt64LittleEndian(bytes, value);
            return bytes;
        }

        public override string ToString() => "MergeOperators.Int64Add";
    }

    private sealed class MaxOperator : IMergeOperator
    {
        public byte[] Merge(ReadOnlySpan<byte> key, bool hasExisting, ReadOnlySpan<byte> existing, ReadOnlySpan<byte> operand) =>
            hasExisting && existing.SequenceCompareTo(operand) >= 0 ? existing.ToArray() : operand.ToArray();

        public byte[] MergeBatch(ReadOnlySpan<byte> key, bool hasExisting, ReadOnlySpan<byte> existing, IReadOnlyList<ReadOnlyMemory<byte>> operands)
        {
            ArgumentNullException.ThrowIfNull(operands);
            if (operands.Count == 0 && !hasExisting)
            {
                throw new ArgumentException("No operand to merge and no existing value.", nameof(operands));
            }

            var best = existing;
            var has = hasExisting;
            for (var i = 0; i < operands.Count; i++)
            {
                var operand = operands[i].Span;
                if (!has || operand.SequenceCompareTo(best) > 0)
                {
                    best = operand;
                    has = true;
                }
            }

            return best.ToArray();
        }

        public override string ToString() => "MergeOperators.Max";
    }

    private sealed class AppendOperator(byte[] separator) : IMergeOperator
    {
        public byte[] Merge(ReadOnlySpan<byte> key, bool hasExisting, ReadOnlySpan<byte> existing, ReadOnlySpan<byte> operand)
        {
            if (!hasExisting)
            {
                return operand.ToArray();
            }

            var result = new byte[existing.Length + separator.Length + operand.Length];
            existing.CopyTo(result);
            separator.CopyTo(result.AsSpan(existing.Length));
            operand.CopyTo(result.AsSpan(existing.Length + separator.Length));
            return result;
        }

        public byte[] MergeBatch(ReadOnlySpan<byte> key, bool hasExisting, ReadOnlySpan<byte> existing, IReadOnlyList<ReadOnlyMemory<byte>> operands)
        {
            ArgumentNullException.ThrowIfNull(operands);
            if (operands.Count == 0 && !hasExisting)
            {
                throw new ArgumentException("No operand to merge and no existing value.", nameof(operands));
            }

            long length = hasExisting ? existing.Length : -separator.Length;
            for (var i = 0; i < operands.Count; i++)
            {
                length += separator.Length + operands[i].Length;
            }

            var result = new byte[checked((int)Math.Max(0, length))];
            var at = 0;
            if (hasExisting)
            {
                existing.CopyTo(result);
                at = existing.Length;
            }

            for (var i = 0; i < operands.Count; i++)
            {
                if (i > 0 || hasExisting)
                {
                    separator.CopyTo(result.AsSpan(at));
                    at += separator.Length;
                }

                operands[i].Span.CopyTo(result.AsSpan(at));
                at += operands[i].Length;
            }

            return result;
        }

        public override string ToString() => $"MergeOperators.Append(separator of {separator.Length} bytes)";
    }
}
