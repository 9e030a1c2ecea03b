using System.Diagnostics;
using SlateDB.Format;
using SlateDB.Format.Compression;
using SlateDB.Format.Filters;
using SlateDB.Format.FlatBuffers;
using SlateDB.Manifest;
using SlateDB.Manifest.Codec;
using SlateDB.Sst;
using SlateDB.Tests.Compatibility;
using Xunit.Abstractions;

namespace SlateDB.Tests.Sst;

/// <summary>
/// Seeded fuzzing at the SST level (blocks and decompressors alone are fuzzed in Format/Fuzz): random, mutated and
/// forged SSTs through <see cref="SstFile.Open"/>, every block, the statistics, the filter and index lookups; and
/// mutated manifests and <c>.compactions</c> files (of both versions) through their decoders. Forged inputs carry
/// lies (offsets, lengths, counts, codecs, versions) behind valid checksums, so they reach the validators. Whatever
/// the input, only a Data error may escape, each input finishes quickly, and no lying length makes the reader
/// allocate much.
/// </summary>
public sealed class SstFuzzTests(ITestOutputHelper output)
{
    private const int SstInputs = 10_000;
    private const int MetadataInputs = 3_000;
    private const long AllocationLimit = 32L * 1024 * 1024;
    private static readonly TimeSpan s_inputLimit = TimeSpan.FromSeconds(2);

    [Fact(Timeout = 120_000)]
    public async Task Ssts_survive_random_mutated_and_forged_input()
    {
        await Task.Run(() =>
        {
            const int seed = 9_121;
            var random = new Random(seed);
            var corpus = SstCorpus(random);
            var probes = Enumerable.Range(0, 6).Select(_ => FuzzMutations.SmallKey(random)).Append([]).ToList();
            var outcomes = new Dictionary<string, (int Read, int Rejected)>(StringComparer.Ordinal);
            for (var i = 0; i < SstInputs; i++)
            {
                var (name, original, forge) = corpus[random.Next(corpus.Count)];
                var (bytes, mutation) = MutateSst(random, original, forge);
                var read = Run(() => Exercise(bytes, name, probes), $"seed {seed}, input {i} ({mutation}) of {name}", bytes);
                var kind = string.Concat(mutation.Split(':')[0].Where(c => !char.IsAsciiDigit(c))).Trim();
                var (ok, bad) = outcomes.GetValueOrDefault(kind);
                outcomes[kind] = read ? (ok + 1, bad) : (ok, bad + 1);
            }

            output.WriteLine($"{SstInputs} SST inputs: " + string.Join(", ", outcomes.OrderBy(o => o.Key, StringComparer.Ordinal).Select(o => $"{o.Key} {o.Value.Read} read / {o.Value.Rejected} rejected")));
            outcomes.Values.Sum(o => o.Rejected).Should().BeGreaterThan(SstInputs / 2, $"seed {seed}");
            outcomes.Values.Sum(o => o.Read).Should().BeGreaterThan(100, $"seed {seed}: some mutations (e.g. separator or entry lies) still read");
        });
    }

