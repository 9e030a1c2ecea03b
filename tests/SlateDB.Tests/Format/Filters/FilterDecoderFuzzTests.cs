using System.Buffers.Binary;
using System.Text;
using SlateDB.Format.Filters;

namespace SlateDB.Tests.Format.Filters;

/// <summary>
/// Feeds seeded random and mutated bytes to every filter decoder, then queries whatever decodes. The only
/// exception allowed out is <see cref="SlateDbException"/> of kind <see cref="SlateDbErrorKind.Data"/>.
/// </summary>
public class FilterDecoderFuzzTests
{
    private const int Iterations = 12_000;

    private static readonly IFilterPolicy[] s_policies = [new BloomFilterPolicy()];

    [Theory]
    [InlineData(1)]
    [InlineData(0x5EED)]
    public void Random_and_mutated_filter_blocks_only_raise_corrupt_data(int seed)
    {
        var random = new Random(seed);
        byte[][] seeds = ValidBlocks(random);
        int decoded = 0, rejected = 0;

        for (int iteration = 0; iteration < Iterations; iteration++)
        {
            byte[] input = (iteration % 4) switch
            {
                0 => RandomBytes(random, random.Next(0, 48)),
                _ => Mutate(random, seeds[random.Next(seeds.Length)]),
            };

            try
            {
                foreach (IReadOnlyList<NamedFilter> filters in DecodeAllWays(input))
                {
                    decoded++;
                    foreach (NamedFilter named in filters)
                    {
                        byte[] probe = RandomBytes(random, random.Next(0, 12));
                        _ = named.Filter.MightMatch(FilterQuery.Point(probe));
                        _ = named.Filter.MightMatch(FilterQuery.Prefix(probe));
                    }
                }
            }
            catch (SlateDbException ex) when (ex.Kind == SlateDbErrorKind.Data)
            {
                rejected++;
            }
            catch (Exception ex)
            {
                throw new Xunit.Sdk.XunitException(
                    $"seed {seed}, iteration {iteration}, input {Convert.ToHexString(input)}: {ex.GetType().Name} escaped: {ex.Message}");
            }
        }

        decoded.Should().BeGreaterThan(Iterations / 10, $"mutations should often stay decodable (seed {seed})");
        rejected.Should().BeGreaterThan(Iterations / 10, $"mutations should often be caught (seed {seed})");
    }

    private static IEnumerable<IReadOnlyList<NamedFilter>> DecodeAllWays(byte[] input)
    {
        yield return FilterBlockCodec.Decode(FilterFormat.Composite, input, s_policies, "fuzz.sst");
        yield return FilterBlockCodec.Decode(FilterFormat.Legacy, input, s_policies, "fuzz.sst");
        yield return [new NamedFilter("_bf", BloomFilter.Decode(input, "fuzz.sst"))];
    }

    private static byte[][] ValidBlocks(Random random)
    {
        byte[] bloomOf(int keys) => BloomFilter.Build(
            Enumerable.Range(0, keys).Select(i => (ReadOnlyMemory<byte>)Encoding.ASCII.GetBytes($"key{i}")), 10);

        var unknown = new OpaqueFilter(RandomBytes(random, 5));
        return
        [
            bloomOf(0),
            bloomOf(3),
            FilterBlockCodec.EncodeComposite([new NamedFilter("_bf", BloomFilter.Decode(bloomOf(4), "x"))]),
            FilterBlockCodec.EncodeComposite(
            [
                new NamedFilter("other", unknown),
                new NamedFilter("_bf", BloomFilter.Decode(bloomOf(2), "x")),
                new NamedFilter("_bf:p=x", unknown),
            ]),
        ];
    }

    private static byte[] Mutate(Random random, byte[] original)
    {
        byte[] copy = [.. original];
        switch (random.Next(6))
        {
            case 0: // flip a few bits
                for (int i = random.Next(1, 4); i > 0 && copy.Length > 0; i--)
                {
                    copy[random.Next(copy.Length)] ^= (byte)(1 << random.Next(8));
                }

                return copy;
            case 1: // truncate
                return copy[..random.Next(copy.Length + 1)];
            case 2: // append junk
                return [.. copy, .. RandomBytes(random, random.Next(1, 16))];
            case 3: // overwrite a big-endian u64 with an extreme length
                if (copy.Length >= 8)
                {
                    ulong[] extremes = [ulong.MaxValue, 1UL << 63, int.MaxValue + 1UL, int.MaxValue, (ulong)copy.Length, 0];
                    BinaryPrimitives.WriteUInt64BigEndian(copy.AsSpan(random.Next(copy.Length - 7)), extremes[random.Next(extremes.Length)]);
                }

                return copy;
            case 4: // overwrite a u16 count or name length
                if (copy.Length >= 2)
                {
                    BinaryPrimitives.WriteUInt16BigEndian(copy.AsSpan(random.Next(copy.Length - 1)), (ushort)random.Next(ushort.MaxValue + 1));
                }

                return copy;
            default: // random bytes in place
                for (int i = random.Next(1, 8); i > 0 && copy.Length > 0; i--)
                {
                    copy[random.Next(copy.Length)] = (byte)random.Next(256);
                }

                return copy;
        }
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    private sealed class OpaqueFilter(byte[] data) : IFilter
    {
        public int EncodedLength => data.Length;

        public int Size => data.Length;

        public bool MightMatch(in FilterQuery query) => true;

        public void Encode(Span<byte> destination) => data.CopyTo(destination);
    }
}
