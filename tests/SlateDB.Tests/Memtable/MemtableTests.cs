using SlateDB.Format;
using SlateDB.Memtable;

namespace SlateDB.Tests.Memtable;

public sealed class MemtableTests
{
    private static readonly byte[] s_a = [0x61];
    private static readonly byte[] s_b = [0x62];

    [Fact]
    public void Freezing_keeps_the_rows_records_the_wal_id_and_stops_inserts()
    {
        var memtable = new WritableMemtable(levelSeed: 1);
        memtable.IsEmpty.Should().BeTrue();
        memtable.Put(RowEntry.Put(s_a, s_b, 1));
        memtable.Put(RowEntry.Delete(s_b, 2));

        var frozen = memtable.Freeze(recentFlushedWalId: 17);

        frozen.RecentFlushedWalId.Should().Be(17);
        frozen.Table.Should().BeSameAs(memtable.Table);
        frozen.Metadata.EntryCount.Should().Be(2);
        frozen.Table.TryGet(s_b, ulong.MaxValue, out var row).Should().BeTrue();
        row.IsTombstone.Should().BeTrue();

        var put = () => memtable.Put(RowEntry.Put(s_a, s_a, 3));
        put.Should().Throw<InvalidOperationException>();
        var freezeAgain = () => memtable.Freeze(18);
        freezeAgain.Should().Throw<InvalidOperationException>();
        memtable.Metadata.LastSeq.Should().Be(2);
    }

    [Fact]
    public void Filter_after_seq_keeps_newer_rows_and_the_wal_id()
    {
        var memtable = new WritableMemtable();
        for (ulong seq = 1; seq <= 6; seq++)
        {
            memtable.Put(RowEntry.Put(seq % 2 == 0 ? s_a : s_b, s_a, seq));
        }

        var filtered = memtable.Freeze(5).FilterAfterSeq(3);

        filtered.RecentFlushedWalId.Should().Be(5);
        filtered.Table.IsFrozen.Should().BeTrue();
        var rows = new List<RowEntry>();
        var iterator = filtered.Table.Iterate();
        while (iterator.TryNext(out var row))
        {
            rows.Add(row);
        }

        rows.Select(r => (r.Key.Span[0], r.Seq)).Should().Equal((0x61, 6UL), (0x61, 4UL), (0x62, 5UL));
        filtered.Metadata.FirstSeq.Should().Be(4);
    }

    [Fact]
    public void Wrapping_a_live_table_freezes_it()
    {
        var table = new KvTable();
        table.Put(RowEntry.Put(s_a, s_a, 1));

        var immutable = new ImmutableMemtable(table, 3);

        table.IsFrozen.Should().BeTrue();
        immutable.Table.TryGet(s_a, 1, out _).Should().BeTrue();
    }
}
