using SlateDB.Storage;

namespace SlateDB.Tests.Storage;

/// <summary>
/// Ranged reads into a caller's buffer (<see cref="IRangeReadInto"/>): the scans' and the compaction's pooled
/// read-ahead buffers. Every store that says it reads into buffers must read exactly what <see cref="IObjectStore.GetRangeAsync"/>
/// returns, clipped the same way, and touch nothing past the bytes it read.
/// </summary>
public abstract partial class ObjectStoreContractTests
{
    private const byte Untouched = 0xEE;

    /// <summary>Whether the store reads ranges into a caller's buffer (all but the in-memory store).</summary>
    protected virtual bool ReadsIntoBuffers => true;

    /// <summary>A fresh store as a reader into buffers; null (after checking that the store says it cannot) otherwise.</summary>
    private IRangeReadInto? StoreReadingIntoBuffers()
    {
        if (CreateStore() is IRangeReadInto { CanReadInto: true } into)
        {
            return into;
        }

        ReadsIntoBuffers.Should().BeFalse("the store does not read into a caller's buffer");
        return null;
    }

    [StoreFact]
    public void The_store_says_whether_it_reads_ranges_into_a_callers_buffer()
    {
        (CreateStore() is IRangeReadInto { CanReadInto: true }).Should().Be(ReadsIntoBuffers);
    }

    [StoreFact]
    public async Task Ranged_reads_into_a_buffer_return_the_ranges_bytes_clipped_at_the_end()
    {
        if (StoreReadingIntoBuffers() is not { } into)
        {
            return;
        }

        var store = (IObjectStore)into;
        var data = SeededBytes(300_000, seed: 7);
        await store.PutAsync("db/compacted/a.sst", data, PutMode.Overwrite, default);
        var destination = new byte[200_000];

        foreach (var (offset, length, expected) in new (long, long, int)[] { (1_000, 150_000, 150_000), (0, 1, 1), (250_000, 100_000, 50_000), (299_999, 200_000, 1) })
        {
            destination.AsSpan().Fill(Untouched);
            var read = await into.ReadRangeIntoAsync("db/compacted/a.sst", new ByteRange(offset, length), destination, default);

            read.Should().Be(expected, $"the range [{offset}, {offset + length}) of 300,000 bytes");
            destination.AsSpan(0, read).SequenceEqual(data.AsSpan((int)offset, read)).Should().BeTrue();
            destination.AsSpan(read).ContainsAnyExcept(Untouched).Should().BeFalse("nothing past the bytes read is written");
            var got = await store.GetRangeAsync("db/compacted/a.sst", new ByteRange(offset, length), default);
            got!.Data.Length.Should().Be(read, "a read into a buffer clips as a ranged GET does");
        }
    }

    [StoreFact]
    public async Task Ranged_reads_into_a_buffer_at_or_past_the_end_or_of_nothing_read_no_bytes()
    {
        if (StoreReadingIntoBuffers() is not { } into)
        {
            return;
        }

        var store = (IObjectStore)into;
        await store.PutAsync("db/a", SeededBytes(1_000, seed: 8), PutMode.Overwrite, default);
        await store.PutAsync("db/empty", Array.Empty<byte>(), PutMode.Overwrite, default);
        var destination = new byte[100];
        destination.AsSpan().Fill(Untouched);

        (await into.ReadRangeIntoAsync("db/a", new ByteRange(1_000, 10), destination, default)).Should().Be(0);
        (await into.ReadRangeIntoAsync("db/a", new ByteRange(5_000, 10), destination, default)).Should().Be(0);
        (await into.ReadRangeIntoAsync("db/a", new ByteRange(10, 0), destination, default)).Should().Be(0);
        (await into.ReadRangeIntoAsync("db/empty", new ByteRange(0, 10), destination, default)).Should().Be(0);
        destination.AsSpan().ContainsAnyExcept(Untouched).Should().BeFalse();
    }

    [StoreFact]
    public async Task Ranged_reads_into_a_buffer_of_a_missing_object_return_minus_one()
    {
        if (StoreReadingIntoBuffers() is not { } into)
        {
            return;
        }

        var destination = new byte[10];

        (await into.ReadRangeIntoAsync("db/missing", new ByteRange(0, 10), destination, default)).Should().Be(-1);
        (await into.ReadRangeIntoAsync("db/missing", new ByteRange(3, 0), destination, default)).Should().Be(-1);
    }

    [StoreFact]
    public async Task Ranged_reads_into_a_buffer_too_small_for_the_range_or_at_a_bad_path_are_refused()
    {
        if (StoreReadingIntoBuffers() is not { } into)
        {
            return;
        }

        await ((IObjectStore)into).PutAsync("db/a", SeededBytes(100, seed: 9), PutMode.Overwrite, default);

        await FluentActions.Awaiting(() => into.ReadRangeIntoAsync("db/a", new ByteRange(0, 50), new byte[49], default).AsTask())
            .Should().ThrowAsync<ArgumentException>().WithParameterName("destination");
        await FluentActions.Awaiting(() => into.ReadRangeIntoAsync("db/../a", new ByteRange(0, 5), new byte[5], default).AsTask())
            .Should().ThrowAsync<ArgumentException>();
    }
}
