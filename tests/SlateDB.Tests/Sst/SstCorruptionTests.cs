using SlateDB.Format;
using SlateDB.Format.FlatBuffers;
using SlateDB.Manifest;
using SlateDB.Manifest.Codec;
using SlateDB.Sst;
using SlateDB.Storage;
using SlateDB.Tests.Compatibility;
using Xunit.Abstractions;

namespace SlateDB.Tests.Sst;

/// <summary>
/// Flipped bits and truncations in objects the real SlateDB 0.12.1 wrote. Every part of an SST but the footer is under
/// a CRC-32 (data, filter, index and statistics blocks each end with one, the info too), and CRC-32 catches every
/// single-bit error. A flipped footer bit either makes the version one no reader accepts (1 and 2 differ in two bits,
/// so one flip never turns one into the other) or moves the info offset, after which the info's CRC no longer
/// matches. So reading a whole SST must fail for every flip, with a Data error naming the object: no flip is exempt.
/// Manifests and <c>.compactions</c> files have no checksum: a flip may decode, but nothing but a Data error may escape.
/// </summary>
public sealed class SstCorruptionTests(ITestOutputHelper output)
{
    private const int Seed = 20_121;
    private const int DataBlockSamples = 3000;

    /// <summary>The smallest compacted SST of the fixtures that has a bloom filter (so: every kind of section).</summary>
    private static readonly Lazy<(string Name, byte[] Bytes)> s_filteredSst = new(() => SlateDbFixture.Codecs
        .SelectMany(codec => SlateDbFixture.Load(codec).Compacted.Select(sst => (Name: SlateDbFixture.CompactedName(sst.Key), Bytes: sst.Value)))
        .Where(sst => SstFile.Open(sst.Bytes, sst.Name).Filter is not null)
        .MinBy(sst => sst.Bytes.Length));

    [Fact]
    public void Every_flipped_bit_outside_the_data_blocks_and_a_sample_inside_them_is_detected()
    {
        var (name, original) = s_filteredSst.Value;
        var bytes = original.ToArray();
        var sst = SstFile.Open(bytes, name);
        sst.Filter.Should().NotBeNull();
        sst.StatsRange.Should().NotBeNull();
        var random = new Random(Seed);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        var dataEnd = (int)sst.DataEnd;
        var positions = Enumerable.Range(dataEnd, bytes.Length - dataEnd)
            .Concat(Enumerable.Range(0, DataBlockSamples).Select(_ => random.Next(dataEnd)))
            .Concat(Enumerable.Range(0, sst.BlockCount).SelectMany(i => new[] { (int)sst.BlockRange(i).Offset, (int)sst.BlockRange(i).End - 1 }));
        foreach (var position in positions)
        {
            var section = Section(sst, bytes.Length, position);

            // Every bit of the info and footer; one seeded bit elsewhere.
            var bits = section is "info" or "footer" ? Enumerable.Range(0, 8) : [random.Next(8)];
            foreach (var bit in bits)
            {
                bytes[position] ^= (byte)(1 << bit);
                ExpectDataError(() => SstContents.Read(bytes, name), name, $"seed {Seed}: bit {bit} of byte {position} ({section}) flipped");
                bytes[position] ^= (byte)(1 << bit);
                counts[section] = counts.GetValueOrDefault(section) + 1;
            }
        }

        bytes.Should().Equal(original);
        output.WriteLine($"{name} ({bytes.Length} bytes): flips detected per section: {string.Join(", ", counts.Select(c => $"{c.Key} {c.Value}"))}");
        counts.Keys.Should().BeEquivalentTo(["data blocks", "filter", "index", "statistics", "info", "footer"]);
        counts["data blocks"].Should().BeGreaterThanOrEqualTo(DataBlockSamples);
    }