    [Fact(Timeout = 120_000)]
    public async Task Manifests_and_compactions_survive_mutated_input()
    {
        await Task.Run(() =>
        {
            const int seed = 12_121;
            var random = new Random(seed);
            var manifests = new List<byte[]>();
            var compactions = new List<byte[]>();
            foreach (var codec in SlateDbFixture.Codecs)
            {
                var fixture = SlateDbFixture.Load(codec);
                foreach (var (id, bytes) in fixture.Manifests.Where(m => m.Key % 5 == 0 || m.Key == fixture.Manifests.Keys.Max()))
                {
                    manifests.Add(bytes);
                    manifests.Add(ManifestCodec.EncodeV2(ManifestCodec.Decode(bytes, SlateDbFixture.ManifestName(id))));
                }

                foreach (var (id, bytes) in fixture.Compactions.Where(c => c.Key % 4 == 0 || c.Key == fixture.Compactions.Keys.Max()))
                {
                    compactions.Add(bytes);
                    compactions.Add(CompactionsCodec.Encode(CompactionsCodec.Decode(bytes, SlateDbFixture.CompactionsName(id)), CompactionsCodec.Version2));
                }
            }

            foreach (var (what, corpus, decode) in new (string, List<byte[]>, Action<byte[]>)[]
            {
                ("manifest", manifests, bytes => ManifestCodec.Decode(bytes, "fuzz/manifest")),
                ("compactions", compactions, bytes => CompactionsCodec.Decode(bytes, "fuzz/compactions")),
            })
            {
                int read = 0, rejected = 0;
                for (var i = 0; i < MetadataInputs; i++)
                {
                    var (bytes, mutation) = FuzzMutations.MutateFlatBuffer(random, corpus[random.Next(corpus.Count)]);
                    if (Run(() => decode(bytes), $"seed {seed}, {what} input {i} ({mutation})", bytes))
                    {
                        read++;
                    }
                    else
                    {
                        rejected++;
                    }
                }

                output.WriteLine($"{what}: {MetadataInputs} inputs, {read} decoded, {rejected} rejected");
                read.Should().BeGreaterThan(100, $"seed {seed}, {what}");
                rejected.Should().BeGreaterThan(MetadataInputs / 4, $"seed {seed}, {what}");
            }
        });
    }

    /// <summary>Runs one input: true when it read, false on a Data error; anything else, a slow input or a big allocation fails.</summary>
    private static bool Run(Action read, string what, byte[] bytes)
    {
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        var watch = Stopwatch.StartNew();
        bool ok;
        try
        {
            read();
            ok = true;
        }
        catch (SlateDbException e) when (e.Kind == SlateDbErrorKind.Data)
        {
            ok = false;
        }
        catch (Exception e)
        {
            throw new InvalidOperationException($"{what}: {e.GetType().Name} escaped: {Convert.ToHexString(bytes)}", e);
        }

        watch.Elapsed.Should().BeLessThan(s_inputLimit, what);
        (GC.GetAllocatedBytesForCurrentThread() - allocated).Should().BeLessThan(AllocationLimit, $"{what}: a lying length must not make the reader allocate");
        return ok;
    }

    /// <summary>Everything a reader does with an SST: open, every block, the statistics, index and filter lookups, seeks.</summary>
    private static void Exercise(byte[] bytes, string name, List<byte[]> probes)
    {
        var contents = SstContents.Read(bytes, name);
        var sst = contents.File;
        foreach (var probe in probes)
        {
            var first = sst.FirstBlockFor(probe);
            (first >= 0 && (first < sst.BlockCount || sst.BlockCount == 0)).Should().BeTrue();
            sst.Filter?.MightMatch(FilterQuery.Point(probe));
            if (sst.BlockCount > 0)
            {
                var range = sst.BlockRange(first);
                var iterator = sst.DecodeBlock(bytes.AsMemory((int)range.Offset, (int)range.Length)).CreateIterator();
                iterator.Seek(probe);
                iterator.SeekForPrev(probe);
            }
        }
    }

