using System.Buffers.Binary;
using System.Diagnostics;
using SlateDB.Format;
using SlateDB.Format.Blocks;
using SlateDB.Format.Compression;
using Xunit.Abstractions;

namespace SlateDB.Tests.Format.Fuzz;

/// <summary>
/// Seeded fuzzing of everything that reads stored bytes in this layer: random and mutated blocks through
/// the block decoder and iterators (both formats), random and mutated input through every decompressor.
/// Whatever the input, the only exception allowed out is <see cref="SlateDbException"/> of kind Data, and
/// each input must finish quickly.
/// </summary>
public sealed class FormatFuzzTests(ITestOutputHelper output)
{
    private const int BlockInputs = 7000;
    private const int CompressionInputsPerCodec = 1000;

    [Fact(Timeout = 120_000)]
    public async Task Blocks_survive_random_and_mutated_input()
    {
        await Task.Run(() =>
        {
            const int seed = 20240611;
            var random = new Random(seed);
            var corpus = BuildCorpus(random);
            var probes = Enumerable.Range(0, 8).Select(_ => RandomRows.Key(random)).Append([]).ToList();
            var outcomes = new int[2];
            for (var i = 0; i < BlockInputs; i++)
            {
                var (bytes, mutation) = Mutate(random, corpus[random.Next(corpus.Count)]);
                foreach (var version in new[] { BlockFormatVersion.V1, BlockFormatVersion.V2 })
                {
                    var watch = Stopwatch.StartNew();
                    try
                    {
                        Exercise(Block.Decode(bytes, version, "fuzz"), probes);
                        outcomes[0]++;
                    }
                    catch (SlateDbException e) when (e.Kind == SlateDbErrorKind.Data)
                    {
                        outcomes[1]++;
                    }
                    catch (Exception e)
                    {
                        throw new InvalidOperationException($"seed {seed}, input {i} ({mutation}), {version}: {e.GetType().Name} escaped: {Convert.ToHexString(bytes)}", e);
                    }

                    watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(2), $"seed {seed}, input {i} ({mutation}), {version}");
                }
            }

            output.WriteLine($"blocks: {BlockInputs} inputs x 2 formats, decoded {outcomes[0]}, rejected {outcomes[1]}");

            // Both outcomes must actually occur, or the mutations are not exercising anything.
            outcomes.Should().OnlyContain(n => n > 100, $"seed {seed}: decoded {outcomes[0]}, rejected {outcomes[1]}");
        });
    }

    [Fact(Timeout = 120_000)]
    public async Task Decompressors_survive_random_and_mutated_input()
    {
        await Task.Run(() =>
        {
            const int seed = 777;
            var random = new Random(seed);
            var plain = BuildCorpus(random);
            foreach (var codec in new[] { BlockCodec.Snappy, BlockCodec.Zlib, BlockCodec.Lz4, BlockCodec.Zstd })
            {
                var compressed = plain.Select(p => BlockCompression.Compress(codec, p)).ToList();
                var outcomes = new int[2];
                for (var i = 0; i < CompressionInputsPerCodec; i++)
                {
                    var (bytes, mutation) = i % 10 == 0
                        ? (RandomBytes(random, random.Next(0, 300)), "random")
                        : Mutate(random, compressed[random.Next(compressed.Count)]);
                    var watch = Stopwatch.StartNew();
                    try
                    {
                        BlockCompression.Decompress(codec, bytes, "fuzz", maxLength: 1 << 20);
                        outcomes[0]++;
                    }
                    catch (SlateDbException e) when (e.Kind == SlateDbErrorKind.Data)
                    {
                        outcomes[1]++;
                    }
                    catch (Exception e)
                    {
                        throw new InvalidOperationException($"seed {seed}, {codec} input {i} ({mutation}): {e.GetType().Name} escaped: {Convert.ToHexString(bytes)}", e);
                    }

                    watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(2), $"seed {seed}, {codec} input {i} ({mutation})");
                }

                output.WriteLine($"{codec}: {CompressionInputsPerCodec} inputs, decoded {outcomes[0]}, rejected {outcomes[1]}");
                outcomes[1].Should().BeGreaterThan(100, $"seed {seed}, {codec}: decoded {outcomes[0]}, rejected {outcomes[1]}");
            }
        });
    }

    /// <summary>Reads everything a caller could: both full scans and seeks in both directions.</summary>
    private static void Exercise(Block block, List<byte[]> probes)
    {
        var iterator = block.CreateIterator();
        var steps = 0;
        for (iterator.SeekToFirst(); iterator.IsValid; iterator.Next())
        {
            _ = iterator.Current;
            (++steps).Should().BeLessThan(100_000);
        }

        for (iterator.SeekToLast(); iterator.IsValid; iterator.Prev())
        {
            _ = iterator.Current;
            (++steps).Should().BeLessThan(200_000);
        }

        foreach (var probe in probes)
        {
            iterator.Seek(probe);
            if (iterator.IsValid)
            {
                iterator.Prev();
            }

            iterator.SeekForPrev(probe);
            if (iterator.IsValid)
            {
                iterator.Next();
            }
        }
    }

    private static List<byte[]> BuildCorpus(Random random)
    {
        var corpus = new List<byte[]>();
        foreach (var version in new[] { BlockFormatVersion.V1, BlockFormatVersion.V2 })
        {
            foreach (var blockSize in new[] { 64, 512, 4096 })
            {
                var rows = RandomRows.Sorted(random, 60);
                var builder = BlockBuilder.Create(version, blockSize);
                foreach (var row in rows)
                {
                    if (!builder.TryAdd(row))
                    {
                        corpus.Add(builder.Build());
                        builder.Reset();
                        builder.TryAdd(row);
                    }
                }

                corpus.Add(builder.Build());
            }
        }

        // Keep the corpus small blocks mostly: big values make slow, uninteresting cases.
        return corpus.Where(b => b.Length <= 16 * 1024).Take(40).ToList();
    }

    private static (byte[] Bytes, string Mutation) Mutate(Random random, byte[] original)
    {
        var bytes = (byte[])original.Clone();
        switch (random.Next(8))
        {
            case 0:
                var flips = random.Next(1, 5);
                for (var i = 0; i < flips && bytes.Length > 0; i++)
                {
                    bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
                }

                return (bytes, $"{flips} bit flips");
            case 1:
                var length = random.Next(bytes.Length + 1);
                return (bytes[..length], $"truncated to {length}");
            case 2:
                return (bytes.Concat(RandomBytes(random, random.Next(1, 32))).ToArray(), "extended");
            case 3:
                if (bytes.Length >= 2)
                {
                    BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(^2), (ushort)random.Next(0, 0x10000));
                }

                return (bytes, "lying entry count");
            case 4:
                if (bytes.Length >= 4)
                {
                    // Overwrite one u16 near the end (the offsets live there).
                    var at = bytes.Length - 4 - (2 * random.Next(Math.Min(8, (bytes.Length - 4) / 2 + 1)));
                    BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(Math.Max(0, at)), (ushort)random.Next(0, 0x10000));
                }

                return (bytes, "lying offset");
            case 5:
                if (bytes.Length >= 5)
                {
                    // Plant a huge length (u16, u32 or varint shaped) somewhere in the rows.
                    var at = random.Next(bytes.Length - 4);
                    var span = bytes.AsSpan(at);
                    switch (random.Next(3))
                    {
                        case 0: BinaryPrimitives.WriteUInt16BigEndian(span, 0xFFFF); break;
                        case 1: BinaryPrimitives.WriteUInt32BigEndian(span, (uint)random.Next()); break;
                        default: span[..4].Fill(0xFF); break;
                    }
                }

                return (bytes, "lying length");
            case 6:
                if (bytes.Length > 0)
                {
                    var start = random.Next(bytes.Length);
                    random.NextBytes(bytes.AsSpan(start, Math.Min(bytes.Length - start, random.Next(1, 16))));
                }

                return (bytes, "random run");
            default:
                return (RandomBytes(random, random.Next(0, 200)), "random bytes");
        }
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }
}
