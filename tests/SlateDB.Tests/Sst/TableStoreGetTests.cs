using SlateDB.Caching;
using SlateDB.Common;
using SlateDB.Format;
using SlateDB.Manifest;
using SlateDB.Sst;
using SlateDB.Storage;
using SlateDB.Testing;
using SlateDB.Tests.Read;
using static SlateDB.Tests.Read.ReadTestKit;

namespace SlateDB.Tests.Sst;

/// <summary>Point lookups in one SST: the right version of keys whose versions span blocks, in as few requests as possible.</summary>
public sealed class TableStoreGetTests
{
    /// <remarks>
    /// Twice: over a store whose reads complete at once (the get searches them without an async state machine), and
    /// over one whose reads complete later (the get goes on once each is done, block by block past the first two).
    /// </remarks>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Gets_find_every_version_of_a_key_spanning_many_blocks_at_any_sequence(bool readsCompleteLater)
    {
        IObjectStore inner = new InMemoryObjectStore();
        if (readsCompleteLater)
        {
            inner = new FaultInjectingObjectStore(inner, new FaultInjectionOptions { Latency = TimeSpan.FromMilliseconds(1), Operations = FaultOperations.GetRange });
        }

        var store = new InstrumentedObjectStore(inner);
        using var cache = new MemoryBlockCache();
        var tables = new TableStore(store, new DbPaths("db"), TestOptions(minFilterKeys: 1), cache);

        // "b" has 600 versions (seq 1000 down to 401), far more than one 4 KiB block holds; "a" and "c" surround it.
        var builder = new SstBuilder(tables.Settings, SstKind.Compacted);
        builder.Add(RowEntry.Put(B("a"), B("a-value"), 5));
        for (var seq = 1000UL; seq > 400; seq--)
        {
            builder.Add(RowEntry.Put(B("b"), B($"b-{seq:D4}-padding-padding"), seq));
        }

        builder.Add(RowEntry.Put(B("c"), B("c-value"), 7));
        var handle = await tables.WriteCompactedAsync(new Ulid(1, 1), builder, CancellationToken.None);
        var view = SsTableView.Identity(handle);
        var sst = await tables.OpenAsync(handle, CancellationToken.None);
        sst.BlockCount.Should().BeGreaterThan(5);

        // Newest first: the first block holding "b" is read, with the next one, in one request.
        store.ResetStats();
        var newest = await tables.GetAsync(view, B("b"), ulong.MaxValue, cacheBlocks: false, CancellationToken.None);
        S(newest!.Value.Value).Should().StartWith("b-1000");
        store.Stats.RangeGets.Should().Be(1);

        foreach (var maxSeq in new ulong[] { 1000, 999, 777, 650, 402, 401 })
        {
            var row = await tables.GetAsync(view, B("b"), maxSeq, cacheBlocks: false, CancellationToken.None);
            row!.Value.Seq.Should().Be(maxSeq);
            S(row.Value.Value).Should().StartWith($"b-{maxSeq:D4}");
        }

        (await tables.GetAsync(view, B("b"), 400, cacheBlocks: false, CancellationToken.None)).Should().BeNull();
        (await tables.GetAsync(view, B("a"), ulong.MaxValue, cacheBlocks: false, CancellationToken.None))!.Value.Seq.Should().Be(5);
        (await tables.GetAsync(view, B("c"), ulong.MaxValue, cacheBlocks: true, CancellationToken.None))!.Value.Seq.Should().Be(7);
        (await tables.GetAsync(view, B("c"), 6, cacheBlocks: true, CancellationToken.None)).Should().BeNull();
        (await tables.GetAsync(view, B("bb"), ulong.MaxValue, cacheBlocks: true, CancellationToken.None)).Should().BeNull();
    }

    [Fact]
    public async Task A_cached_block_is_not_read_again_when_the_blocks_around_it_are()
    {
        var inner = new InMemoryObjectStore();
        var store = new InstrumentedObjectStore(inner);
        using var cache = new MemoryBlockCache();
        var tables = new TableStore(store, new DbPaths("db"), TestOptions(), cache);
        var builder = new SstBuilder(tables.Settings, SstKind.Compacted);
        for (var i = 0; i < 2_000; i++)
        {
            builder.Add(RowEntry.Put(B($"key{i:D5}"), B($"value-{i}-0123456789"), 1));
        }

        var handle = await tables.WriteCompactedAsync(new Ulid(1, 2), builder, CancellationToken.None);
        var sst = await tables.OpenAsync(handle, CancellationToken.None);
        sst.BlockCount.Should().BeGreaterThan(6);

        // Blocks 0 and 5 cached: reading 0..5 fetches only 1..4 ([first missing, last missing]) in one request.
        await tables.ReadBlocksAsync(sst, 0, 1, cacheBlocks: true, CancellationToken.None);
        await tables.ReadBlocksAsync(sst, 5, 1, cacheBlocks: true, CancellationToken.None);
        store.ResetStats();
        var blocks = await tables.ReadBlocksAsync(sst, 0, 6, cacheBlocks: false, CancellationToken.None);
        store.Stats.RangeGets.Should().Be(1);
        store.Stats.BytesRead.Should().Be(sst.BlockRange(4).End - sst.BlockRange(1).Offset);
        blocks.Should().HaveCount(6).And.NotContainNulls();
        for (var b = 0; b < 6; b++)
        {
            var rows = blocks[b].CreateIterator();
            rows.SeekToFirst();
            var first = int.Parse(S(rows.Current.Key)[3..], System.Globalization.CultureInfo.InvariantCulture);
            rows.Current.Key.ToArray().Should().Equal(B($"key{first:D5}"));
            if (b > 0)
            {
                var previous = blocks[b - 1].CreateIterator();
                previous.SeekToLast();
                previous.Current.Key.ToArray().Should().Equal(B($"key{first - 1:D5}"), "block {0} follows block {1}", b, b - 1);
            }
        }

        store.ResetStats();
        (await tables.ReadBlocksAsync(sst, 0, 1, cacheBlocks: false, CancellationToken.None)).Should().ContainSingle();
        store.Stats.Requests.Should().Be(0);
    }
}
