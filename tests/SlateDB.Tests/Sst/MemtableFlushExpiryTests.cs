using SlateDB.Common;
using SlateDB.Format;
using SlateDB.Manifest;
using SlateDB.Memtable;
using SlateDB.Sst;
using SlateDB.Storage;
using SlateDB.Flush;
using SlateDB.Retention;

namespace SlateDB.Tests.Sst;

/// <summary>
/// A memtable flush writes rows expired by the memtable's last write time as tombstones, as SlateDB 0.12.1 does.
/// Regression: ours kept them as values, which SlateDB (whose reads do not hide expired rows) then returned.
/// </summary>
public sealed class MemtableFlushExpiryTests
{
    [Fact]
    public async Task Rows_expired_by_the_last_write_become_tombstones_with_their_sequence_and_create_time()
    {
        var table = new KvTable();
        table.Put(RowEntry.Put(B("a"), B("expired"), seq: 1, createTs: 50, expireTs: 100));
        table.Put(RowEntry.Put(B("b"), B("alive"), seq: 2, createTs: 60, expireTs: 1000));
        table.Put(RowEntry.Put(B("c"), B("exactly at the cutoff"), seq: 3, createTs: 70, expireTs: 200));
        table.Put(RowEntry.Delete(B("d"), seq: 4, createTs: 80));
        table.Put(RowEntry.MergeOperand(B("e"), B("expired operand"), seq: 5, createTs: 90, expireTs: 150));
        table.Put(RowEntry.Put(B("f"), B("no ttl"), seq: 6, createTs: 200));
        table.Freeze();

        var store = new InMemoryObjectStore();
        var paths = new DbPaths("db");
        var tables = new TableStore(store, paths, SlateDbOptions.Default, cache: null);
        var id = new Ulid(1, 2);
        await L0SstWriter.WriteAsync(tables, id, table, [], default);

        var bytes = (await store.GetAsync(paths.CompactedSstPath(id), default))!.Data;
        var rows = SstFile.Open(bytes, "l0").ReadAllRows(bytes).ToDictionary(r => System.Text.Encoding.UTF8.GetString(r.Key.Span));

        rows.Keys.Should().Equal("a", "b", "c", "d", "f");
        rows["a"].Kind.Should().Be(RowKind.Tombstone);
        (rows["a"].Seq, rows["a"].CreateTs, rows["a"].ExpireTs, rows["a"].Value.Length).Should().Be((1UL, 50L, (long?)null, 0));
        rows["c"].Kind.Should().Be(RowKind.Tombstone, "an expiry equal to the last write time has passed");
        rows["c"].Seq.Should().Be(3);
        rows["c"].CreateTs.Should().Be(70);
        rows["b"].Kind.Should().Be(RowKind.Value);
        rows["b"].ExpireTs.Should().Be(1000);
        rows["f"].Kind.Should().Be(RowKind.Value);
    }

    [Fact]
    public void Expiry_leaves_live_rows_alone_and_drops_expired_merge_operands()
    {
        var live = RowEntry.Put(B("k"), B("v"), 9, createTs: 1, expireTs: 11);
        VersionRetention.ApplyExpiry(live, cutoff: 10).Should().Be(live);
        VersionRetention.ApplyExpiry(live, cutoff: 11)!.Value.Kind.Should().Be(RowKind.Tombstone);
        VersionRetention.ApplyExpiry(RowEntry.MergeOperand(B("k"), B("m"), 9, 1, 5), cutoff: 10).Should().BeNull();
        var plain = RowEntry.Put(B("k"), B("v"), 9, createTs: 1);
        VersionRetention.ApplyExpiry(plain, cutoff: long.MaxValue).Should().Be(plain);
    }

    private static byte[] B(string text) => System.Text.Encoding.UTF8.GetBytes(text);
}