    [Fact]
    public void Every_flipped_bit_of_real_wal_ssts_is_detected()
    {
        // A small WAL SST (no filter, no statistics) and the empty fence, every byte, every bit.
        var fixture = SlateDbFixture.Load("snappy");
        var wal = fixture.Wals.Where(w => SstFile.Open(w.Value, SlateDbFixture.WalName(w.Key)).BlockCount > 0).MinBy(w => w.Value.Length);
        var fence = fixture.Wals.First(w => SstFile.Open(w.Value, SlateDbFixture.WalName(w.Key)).BlockCount == 0);
        foreach (var (id, original) in new[] { wal, fence })
        {
            var name = SlateDbFixture.WalName(id);
            var bytes = original.ToArray();
            for (var position = 0; position < bytes.Length; position++)
            {
                for (var bit = 0; bit < 8; bit++)
                {
                    bytes[position] ^= (byte)(1 << bit);
                    ExpectDataError(() => SstContents.Read(bytes, name), name, $"bit {bit} of byte {position} flipped");
                    bytes[position] ^= (byte)(1 << bit);
                }
            }

            output.WriteLine($"{name}: {bytes.Length * 8} flips detected");
        }
    }

    [Fact]
    public void Every_truncation_is_detected()
    {
        var (name, bytes) = s_filteredSst.Value;
        for (var length = 0; length < bytes.Length; length++)
        {
            ExpectDataError(() => SstContents.Read(bytes.AsMemory(0, length), name), name, $"truncated to {length} of {bytes.Length} bytes");
        }
    }

    [Fact]
    public async Task Truncated_objects_fail_through_the_object_store_too()
    {
        var (name, bytes) = s_filteredSst.Value;
        var info = SstFile.Open(bytes, name).Info;
        var store = new InMemoryObjectStore();
        var random = new Random(Seed);
        var lengths = Enumerable.Range(0, 200).Select(_ => random.Next(bytes.Length)).Concat([0, 1, 9, 10, 11, bytes.Length - 1]);
        foreach (var length in lengths)
        {
            await store.PutAsync(name, bytes.AsMemory(0, length), PutMode.Overwrite, CancellationToken.None);

            // Without the manifest's info the footer is read; with it, the footer and info block are still read (in
            // the same ranged read as the index) to check the manifest's copy, so every truncation is found.
            await ExpectDataErrorAsync(() => ReadAllAsync(store, name, null), name, $"truncated to {length}, footer read");
            await ExpectDataErrorAsync(() => ReadAllAsync(store, name, info), name, $"truncated to {length}, info from the manifest");
        }

        await store.PutAsync(name, bytes, PutMode.Overwrite, CancellationToken.None);
        await ReadAllAsync(store, name, null);
        await ReadAllAsync(store, name, info);
    }

    [Theory]
    [MemberData(nameof(SlateDbFixtureTests.Codecs), MemberType = typeof(SlateDbFixtureTests))]
    public void Corrupted_bytes_in_real_manifests_decode_or_fail_as_data(string codec)
    {
        var fixture = SlateDbFixture.Load(codec);
        var (id, original) = fixture.Manifests.Last();
        var name = SlateDbFixture.ManifestName(id);
        var decoded = ManifestCodec.Decode(original, name);
        var outcomes = FlipEveryByte(original, bytes => ManifestCodec.Decode(bytes, name), name);
        output.WriteLine($"{name} ({original.Length} bytes): {outcomes.Decoded} corruptions decode (the manifest has no checksum), {outcomes.Rejected} are rejected");
        outcomes.Rejected.Should().BePositive();
        CheckTruncations(original, decoded, bytes => ManifestCodec.Decode(bytes, name), name);
    }

    [Theory]
    [MemberData(nameof(SlateDbFixtureTests.Codecs), MemberType = typeof(SlateDbFixtureTests))]
    public void Corrupted_bytes_in_real_compactions_files_decode_or_fail_as_data(string codec)
    {
        var fixture = SlateDbFixture.Load(codec);
        var (id, original) = fixture.Compactions.Last();
        var name = SlateDbFixture.CompactionsName(id);
        var decoded = CompactionsCodec.Decode(original, name);
        var outcomes = FlipEveryByte(original, bytes => CompactionsCodec.Decode(bytes, name), name);
        output.WriteLine($"{name} ({original.Length} bytes): {outcomes.Decoded} corruptions decode, {outcomes.Rejected} are rejected");
        outcomes.Rejected.Should().BePositive();
        CheckTruncations(original, decoded, bytes => CompactionsCodec.Decode(bytes, name), name);
    }

