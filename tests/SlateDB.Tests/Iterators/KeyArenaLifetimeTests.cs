using SlateDB.Common;
using SlateDB.Format;
using SlateDB.Format.Blocks;
using SlateDB.Format.Compression;
using SlateDB.Iterators;
using SlateDB.Manifest;
using SlateDB.Sst;
using SlateDB.Storage;
using static SlateDB.Tests.Read.ReadTestKit;

namespace SlateDB.Tests.Iterators;

/// <summary>
/// An SST iterator reading into pooled buffers rebuilds prefix-compressed keys in chunks of a <see cref="RegionKeyArena"/>
/// and retires them with the blocks' buffers. The strictest consumer the pooled-buffer protocol allows hands on each
/// row before the next step and returns every buffer retired during a step right after it: no row may then read a
/// returned (poisoned) chunk, and a reused chunk never changes a row already emitted.
/// </summary>
public sealed class KeyArenaLifetimeTests
{
    [Theory]
    [InlineData("none", 1)]
    [InlineData("none", 64 * 1024)]
    [InlineData("lz4", 16 * 1024)]
    public async Task Rows_over_reused_key_chunks_stay_intact_under_the_strictest_consumer(string codecName, long readAhead)
    {
        var codec = Enum.Parse<BlockCodec>(codecName, ignoreCase: true);
        var options = TestOptions(minFilterKeys: 1);
        var tables = new TableStore(new InMemoryObjectStore(), new DbPaths("db"), options, cache: null);
        var build = new SstBuildSettings(BlockSize: 4096, codec, MinFilterKeys: 1, FilterBitsPerKey: 10);
        var builder = new SstBuilder(build, SstKind.Compacted);
        var prefix = new string('p', 250);
        var keys = Enumerable.Range(0, 3000).Select(i => prefix + i.ToString("D6", System.Globalization.CultureInfo.InvariantCulture)).ToList();
        foreach (var key in keys)
        {
            builder.Add(RowEntry.Put(B(key), B("v" + key[^6..]), 1));
        }

        var handle = await tables.WriteCompactedAsync(new Ulid(5, 5), builder, CancellationToken.None);
        var buffers = new BlockBuffers(poisonReturned: true);
        var fetch = new BlockFetch(readAhead, 2, CacheBlocks: false, Buffers: buffers);
        using var iterator = new SstRowIterator(tables, SsTableView.Identity(handle), KeyRange.All, IterationOrder.Ascending, fetch);

        // Each row is handed on (copied) before the next step, as the merge's consumer does.
        var emitted = new List<string>();
        var returned = new List<byte[]>();
        while (await iterator.MoveNextAsync(CancellationToken.None))
        {
            // Every buffer retired during this step backs only rows handed on before it: give them back (poisoned) at once.
            buffers.MoveRetiredTo(returned);
            foreach (var buffer in returned)
            {
                buffers.Return(buffer);
            }

            returned.Clear();
            var row = iterator.Current;
            S(row.Key).Should().Be(keys[emitted.Count], "row {0} is read after the buffers retired before it came back", emitted.Count);
            S(row.Value).Should().Be("v" + keys[emitted.Count][^6..]);
            emitted.Add(S(row.Key));
        }

        emitted.Should().Equal(keys);
        buffers.Returned.Should().BeGreaterThan(5, "key chunks were retired and reused while the iterator ran");
    }
}