    private static List<(string Name, byte[] Bytes, SstForge Forge)> SstCorpus(Random random)
    {
        var corpus = new List<(string, byte[], SstForge)>();
        void Add(string name, byte[] bytes) => corpus.Add((name, bytes, SstForge.FromSst(bytes, name)));
        foreach (var codec in Enum.GetValues<BlockCodec>())
        {
            var settings = new SstBuildSettings(256, codec, MinFilterKeys: 16, FilterBitsPerKey: 10);
            foreach (var count in new[] { 1, 12, 40 })
            {
                var compacted = new SstBuilder(settings, SstKind.Compacted);
                var keys = new SortedSet<byte[]>(Enumerable.Range(0, count).Select(_ => FuzzMutations.SmallKey(random)), Format.ByteComparer.Instance);
                var seq = 1000UL;
                foreach (var key in keys)
                {
                    compacted.Add(random.Next(5) == 0 ? RowEntry.Delete(key, seq--, 7) : RowEntry.Put(key, FuzzMutations.SmallValue(random), seq--, 7, random.Next(3) == 0 ? 99 : null));
                }

                Add($"fuzz/compacted-{codec}-{count}.sst", compacted.Finish().Bytes.ToArray());
                var wal = new SstBuilder(settings, SstKind.Wal);
                for (var i = 0; i < count; i++)
                {
                    wal.Add(RowEntry.Put(FuzzMutations.SmallKey(random), FuzzMutations.SmallValue(random), 50 + (ulong)(i / 3), 7));
                }

                Add($"fuzz/wal-{codec}-{count}.sst", wal.Finish().Bytes.ToArray());
            }

            Add($"fuzz/fence-{codec}.sst", new SstBuilder(settings, SstKind.Compacted).Finish().Bytes.ToArray());
        }

        // The smallest real SSTs of 0.12.1 (a compacted one and a WAL one).
        var snappy = SlateDbFixture.Load("snappy");
        var (id, bytes) = snappy.Compacted.MinBy(s => s.Value.Length);
        Add(SlateDbFixture.CompactedName(id), bytes);
        var (walId, walBytes) = snappy.Wals.Where(w => w.Value.Length > 200).MinBy(w => w.Value.Length);
        Add(SlateDbFixture.WalName(walId), walBytes);
        return corpus;
    }

    private static (byte[] Bytes, string Mutation) MutateSst(Random random, byte[] original, SstForge forge)
    {
        switch (random.Next(12))
        {
            case 0:
                return (FuzzMutations.RandomBytesWithFooter(random), "random");
            case 1:
            case 2:
                return FuzzMutations.MutateBytes(random, original);
            case 3:
            {
                ulong[] lies = [0, 1, (ulong)original.Length, (ulong)original.Length - 10, (ulong)original.Length - 14, (ulong)original.Length - 15, ulong.MaxValue, long.MaxValue, (ulong)random.Next(original.Length)];
                var offset = lies[random.Next(lies.Length)];
                ushort version = random.Next(3) == 0 ? (ushort)random.Next(0, 4) : forge.Version;
                return (forge.Build(footer: f => (random.Next(4) == 0 ? f.InfoOffset : offset, version)), $"footer: offset {offset}, version {version}");
            }

            case 4:
            case 5:
            {
                var lie = random.Next(12);
                var value = FuzzMutations.LyingNumber(random, original.Length);
                return (forge.Build(info: info => FuzzMutations.LieInInfo(random, info, lie, value)), $"info: field {lie} = {value}");
            }

            case 6:
            case 7:
            {
                var lie = random.Next(7);
                return (forge.Build(index: index => FuzzMutations.LieInIndex(random, index, lie, original.Length)), $"index: lie {lie}");
            }

            case 8:
            case 9:
            {
                // A changed section behind a valid checksum: the decompressor or the section's decoder must object.
                var sections = forge.Sections.ToList();
                var target = sections[random.Next(sections.Count)];
                var before = random.Next(2) == 0;
                Func<string, byte[], byte[]> change = (section, content) => section == target ? FuzzMutations.MutateBytes(random, content).Bytes : content;
                return (before ? forge.Build(raw: change) : forge.Build(stored: change), $"{(before ? "raw" : "stored")} {target}: changed under a valid checksum");
            }

            case 10:
            {
                // A lying decompressed size at the front of every compressed section.
                var size = (uint)FuzzMutations.LyingNumber(random, 1 << 20);
                return (forge.Build(stored: (_, content) => FuzzMutations.LyingSizePrefix(forge.Codec, content, size)), $"stored: size prefix {size}");
            }

            default:
            {
                // A bloom filter with a lying probe count or a cut bit array.
                var probes = (ushort)(random.Next(3) == 0 ? 0 : random.Next(0, 0x10000));
                var keep = random.Next(4);
                return (forge.Build(raw: (section, content) => section == "filter" ? FuzzMutations.LieInFilter(content, probes, keep) : content), $"filter: {probes} probes, cut {keep}");
            }
        }
    }

}
