using System.Runtime.Intrinsics.X86;
using FluentAssertions;
using SlateDB.Format;
using Xunit;

namespace SlateDB.Tests.Format;

/// <summary>
/// Our CRC-32 against System.IO.Hashing's (the reference the SST and WAL formats were built on, and what Rust's
/// crc32fast computes): every length through the fold's edges, at every start offset within a 16-byte lane, on
/// seeded random bytes.
/// </summary>
public sealed class Crc32IeeeTests
{
    [Fact]
    public void Check_value_of_the_standard_test_string()
    {
        Crc32Ieee.Hash("123456789"u8).Should().Be(0xCBF43926u);
        Crc32Ieee.Hash([]).Should().Be(0u);
        var padded = new byte[4096];
        "123456789"u8.CopyTo(padded);
        Crc32Ieee.Hash(padded).Should().Be(System.IO.Hashing.Crc32.HashToUInt32(padded));
    }

    [Fact]
    public void Every_length_and_alignment_matches_the_reference()
    {
        var random = new Random(20261206);
        var buffer = new byte[1200];
        random.NextBytes(buffer);
        for (var length = 0; length <= 1100; length++)
        {
            for (var offset = 0; offset < 16; offset += length < 200 ? 1 : 5)
            {
                var slice = buffer.AsSpan(offset, length);
                Crc32Ieee.Hash(slice).Should().Be(System.IO.Hashing.Crc32.HashToUInt32(slice), $"length {length} at offset {offset}");
            }
        }
    }

    [Fact]
    public void Large_blocks_match_the_reference()
    {
        var random = new Random(7);
        foreach (var length in new[] { 4096, 4096 + 4, 65_536 + 13, 1 << 20 })
        {
            var data = new byte[length];
            random.NextBytes(data);
            Crc32Ieee.Hash(data).Should().Be(System.IO.Hashing.Crc32.HashToUInt32(data), $"length {length}");
        }
    }

    [Fact]
    public void The_folding_kernel_and_the_byte_table_agree_where_the_cpu_folds()
    {
        // The byte table is what every input under 64 bytes uses, and the tail of the folded ones; on a machine without
        // PCLMULQDQ the fold is not reachable, and Hash uses System.IO.Hashing instead (checked above).
        var random = new Random(11);
        var data = new byte[777];
        random.NextBytes(data);
        (~Crc32Ieee.UpdateBytes(~0u, data)).Should().Be(System.IO.Hashing.Crc32.HashToUInt32(data));
        if (Pclmulqdq.IsSupported)
        {
            for (var length = Crc32Ieee.FoldMinimum; length <= data.Length; length += 7)
            {
                Crc32Ieee.HashFolded(data.AsSpan(0, length)).Should().Be(~Crc32Ieee.UpdateBytes(~0u, data.AsSpan(0, length)), $"length {length}");
            }
        }
    }

    [Fact]
    public void A_flipped_bit_anywhere_changes_the_checksum()
    {
        var random = new Random(3);
        var data = new byte[4096];
        random.NextBytes(data);
        var original = Crc32Ieee.Hash(data);
        for (var bit = 0; bit < data.Length * 8; bit += 61)
        {
            data[bit / 8] ^= (byte)(1 << (bit % 8));
            Crc32Ieee.Hash(data).Should().NotBe(original, $"bit {bit} flipped");
            data[bit / 8] ^= (byte)(1 << (bit % 8));
        }
    }
}
