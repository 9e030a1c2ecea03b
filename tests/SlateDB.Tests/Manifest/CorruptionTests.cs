using SlateDB.Manifest;
using SlateDB.Format.FlatBuffers;
using SlateDB.Manifest.Codec;
using Xunit.Abstractions;

namespace SlateDB.Tests.Manifest;

/// <summary>
/// Every single-byte change and every truncation of valid metadata either decodes or fails as corrupt data. Metadata
/// carries no checksum, so a changed byte inside a scalar can decode "successfully": only the failure type is checked.
/// </summary>
public sealed class CorruptionTests(ITestOutputHelper output)
{
    public static TheoryData<string> Kinds() => new() { "manifest", "compactions", "sst info", "sst index", "sst stats" };

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Every_flipped_byte_decodes_or_is_corrupt(string kind)
    {
        const int seed = 100;
        var decode = DecoderHarness.DecoderFor(kind);
        var rejected = 0;
        var total = 0;
        foreach (var sample in DecoderHarness.Samples(kind, seed, count: 4))
        {
            for (var position = 0; position < sample.Length; position++)
            {
                foreach (var change in new Func<byte, byte>[] { b => (byte)(b ^ 0xFF), b => (byte)(b ^ 0x01), b => (byte)(b ^ 0x80), _ => 0 })
                {
                    var mutated = (byte[])sample.Clone();
                    mutated[position] = change(mutated[position]);
                    if (mutated[position] == sample[position])
                    {
                        continue;
                    }

                    total++;
                    if (!DecoderHarness.DecodesOrFailsAsData(decode, mutated, $"{kind}, seed {seed}, byte {position}"))
                    {
                        rejected++;
                    }
                }
            }
        }

        output.WriteLine($"{kind}: {total} single-byte changes, {rejected} rejected as corrupt, {total - rejected} decoded");
        rejected.Should().BeGreaterThan(0);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Every_truncation_decodes_or_is_corrupt(string kind)
    {
        const int seed = 200;
        var decode = DecoderHarness.DecoderFor(kind);
        var rejected = 0;
        var total = 0;
        foreach (var sample in DecoderHarness.Samples(kind, seed, count: 4))
        {
            var original = decode(sample);
            for (var length = 0; length < sample.Length; length++)
            {
                total++;
                var decoded = DecoderHarness.TryDecode(decode, sample[..length], $"{kind}, seed {seed}, length {length}");
                if (decoded is null)
                {
                    rejected++;
                }
                else
                {
                    // Only trailing alignment padding can go without losing data the offsets point to.
                    decoded.Should().Be(original, $"{kind}, seed {seed}: a truncation to {length} of {sample.Length} bytes that decodes must lose nothing");
                }
            }
        }

        output.WriteLine($"{kind}: {total} truncations, {rejected} rejected as corrupt");
        rejected.Should().BeGreaterThan(total * 9 / 10);
    }

    [Fact]
    public void A_vector_length_that_lies_is_rejected_without_a_large_allocation()
    {
        var manifest = ManifestCodec.Encode(new ModelGenerator(3).ManifestV1(maxSsts: 2));
        var decode = DecoderHarness.DecoderFor("manifest");
        var lied = 0;
        // Overwrite each aligned 32-bit word of the flatbuffer with huge values: lengths and offsets alike.
        for (var position = 2; position + 4 <= manifest.Length; position += 4)
        {
            foreach (var value in new uint[] { 0x7FFF_FFFF, 0xFFFF_FFFF, 0x8000_0000, 0x0FFF_FFFF })
            {
                var mutated = (byte[])manifest.Clone();
                BitConverter.TryWriteBytes(mutated.AsSpan(position), value).Should().BeTrue();
                if (!DecoderHarness.DecodesOrFailsAsData(decode, mutated, $"word at {position} = {value:x8}"))
                {
                    lied++;
                }
            }
        }

        lied.Should().BeGreaterThan(0);
    }

    [Fact]
    public void Shared_sub_tables_cannot_blow_up_decoding()
    {
        // One SST entry referenced 4000 times by one sorted run, referenced 4000 times by the manifest: a 35 KB
        // buffer that would expand to 16 million SST entries.
        const int fanOut = 4000;
        var builder = new Google.FlatBuffers.FlatBufferBuilder(1 << 16);
        var sst = Entry(builder);
        builder.StartVector(4, fanOut, 4);
        for (var i = 0; i < fanOut; i++)
        {
            builder.AddOffset(sst.Value);
        }

        var run = SlateDB.Format.FlatBuffers.SortedRun.CreateSortedRun(builder, 1, builder.EndVector());
        builder.StartVector(4, fanOut, 4);
        for (var i = 0; i < fanOut; i++)
        {
            builder.AddOffset(run.Value);
        }

        var runs = builder.EndVector();
        var root = ManifestV1.CreateManifestV1(builder, l0Offset: ManifestV1.CreateL0Vector(builder, []), compactedOffset: runs, checkpointsOffset: ManifestV1.CreateCheckpointsVector(builder, []));
        builder.Finish(root.Value);
        var bytes = ManifestFixtures.WithVersion(1, builder.SizedByteArray());

        DecoderHarness.DecodesOrFailsAsData(DecoderHarness.DecoderFor("manifest"), bytes, "fan-out").Should().BeFalse();
    }

    private static Google.FlatBuffers.Offset<CompactedSsTable> Entry(Google.FlatBuffers.FlatBufferBuilder builder)
    {
        var id = SlateDB.Format.FlatBuffers.Ulid.CreateUlid(builder, 1, 2);
        var info = SsTableInfo.CreateSsTableInfo(builder, SsTableInfo.CreateFirstEntryVectorBlock(builder, [1]));
        return CompactedSsTable.CreateCompactedSsTable(builder, id, info);
    }
}
