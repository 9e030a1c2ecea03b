using System.Text;
using SlateDB.Compaction;
using SlateDB.Format;

namespace SlateDB.Tests.Compaction;

/// <summary>What a compaction keeps of one key's versions.</summary>
public sealed class RetentionFilterTests
{
    private static readonly byte[] Key = Encoding.UTF8.GetBytes("k");

    private static RowEntry Put(ulong seq, long? expireTs = null) => RowEntry.Put(Key, Encoding.UTF8.GetBytes($"v{seq}"), seq, createTs: (long)seq * 10, expireTs);

    private static RowEntry Delete(ulong seq) => RowEntry.Delete(Key, seq, createTs: (long)seq * 10);

    private static RowEntry Merge(ulong seq, long? expireTs = null) => RowEntry.MergeOperand(Key, Encoding.UTF8.GetBytes($"m{seq}"), seq, createTs: (long)seq * 10, expireTs);

    private static List<RowEntry> Apply(RetentionPolicy policy, params RowEntry[] newestFirst)
    {
        var kept = new List<RowEntry>();
        RetentionFilter.Apply(newestFirst, policy, kept);
        return kept;
    }

    private static RetentionPolicy Policy(ulong minSeq = 0, long tick = long.MinValue, bool last = false) => new(minSeq, tick, last);

    private static string Describe(IEnumerable<RowEntry> rows) =>
        string.Join(",", rows.Select(r => $"{r.Kind}@{r.Seq}"));

    [Fact]
    public void Without_snapshots_only_the_newest_version_stays()
    {
        Describe(Apply(Policy(minSeq: 10), Put(9), Put(5), Put(2))).Should().Be("Value@9");
    }

    [Fact]
    public void Versions_above_the_retention_sequence_stay_with_one_boundary_version()
    {
        // A snapshot at 5 reads seq 4; versions newer than 5 are all kept; 2 is shadowed for every reader.
        Describe(Apply(Policy(minSeq: 5), Put(9), Put(7), Put(4), Put(2))).Should().Be("Value@9,Value@7,Value@4");
        Describe(Apply(Policy(minSeq: 4), Put(9), Put(7), Put(4), Put(2))).Should().Be("Value@9,Value@7,Value@4");
        Describe(Apply(Policy(minSeq: 0), Put(9), Put(7), Put(4), Put(2))).Should().Be("Value@9,Value@7,Value@4,Value@2");
    }

    [Fact]
    public void A_snapshot_below_a_delete_keeps_the_version_it_reads()
    {
        // SlateDB's example: put seq 1, put seq 2, snapshot at 3, delete seq 4.
        Describe(Apply(Policy(minSeq: 3), Delete(4), Put(2), Put(1))).Should().Be("Tombstone@4,Value@2");
        Describe(Apply(Policy(minSeq: 3, last: true), Delete(4), Put(2), Put(1))).Should().Be("Tombstone@4,Value@2");
    }

    [Fact]
    public void Tombstones_drop_only_at_the_last_run()
    {
        Describe(Apply(Policy(minSeq: 10), Delete(9), Put(5))).Should().Be("Tombstone@9");
        Apply(Policy(minSeq: 10, last: true), Delete(9), Put(5)).Should().BeEmpty();
        Describe(Apply(Policy(minSeq: 0, last: true), Put(9), Delete(5), Delete(3))).Should().Be("Value@9");
        Describe(Apply(Policy(minSeq: 0, last: true), Delete(9), Put(5), Delete(3))).Should().Be("Tombstone@9,Value@5");
    }

    [Fact]
    public void Expired_values_become_tombstones_with_their_sequence_and_create_time()
    {
        var kept = Apply(Policy(minSeq: 10, tick: 100), Put(9, expireTs: 100), Put(5));
        kept.Should().ContainSingle();
        kept[0].Kind.Should().Be(RowKind.Tombstone);
        kept[0].Seq.Should().Be(9);
        kept[0].CreateTs.Should().Be(90);
        kept[0].ExpireTs.Should().BeNull();
        kept[0].Value.IsEmpty.Should().BeTrue();
    }

    [Fact]
    public void Unexpired_values_stay_as_they_are()
    {
        var original = Put(9, expireTs: 100);
        var kept = Apply(Policy(minSeq: 10, tick: 99), original);
        kept.Should().ContainSingle().Which.Should().Be(original);
    }

    [Fact]
    public void Expired_rows_vanish_at_the_last_run()
    {
        Apply(Policy(minSeq: 10, tick: 100, last: true), Put(9, expireTs: 50), Put(5)).Should().BeEmpty();
    }

    [Fact]
    public void An_expired_newest_version_still_shadows_older_ones()
    {
        // The expired value turns into a tombstone, so the older value (which never expires) is not revived.
        Describe(Apply(Policy(minSeq: 10, tick: 100), Put(9, expireTs: 50), Put(5))).Should().Be("Tombstone@9");
    }

    [Fact]
    public void Merge_operands_are_kept_as_they_are_and_do_not_end_the_history()
    {
        Describe(Apply(Policy(minSeq: 10), Merge(9), Merge(8), Put(5), Put(2))).Should().Be("Merge@9,Merge@8,Value@5");
        Describe(Apply(Policy(minSeq: 10, last: true), Merge(9), Delete(5), Put(2))).Should().Be("Merge@9");
    }

    [Fact]
    public void Expired_merge_operands_are_dropped()
    {
        Describe(Apply(Policy(minSeq: 10, tick: 100), Merge(9, expireTs: 100), Merge(8), Put(5))).Should().Be("Merge@8,Value@5");
    }

    [Fact]
    public void Appends_after_what_the_list_already_holds()
    {
        var kept = new List<RowEntry> { Delete(1) };
        RetentionFilter.Apply([Put(9)], Policy(minSeq: 10, last: true), kept);
        Describe(kept).Should().Be("Tombstone@1,Value@9");
    }
}
