using SlateDB.Common;

namespace SlateDB.Tests.Common;

public sealed class UuidPartsTests
{
    [Fact]
    public void Pair_matches_the_rust_uuid_crate()
    {
        // The uuid crate documents as_u64_pair on this UUID as (0xa1a2a3a4b1b2c1c2, 0xd1d2d3d4d5d6d7d8).
        var uuid = Guid.Parse("a1a2a3a4-b1b2-c1c2-d1d2-d3d4d5d6d7d8");
        UuidParts.ToPair(uuid).Should().Be((0xa1a2a3a4b1b2c1c2UL, 0xd1d2d3d4d5d6d7d8UL));
        UuidParts.FromPair(0xa1a2a3a4b1b2c1c2UL, 0xd1d2d3d4d5d6d7d8UL).Should().Be(uuid);
    }

    [Fact]
    public void Random_uuids_round_trip_and_their_text_is_the_hex_of_the_pair()
    {
        const int seed = 99;
        var random = new Random(seed);
        for (var i = 0; i < 500; i++)
        {
            var bytes = new byte[16];
            random.NextBytes(bytes);
            var uuid = new Guid(bytes);
            var (high, low) = UuidParts.ToPair(uuid);
            UuidParts.FromPair(high, low).Should().Be(uuid, $"seed {seed}");
            uuid.ToString("N").Should().Be($"{high:x16}{low:x16}", $"seed {seed}");
        }
    }
}
