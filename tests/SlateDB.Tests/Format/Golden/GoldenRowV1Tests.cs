using System.Text;
using SlateDB.Format;
using SlateDB.Format.Rows;

namespace SlateDB.Tests.Format.Golden;

/// <summary>
/// The V1 row codec against SlateDB's own row snapshots (slatedb/testdata/snapshots, row tests of
/// format/row.rs). Each snapshot holds the encoded row as a lossy UTF-8 string, the decoded row and the key
/// rebuilt from the test's first key.
/// </summary>
public sealed class GoldenRowV1Tests
{
    // The cases of SlateDB's row codec test: name, prefix length, suffix, seq, value (null = tombstone),
    // create_ts, expire_ts, and the first key the prefix comes from.
    private static readonly (string Name, int Prefix, byte[] Suffix, ulong Seq, byte[]? Value, long? Create, long? Expire, string FirstKey)[] Cases =
    [
        ("normal row with expire_ts", 3, "key"u8.ToArray(), 1, "value"u8.ToArray(), null, 10, "prefixdata"),
        ("normal row without expire_ts", 0, "key"u8.ToArray(), 1, "value"u8.ToArray(), null, null, ""),
        ("row with both timestamps", 5, "both"u8.ToArray(), 100, "value"u8.ToArray(), 1234567890, 9876543210, "test_both"),
        ("row with only create_ts", 4, "create"u8.ToArray(), 50, "test_value"u8.ToArray(), 1234567890, null, "timecreate"),
        ("tombstone row", 4, "tomb"u8.ToArray(), 1, null, 2, 1, "deadbeefdata"),
        ("empty key suffix", 4, [], 1, "value"u8.ToArray(), null, null, "keyprefixdata"),
        ("large sequence number", 3, "seq"u8.ToArray(), ulong.MaxValue, "value"u8.ToArray(), null, null, "bigseq"),
        ("large value", 2, "big"u8.ToArray(), 1, Enumerable.Repeat((byte)'x', 100).ToArray(), null, null, "bigvalue"),
        ("long key suffix", 2, Enumerable.Repeat((byte)'k', 100).ToArray(), 1, "value"u8.ToArray(), null, null, "longkey"),
        ("unicode key suffix", 3, "你好世界"u8.ToArray(), 1, "value"u8.ToArray(), null, null, "unicode"),
    ];

    public static TheoryData<string> CaseNames => new(Cases.Select(c => c.Name));

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Encoding_and_decoding_match_the_snapshot(string name)
    {
        var c = Cases.Single(x => x.Name == name);
        var snapshot = SnapFile.Load($"row__tests__{name.Replace(' ', '_')}.snap").Items;
        snapshot[0].AsString().Should().Be(name);

        var firstKey = Encoding.UTF8.GetBytes(c.FirstKey);
        var key = firstKey.AsSpan(0, c.Prefix).ToArray().Concat(c.Suffix).ToArray();
        var row = c.Value is null
            ? RowEntry.Delete(key, c.Seq, c.Create, c.Expire)
            : RowEntry.Put(key, c.Value, c.Seq, c.Create, c.Expire);

        var encoded = new byte[RowCodecV1.EncodedSize(row, c.Prefix)];
        RowCodecV1.Encode(encoded, row, c.Prefix).Should().Be(encoded.Length);

        // Encoder -> snapshot: SlateDB stored String::from_utf8_lossy of the bytes; .NET's decoder replaces
        // invalid sequences the same way (one U+FFFD per maximal invalid subpart).
        var stored = snapshot[1].AsString();
        Encoding.UTF8.GetString(encoded).Should().Be(stored);
        if (!stored.Contains('\uFFFD', StringComparison.Ordinal))
        {
            // Lossless: the snapshot gives the exact bytes.
            encoded.Should().Equal(Encoding.UTF8.GetBytes(stored));
        }

        // Snapshot -> decoder.
        var position = 0;
        var decoded = RowCodecV1.Decode(encoded, ref position, "golden");
        position.Should().Be(encoded.Length);
        var expected = snapshot[2];
        decoded.SharedLength.Should().Be((int)expected.Field("key_prefix_len").AsUInt64());
        decoded.KeySuffix.ToArray().Should().Equal(expected.Field("key_suffix").AsBytes());
        decoded.Seq.Should().Be(expected.Field("seq").AsUInt64());
        decoded.ExpireTs.Should().Be(expected.Field("expire_ts").AsOptionalInt64());
        decoded.CreateTs.Should().Be(expected.Field("create_ts").AsOptionalInt64());
        switch (expected.Field("value"))
        {
            case RustIdent { Name: "Tombstone" }:
                decoded.Kind.Should().Be(RowKind.Tombstone);
                decoded.Value.IsEmpty.Should().BeTrue();
                break;
            case RustCall { Name: "Value" } v:
                decoded.Kind.Should().Be(RowKind.Value);
                decoded.Value.ToArray().Should().Equal(v.Arguments[0].AsBytes());
                break;
            default:
                throw new InvalidOperationException("Unexpected value in snapshot.");
        }

        decoded.RestoreKey(firstKey, "golden").ToArray().Should().Equal(snapshot[3].AsBytes());
    }

    [Fact]
    public void Tombstone_expire_ts_is_written_but_dropped_on_read()
    {
        // SlateDB's V1 reader discards a tombstone's expire_ts; the bytes still carry it (flags 0x07).
        var row = RowEntry.Delete("deadtomb"u8.ToArray(), 1, createTs: 2, expireTs: 1);
        var encoded = new byte[RowCodecV1.EncodedSize(row, 4)];
        RowCodecV1.Encode(encoded, row, 4);
        encoded[4 + 4 + 8].Should().Be(0x07);
        encoded.Length.Should().Be(4 + 4 + 8 + 1 + 8 + 8);

        var position = 0;
        var decoded = RowCodecV1.Decode(encoded, ref position, "golden");
        decoded.ExpireTs.Should().BeNull();
        decoded.CreateTs.Should().Be(2);
    }

    [Fact]
    public void Merge_row_matches_slatedb_size()
    {
        // SlateDB's test_encode_decode_merge_row: prefix 5 of "happybeefdata", suffix "merge", both timestamps.
        var row = RowEntry.MergeOperand("happymerge"u8.ToArray(), "value"u8.ToArray(), 1, createTs: 2, expireTs: 1);
        var encoded = new byte[RowCodecV1.EncodedSize(row, 5)];
        RowCodecV1.Encode(encoded, row, 5).Should().Be(43);
        var position = 0;
        var decoded = RowCodecV1.Decode(encoded, ref position, "golden");
        decoded.Kind.Should().Be(RowKind.Merge);
        decoded.ExpireTs.Should().Be(1);
        decoded.CreateTs.Should().Be(2);
        decoded.RestoreKey("happybeefdata"u8.ToArray(), "golden").ToArray().Should().Equal("happymerge"u8.ToArray());
    }
}
