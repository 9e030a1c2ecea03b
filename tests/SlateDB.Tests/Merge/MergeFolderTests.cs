using System.Text;
using SlateDB.Format;
using SlateDB.Merge;

namespace SlateDB.Tests.Merge;

public sealed class MergeFolderTests
{
    private static readonly MergeFolder Folder = new(MergeOperators.Append(","));
    private static readonly byte[] Key = B("k");

    private static byte[] B(string text) => Encoding.UTF8.GetBytes(text);

    private static RowEntry M(string operand, ulong seq, long? expire = null) => RowEntry.MergeOperand(Key, B(operand), seq, createTs: (long)seq, expireTs: expire);

    private static RowEntry P(string value, ulong seq, long? expire = null) => RowEntry.Put(Key, B(value), seq, createTs: (long)seq, expireTs: expire);

    private static RowEntry D(ulong seq) => RowEntry.Delete(Key, seq, createTs: (long)seq);

    private static string Show(RowEntry row) => $"{row.Kind}:{Encoding.UTF8.GetString(row.Value.Span)}@{row.Seq}";

    [Fact]
    public void A_read_folds_live_operands_over_the_newest_live_value_and_skips_the_rest()
    {
        Show(Folder.ResolveRead([M("c", 5), M("b", 4), P("a", 3), M("old", 2)], now: 0)!.Value).Should().Be("Value:a,b,c@5");
        Show(Folder.ResolveRead([M("c", 5), M("b", 4, expire: 10), D(3), P("a", 2)], now: 20)!.Value).Should().Be("Value:c@5", "an expired operand is skipped and a tombstone ends the history");
        Show(Folder.ResolveRead([M("c", 5), P("a", 3, expire: 10)], now: 10)!.Value).Should().Be("Value:c@5", "an expired value counts as absent");
        Folder.ResolveRead([M("c", 5, expire: 1), D(3)], now: 2).Should().BeNull();
        Show(Folder.ResolveRead([M("c", 5, expire: 1), P("a", 3)], now: 2)!.Value).Should().Be("Value:a@3");
    }

    [Fact]
    public void A_read_result_has_the_newest_sequence_latest_create_time_and_earliest_expiry()
    {
        var row = Folder.ResolveRead([M("c", 9, expire: 500), M("b", 7, expire: 300), P("a", 3)], now: 0)!.Value;
        row.Seq.Should().Be(9);
        row.CreateTs.Should().Be(9);
        row.ExpireTs.Should().Be(300);
    }

    [Fact]
    public void A_flush_without_snapshots_folds_operands_into_the_value_beneath()
    {
        var output = new List<RowEntry>();
        MergeFolder.FoldRuns(Folder, [M("c", 5), M("b", 4), P("a", 3), M("x", 2)], FoldBarrier.Snapshots([]), output);
        output.Select(Show).Should().Equal("Value:a,b,c@5", "Merge:x@2");
    }

    [Fact]
    public void Operands_without_a_value_beneath_stay_an_operand_and_a_tombstone_base_gives_a_value()
    {
        var output = new List<RowEntry>();
        MergeFolder.FoldRuns(Folder, [M("c", 5), M("b", 4)], FoldBarrier.Snapshots([]), output);
        output.Select(Show).Should().Equal("Merge:b,c@5");
        output.Clear();
        MergeFolder.FoldRuns(Folder, [M("c", 5), M("b", 4), D(3)], FoldBarrier.Snapshots([]), output);
        output.Select(Show).Should().Equal("Value:b,c@5");
    }

    [Fact]
    public void Into_the_oldest_run_the_oldest_operands_become_the_value_a_read_would_return()
    {
        var output = new List<RowEntry>();
        MergeFolder.FoldRuns(Folder, [M("c", 5), M("b", 4)], FoldBarrier.Snapshots([]), output, nothingOlder: true);
        output.Select(Show).Should().Equal("Value:b,c@5");
        output.Clear();
        MergeFolder.FoldRuns(Folder, [M("d", 6), M("c", 5, expire: 9)], FoldBarrier.Snapshots([]), output, nothingOlder: true);
        output.Select(Show).Should().Equal(["Merge:d@6", "Value:c@5"], "only the oldest run ends the history");
    }

    [Fact]
    public void A_snapshot_between_two_versions_keeps_them_apart()
    {
        var output = new List<RowEntry>();
        MergeFolder.FoldRuns(Folder, [M("d", 6), M("c", 5), M("b", 4), P("a", 3)], FoldBarrier.Snapshots([4]), output);
        output.Select(Show).Should().Equal("Merge:c,d@6", "Value:a,b@4");

        output.Clear();
        MergeFolder.FoldRuns(Folder, [M("d", 6), M("c", 5), M("b", 4), P("a", 3)], FoldBarrier.AtOrAbove(4), output);
        output.Select(Show).Should().Equal(["Merge:d@6", "Merge:c@5", "Value:a,b@4"], "versions above the retention sequence stay as they are");
    }

    [Fact]
    public void Operands_with_different_expiries_are_never_folded_together()
    {
        var output = new List<RowEntry>();
        MergeFolder.FoldRuns(Folder, [M("c", 5, expire: 100), M("b", 4, expire: 100), M("x", 3), P("a", 2)], FoldBarrier.Snapshots([]), output);
        output.Select(Show).Should().Equal(["Merge:b,c@5", "Value:a,x@3"]);
    }

    [Fact]
    public void An_operator_failure_is_an_Invalid_error_naming_the_operator()
    {
        var failing = new MergeFolder(new ThrowingOperator());
        var act = () => failing.ResolveRead([M("b", 2), P("a", 1)], now: 0);
        act.Should().Throw<SlateDbException>().Where(e => e.Kind == SlateDbErrorKind.Invalid && e.Message.Contains("ThrowingOperator") && e.InnerException is InvalidOperationException);
        MergeFolder.IsOperatorFailure(act.Should().Throw<SlateDbException>().Which).Should().BeTrue();
    }

    internal sealed class ThrowingOperator : IMergeOperator
    {
        public byte[] Merge(ReadOnlySpan<byte> key, bool hasExisting, ReadOnlySpan<byte> existing, ReadOnlySpan<byte> operand) =>
            throw new InvalidOperationException("boom");

        public override string ToString() => nameof(ThrowingOperator);
    }
}