    /// <summary>
    /// Corrupts each byte of <paramref name="original"/> in turn, twice: one seeded bit flipped, then all eight. The
    /// decoder either succeeds or throws a Data error.
    /// </summary>
    private static (int Decoded, int Rejected) FlipEveryByte<T>(byte[] original, Func<byte[], T> decode, string name)
    {
        var random = new Random(Seed);
        var bytes = original.ToArray();
        int decoded = 0, rejected = 0;
        for (var position = 0; position < bytes.Length; position++)
        {
            foreach (var mask in new[] { (byte)(1 << random.Next(8)), (byte)0xFF })
            {
                bytes[position] ^= mask;
                if (TryDecode(() => decode(bytes), name, $"seed {Seed}: byte {position} xor 0x{mask:x2}"))
                {
                    decoded++;
                }
                else
                {
                    rejected++;
                }

                bytes[position] ^= mask;
            }
        }

        return (decoded, rejected);
    }

    /// <summary>
    /// Truncations fail as Data. The one exception is the alignment padding FlatBuffers leaves at the very end of a
    /// buffer, which nothing references: without a checksum or a stored length, losing it cannot be noticed (SlateDB
    /// decodes such a file too), and the decoded value is then exactly the original.
    /// </summary>
    private static void CheckTruncations<T>(byte[] original, T expected, Func<byte[], T> decode, string name)
    {
        var undetectable = 0;
        for (var length = 0; length < original.Length; length++)
        {
            var truncated = original.AsSpan(0, length).ToArray();
            T? value = default;
            if (TryDecode(() => value = decode(truncated), name, $"truncated to {length}"))
            {
                value.Should().Be(expected, $"{name} truncated to {length} of {original.Length} decodes only when the lost tail is unreferenced padding");
                original.AsSpan(length).ToArray().Should().OnlyContain(b => b == 0, $"{name}: padding is zeros");
                undetectable++;
            }
        }

        undetectable.Should().BeLessThan(8, $"{name}: at most the final alignment padding goes unnoticed");
    }

    private static bool TryDecode(Action decode, string name, string what)
    {
        try
        {
            decode();
            return true;
        }
        catch (SlateDbException e) when (e.Kind == SlateDbErrorKind.Data)
        {
            e.Message.Should().Contain(name, what);
            return false;
        }
        catch (Exception e)
        {
            throw new Xunit.Sdk.XunitException($"{name}, {what}: {e.GetType().Name} escaped instead of a Data error: {e}");
        }
    }

    private static void ExpectDataError(Action read, string name, string what)
    {
        if (TryDecode(read, name, what))
        {
            throw new Xunit.Sdk.XunitException($"{name}, {what}: read without an error");
        }
    }

    private static async Task ExpectDataErrorAsync(Func<Task> read, string name, string what)
    {
        try
        {
            await read();
        }
        catch (SlateDbException e) when (e.Kind == SlateDbErrorKind.Data)
        {
            e.Message.Should().Contain(name, what);
            return;
        }
        catch (Exception e)
        {
            throw new Xunit.Sdk.XunitException($"{name}, {what}: {e.GetType().Name} escaped instead of a Data error: {e}");
        }

        throw new Xunit.Sdk.XunitException($"{name}, {what}: read without an error");
    }

    private static async Task ReadAllAsync(IObjectStore store, string name, SsTableInfoModel? knownInfo)
    {
        var sst = await SstFile.OpenAsync(store, name, knownInfo, 2, CancellationToken.None);
        for (var i = 0; i < sst.BlockCount; i++)
        {
            var iterator = (await sst.ReadBlockAsync(store, i, CancellationToken.None)).CreateIterator();
            for (iterator.SeekToFirst(); iterator.IsValid; iterator.Next())
            {
                _ = iterator.Current;
            }
        }

        await sst.ReadStatsAsync(store, CancellationToken.None);
    }

    private static string Section(SstFile sst, int size, int position)
    {
        var at = (ulong)position;
        var info = sst.Info;
        if (position >= size - SstLayout.FooterLength)
        {
            return "footer";
        }

        if (at >= info.StatsOffset + info.StatsLen)
        {
            return "info";
        }

        if (at >= info.StatsOffset)
        {
            return "statistics";
        }

        if (at >= info.IndexOffset)
        {
            return "index";
        }

        return at >= info.FilterOffset ? "filter" : "data blocks";
    }
}
