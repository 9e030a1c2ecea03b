using Microsoft.Extensions.Time.Testing;
using SlateDB.Common;

namespace SlateDB.Tests.Common;

public sealed class IdGeneratorTests
{
    private static readonly DateTimeOffset Start = new(2025, 3, 4, 5, 6, 7, 890, TimeSpan.Zero);

    [Fact]
    public void Same_seed_and_clock_give_the_same_ids()
    {
        var first = Mint(new IdGenerator(new FakeTimeProvider(Start), 7));
        var second = Mint(new IdGenerator(new FakeTimeProvider(Start), 7));
        var other = Mint(new IdGenerator(new FakeTimeProvider(Start), 8));
        first.Should().Equal(second);
        first.Should().NotEqual(other);
    }

    [Fact]
    public void Ulids_carry_the_clock_and_strictly_increase()
    {
        var clock = new FakeTimeProvider(Start);
        var generator = new IdGenerator(clock, 3);
        var ulids = new List<Ulid>();
        for (var i = 0; i < 300; i++)
        {
            ulids.Add(generator.NewUlid());
            if (i % 100 == 99)
            {
                clock.Advance(TimeSpan.FromMilliseconds(5));
            }
        }

        ulids.Should().BeInAscendingOrder().And.OnlyHaveUniqueItems();
        ulids[0].TimestampMs.Should().Be((ulong)Start.ToUnixTimeMilliseconds());
        ulids[^1].TimestampMs.Should().Be((ulong)Start.AddMilliseconds(10).ToUnixTimeMilliseconds());
        ulids[1].Should().Be(new Ulid(ulids[0].High, ulids[0].Low + 1), "within a millisecond the random part counts up");
    }

    [Fact]
    public void Ulids_keep_increasing_when_the_clock_steps_back()
    {
        var clock = new SettableClock { Now = Start };
        var generator = new IdGenerator(clock, 3);
        var before = generator.NewUlid();
        clock.Now = Start.AddSeconds(-10);
        generator.NewUlid().Should().BeGreaterThan(before);
    }

    [Fact]
    public void Uuids_are_version_4_rfc_4122()
    {
        var generator = new IdGenerator(new FakeTimeProvider(Start), 11);
        for (var i = 0; i < 200; i++)
        {
            var text = generator.NewUuid().ToString("D");
            text[14].Should().Be('4');
            text[19].Should().BeOneOf('8', '9', 'a', 'b');
        }
    }

    private sealed class SettableClock : TimeProvider
    {
        public DateTimeOffset Now { get; set; }

        public override DateTimeOffset GetUtcNow() => Now;
    }

    private static List<string> Mint(IdGenerator generator)
        => [.. Enumerable.Range(0, 20).SelectMany(_ => new[] { generator.NewUlid().ToString(), generator.NewUuid().ToString() })];
}
