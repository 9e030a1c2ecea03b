using System.Buffers.Binary;
using SlateDB.Format;
using SlateDB.Format.Rows;

namespace SlateDB.Tests.Format.Rows;

public sealed class RowCodecTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Random_rows_round_trip_through_both_codecs(int seed)
    {
        var random = new Random(seed);
        for (var i = 0; i < 500; i++)
        {
            var row = RandomRows.Row(random, RandomRows.Key(random), RandomRows.Seq(random));
            var shared = random.Next(row.Key.Length + 1);
            var because = $"seed {seed}, row {i}";

            foreach (var v1 in new[] { true, false })
            {
                var size = v1 ? RowCodecV1.EncodedSize(row, shared) : RowCodecV2.EncodedSize(row, shared);
                var buffer = new byte[size + 3];
                var written = v1 ? RowCodecV1.Encode(buffer, row, shared) : RowCodecV2.Encode(buffer, row, shared);
                written.Should().Be(size, because);

                var position = 0;
                var decoded = v1
                    ? RowCodecV1.Decode(buffer.AsMemory(0, size), ref position, "test")
                    : RowCodecV2.Decode(buffer.AsMemory(0, size), ref position, "test");
                position.Should().Be(size, because);
                decoded.SharedLength.Should().Be(shared, because);
                var key = decoded.RestoreKey(row.Key, "test");
                RowAssert.Equal(decoded.ToRowEntry(key), RandomRows.AsDecoded(row, v1), because);
            }
        }
    }

    [Fact]
    public void V2_layout_is_varints_then_suffix_value_seq_flags_timestamps()
    {
        var row = RowEntry.Put("prefix_aab"u8.ToArray(), new byte[200], 7, createTs: 2, expireTs: 1);
        var buffer = new byte[RowCodecV2.EncodedSize(row, 9)];
        RowCodecV2.Encode(buffer, row, 9);
        buffer[..4].Should().Equal(9, 1, 0xC8, 0x01); // shared 9, unshared 1, value_len 200 as a 2-byte varint
        buffer[4].Should().Be((byte)'b');
        var tail = buffer.AsSpan(5 + 200);
        BinaryPrimitives.ReadUInt64BigEndian(tail).Should().Be(7);
        tail[8].Should().Be(RowFlags.HasExpireTs | RowFlags.HasCreateTs);
        BinaryPrimitives.ReadInt64BigEndian(tail[9..]).Should().Be(1);
        BinaryPrimitives.ReadInt64BigEndian(tail[17..]).Should().Be(2);
        tail.Length.Should().Be(25);
    }

    [Fact]
    public void V2_keeps_a_tombstone_expire_ts_and_writes_value_len_zero()
    {
        var row = RowEntry.Delete("k"u8.ToArray(), 3, createTs: null, expireTs: 500);
        var buffer = new byte[RowCodecV2.EncodedSize(row, 0)];
        RowCodecV2.Encode(buffer, row, 0);
        buffer[..3].Should().Equal(0, 1, 0);
        var position = 0;
        var decoded = RowCodecV2.Decode(buffer, ref position, "test");
        decoded.Kind.Should().Be(RowKind.Tombstone);
        decoded.ExpireTs.Should().Be(500);
    }

    [Theory]
    [InlineData(0x09)] // tombstone + merge
    [InlineData(0x10)]
    [InlineData(0x20)]
    [InlineData(0x40)]
    [InlineData(0x80)]
    [InlineData(0xFF)]
    public void Bad_flags_are_corrupt_in_both_codecs(byte flags)
    {
        var row = RowEntry.Put("bad"u8.ToArray(), "data"u8.ToArray(), 100);
        var v1 = new byte[RowCodecV1.EncodedSize(row, 0)];
        RowCodecV1.Encode(v1, row, 0);
        v1[4 + 3 + 8] = flags;
        var v2 = new byte[RowCodecV2.EncodedSize(row, 0)];
        RowCodecV2.Encode(v2, row, 0);
        v2[3 + 3 + 4 + 8] = flags;

        var decodeV1 = () => { var p = 0; RowCodecV1.Decode(v1, ref p, "obj"); };
        var decodeV2 = () => { var p = 0; RowCodecV2.Decode(v2, ref p, "obj"); };
        decodeV1.Should().Throw<SlateDbException>().Where(e => e.Kind == SlateDbErrorKind.Data && e.Message.Contains("obj"));
        decodeV2.Should().Throw<SlateDbException>().Where(e => e.Kind == SlateDbErrorKind.Data);
    }

    [Fact]
    public void Every_truncation_is_corrupt_in_both_codecs()
    {
        var row = RowEntry.Put("some-key"u8.ToArray(), "some-value"u8.ToArray(), 42, createTs: 5, expireTs: 6);
        var v1 = new byte[RowCodecV1.EncodedSize(row, 0)];
        RowCodecV1.Encode(v1, row, 0);
        var v2 = new byte[RowCodecV2.EncodedSize(row, 0)];
        RowCodecV2.Encode(v2, row, 0);
        for (var cut = 0; cut < v1.Length; cut++)
        {
            var act = () => { var p = 0; RowCodecV1.Decode(v1.AsMemory(0, cut), ref p, "obj"); };
            act.Should().Throw<SlateDbException>($"V1 cut at {cut}").Which.Kind.Should().Be(SlateDbErrorKind.Data);
        }

        for (var cut = 0; cut < v2.Length; cut++)
        {
            var act = () => { var p = 0; RowCodecV2.Decode(v2.AsMemory(0, cut), ref p, "obj"); };
            act.Should().Throw<SlateDbException>($"V2 cut at {cut}").Which.Kind.Should().Be(SlateDbErrorKind.Data);
        }
    }

    [Fact]
    public void Lying_value_lengths_are_corrupt()
    {
        var row = RowEntry.Put("k"u8.ToArray(), "v"u8.ToArray(), 1);
        var v1 = new byte[RowCodecV1.EncodedSize(row, 0)];
        RowCodecV1.Encode(v1, row, 0);
        BinaryPrimitives.WriteUInt32BigEndian(v1.AsSpan(4 + 1 + 9), uint.MaxValue);
        var decodeV1 = () => { var p = 0; RowCodecV1.Decode(v1, ref p, "obj"); };
        decodeV1.Should().Throw<SlateDbException>().Which.Kind.Should().Be(SlateDbErrorKind.Data);

        // V2 with value_len = u32::MAX as a 5-byte varint.
        byte[] v2 = [0, 1, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, (byte)'k', 0, 0, 0, 0, 0, 0, 0, 1, 0];
        var decodeV2 = () => { var p = 0; RowCodecV2.Decode(v2, ref p, "obj"); };
        decodeV2.Should().Throw<SlateDbException>().Which.Kind.Should().Be(SlateDbErrorKind.Data);
    }

    [Fact]
    public void V1_refuses_keys_over_64_KiB()
    {
        var row = RowEntry.Put(new byte[ushort.MaxValue + 1], "v"u8.ToArray(), 1);
        var act = () => RowCodecV1.Encode(new byte[RowCodecV1.EncodedSize(row, 0)], row, 0);
        act.Should().Throw<ArgumentException>();
    }

    [Fact]
    public void Restoring_a_key_past_the_reference_is_corrupt()
    {
        var row = new DecodedRow(5, "x"u8.ToArray(), default, RowKind.Value, 1, null, null);
        var act = () => row.RestoreKey("abc"u8.ToArray(), "obj");
        act.Should().Throw<SlateDbException>().Which.Kind.Should().Be(SlateDbErrorKind.Data);
    }
}
