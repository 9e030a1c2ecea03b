using System.Buffers.Binary;
using SlateDB.Manifest;
using Xunit.Abstractions;

namespace SlateDB.Tests.Manifest;

/// <summary>
/// Seeded random and mutated inputs to every metadata decoder: only corrupt-data errors may escape, and no input
/// may take long or allocate much (see <see cref="DecoderHarness"/>).
/// </summary>
public sealed class FuzzTests(ITestOutputHelper output)
{
    private const int InputsPerDecoder = 12_000;

    public static TheoryData<string> Kinds() => new() { "manifest", "compactions", "sst info", "sst index", "sst stats" };

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Random_and_mutated_inputs_only_fail_as_corrupt(string kind)
    {
        const int seed = 4242;
        var random = new Random(seed + kind.Length);
        var decode = DecoderHarness.DecoderFor(kind);
        var samples = DecoderHarness.Samples(kind, seed, count: 16);
        var decoded = 0;
        for (var i = 0; i < InputsPerDecoder; i++)
        {
            var input = Mutate(random, samples, versionPrefixed: kind is "manifest" or "compactions");
            if (DecoderHarness.DecodesOrFailsAsData(decode, input, $"{kind}, seed {seed}, input {i}"))
            {
                decoded++;
            }
        }

        output.WriteLine($"{kind}: {InputsPerDecoder} inputs, {decoded} decoded, {InputsPerDecoder - decoded} rejected as corrupt");
        decoded.Should().BeGreaterThan(0, "some mutations only touch scalars");
        decoded.Should().BeLessThan(InputsPerDecoder);
    }

    [Fact]
    public void Random_and_mutated_sequence_tracker_blobs_only_fail_as_format_errors()
    {
        const int seed = 4243;
        var random = new Random(seed);
        var generator = new ModelGenerator(seed);
        var samples = Enumerable.Range(0, 16).Select(i =>
        {
            var tracker = SequenceTracker.Empty;
            var seq = 0UL;
            var seconds = 0L;
            for (var n = 0; n < i * 3; n++)
            {
                seq += (ulong)generator.Next(0, 100_000);
                seconds += 60L * generator.Next(1, 100);
                tracker = tracker.Record(seq, DateTimeOffset.FromUnixTimeSeconds(seconds));
            }

            return tracker.ToBytes();
        }).ToList();
        var decoded = 0;
        for (var i = 0; i < InputsPerDecoder; i++)
        {
            var input = Mutate(random, samples, versionPrefixed: false);
            try
            {
                SequenceTracker.FromBytes(input);
                decoded++;
            }
            catch (FormatException)
            {
            }
            catch (Exception e)
            {
                throw new Xunit.Sdk.XunitException($"seed {seed}, input {i}: {e.GetType().Name} escaped for {Convert.ToHexString(input)}: {e}");
            }
        }

        output.WriteLine($"sequence tracker: {InputsPerDecoder} inputs, {decoded} decoded");
        decoded.Should().BeGreaterThan(0);
    }

    private static byte[] Mutate(Random random, List<byte[]> samples, bool versionPrefixed)
    {
        var sample = samples[random.Next(samples.Count)];
        byte[] input;
        switch (random.Next(8))
        {
            case 0:
            {
                // Pure noise, sometimes behind a valid version prefix.
                input = new byte[random.Next(0, 300)];
                random.NextBytes(input);
                if (versionPrefixed && input.Length >= 2 && random.Next(2) == 0)
                {
                    BinaryPrimitives.WriteUInt16BigEndian(input, (ushort)random.Next(1, 3));
                }

                return input;
            }

            case 1:
            {
                // A few random bytes changed.
                input = (byte[])sample.Clone();
                for (var n = random.Next(1, 9); n > 0 && input.Length > 0; n--)
                {
                    input[random.Next(input.Length)] = (byte)random.Next(256);
                }

                return input;
            }

            case 2:
            {
                // An aligned 32-bit word (offsets, lengths) set to an interesting value.
                input = (byte[])sample.Clone();
                var start = versionPrefixed ? 2 : 0;
                if (input.Length >= start + 4)
                {
                    var position = start + (4 * random.Next((input.Length - start) / 4));
                    uint[] values = [0, 1, 2, 4, 0x7FFF_FFFF, 0xFFFF_FFFF, 0x8000_0000, (uint)input.Length, (uint)(input.Length - 4), (uint)random.Next(0, 64), 0xFFFF_FFFC];
                    BinaryPrimitives.WriteUInt32LittleEndian(input.AsSpan(position), values[random.Next(values.Length)]);
                }

                return input;
            }

            case 3:
            {
                // An aligned 16-bit word (vtable entries) set to an interesting value.
                input = (byte[])sample.Clone();
                if (input.Length >= 2)
                {
                    var position = 2 * random.Next(input.Length / 2);
                    ushort[] values = [0, 1, 2, 3, 4, 0x7FFF, 0x8000, 0xFFFF, (ushort)random.Next(0, 64)];
                    BinaryPrimitives.WriteUInt16LittleEndian(input.AsSpan(position), values[random.Next(values.Length)]);
                }

                return input;
            }

            case 4:
            {
                // A span removed.
                if (sample.Length == 0)
                {
                    return sample;
                }

                var start = random.Next(sample.Length);
                var length = random.Next(1, Math.Min(16, sample.Length - start) + 1);
                return [.. sample[..start], .. sample[(start + length)..]];
            }

            case 5:
            {
                // A span of noise inserted.
                var insert = new byte[random.Next(1, 16)];
                random.NextBytes(insert);
                var at = random.Next(sample.Length + 1);
                return [.. sample[..at], .. insert, .. sample[at..]];
            }

            case 6:
            {
                // Two samples spliced together.
                var other = samples[random.Next(samples.Count)];
                var cut = random.Next(sample.Length + 1);
                var otherCut = random.Next(other.Length + 1);
                return [.. sample[..cut], .. other[otherCut..]];
            }

            default:
            {
                // Truncated, with a few bits flipped.
                input = sample[..random.Next(sample.Length + 1)];
                for (var n = random.Next(0, 3); n > 0 && input.Length > 0; n--)
                {
                    input[random.Next(input.Length)] ^= (byte)(1 << random.Next(8));
                }

                return input;
            }
        }
    }
}
