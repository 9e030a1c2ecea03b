using System.Buffers.Binary;
using System.Text;
using SlateDB.Format;
using SlateDB.Memtable;
using SlateDB.Merge;

namespace SlateDB.Tests.Memtable;

/// <summary>
/// Memtable folds (KvTable.Folds.cs): a read that steps over folds returns, at every sequence and every time, what a
/// read of every version returns; folds keep per-operand expiry, stay within their size limits and turn off when a
/// version arrives out of order.
/// </summary>
public sealed class KvTableFoldTests
{
    private static readonly string[] s_keys = ["a", "b", "c", "dddddddddddddddddddddddddddddddddddddddd"];
    private static readonly long[] s_times = [500, 1500, 2500];

    [Theory]
    [InlineData(1, "append")]
    [InlineData(2, "append")]
    [InlineData(3, "add")]
    [InlineData(4, "add")]
    [InlineData(5, "max")]
    public void Folded_reads_equal_reads_of_every_version_at_every_sequence_and_time(int seed, string operatorName)
    {
        var random = new Random(seed);
        var folder = new MergeFolder(Operator(operatorName));
        var table = new KvTable((ulong)seed, folder);
        long? expire = null;
        ulong seq = 0;
        for (var i = 0; i < 600; i++)
        {
            seq++;
            var key = Encoding.UTF8.GetBytes(s_keys[random.Next(s_keys.Length)]);
            if (random.Next(8) == 0)
            {
                // Runs of one expiry, so folds form and break.
                expire = random.Next(3) switch { 0 => null, 1 => 1000L, _ => 2000L };
            }

            var roll = random.Next(100);
            table.Put(roll switch
            {
                < 80 => RowEntry.MergeOperand(key, Operand(operatorName, seq), seq, createTs: (long)seq, expireTs: expire),
                < 93 => RowEntry.Put(key, Operand(operatorName, seq), seq, createTs: (long)seq, expireTs: random.Next(2) == 0 ? expire : null),
                _ => RowEntry.Delete(key, seq, createTs: (long)seq),
            });
        }

        table.FoldBytes.Should().BeGreaterThan(0, "runs of operands were folded");
        table.FoldsOff.Should().BeFalse();
        CheckEverySequence(table, folder, seq, markResolved: false);

        // Marking the newest folds resolved (this table is the only source) changes no read.
        CheckEverySequence(table, folder, seq, markResolved: true);
        CheckEverySequence(table, folder, seq, markResolved: false);
    }

    [Fact]
    public void A_fold_never_joins_operands_of_different_expiries()
    {
        var folder = new MergeFolder(MergeOperators.Append(","));
        var table = new KvTable(folder: folder);
        var key = "k"u8.ToArray();
        table.Put(RowEntry.MergeOperand(key, "a"u8.ToArray(), 1, createTs: 1));
        table.Put(RowEntry.MergeOperand(key, "b"u8.ToArray(), 2, createTs: 2, expireTs: 100));
        table.Put(RowEntry.MergeOperand(key, "c"u8.ToArray(), 3, createTs: 3, expireTs: 100));
        table.Put(RowEntry.MergeOperand(key, "d"u8.ToArray(), 4, createTs: 4));

        table.TryGetFolded(key, 3, out var row, out var step).Should().BeTrue();
        Encoding.UTF8.GetString(row.Value.Span).Should().Be("b,c", "operands of one expiry fold together");
        row.Kind.Should().Be(RowKind.Merge);
        row.ExpireTs.Should().Be(100);
        step.LowSeq.Should().Be(2);
        step.ReachesBottom.Should().BeFalse("the operand below has another expiry");

        table.TryGetFolded(key, 4, out row, out step).Should().BeTrue();
        Encoding.UTF8.GetString(row.Value.Span).Should().Be("d", "the newest operand has another expiry than the one below it");
        step.LowSeq.Should().Be(4);

        Read(table, folder, key, 4, now: 50).Should().Be("a,b,c,d");
        Read(table, folder, key, 4, now: 100).Should().Be("a,d", "the expired operands drop out, the others stay");
    }

    [Fact]
    public void A_fold_over_a_value_or_a_tombstone_is_the_value_a_read_returns()
    {
        var folder = new MergeFolder(MergeOperators.Int64Add);
        var table = new KvTable(folder: folder);
        var key = "n"u8.ToArray();
        table.Put(RowEntry.Put(key, L(100), 1, createTs: 10));
        table.Put(RowEntry.MergeOperand(key, L(1), 2, createTs: 20));
        table.Put(RowEntry.MergeOperand(key, L(2), 3, createTs: 30));
        table.TryGetFolded(key, ulong.MaxValue, out var row, out _).Should().BeTrue();
        row.Kind.Should().Be(RowKind.Value);
        BinaryPrimitives.ReadInt64LittleEndian(row.Value.Span).Should().Be(103);
        (row.Seq, row.CreateTs, row.ExpireTs).Should().Be((3UL, 30L, (long?)null));

        table.Put(RowEntry.Delete(key, 4, createTs: 40));
        table.Put(RowEntry.MergeOperand(key, L(5), 5, createTs: 50));
        table.TryGetFolded(key, ulong.MaxValue, out row, out _).Should().BeTrue();
        row.Kind.Should().Be(RowKind.Value);
        BinaryPrimitives.ReadInt64LittleEndian(row.Value.Span).Should().Be(5, "a tombstone ends the history");
        table.TryGetFolded(key, 2, out row, out _).Should().BeTrue();
        BinaryPrimitives.ReadInt64LittleEndian(row.Value.Span).Should().Be(101, "an older sequence reads its own fold");
    }

    [Fact]
    public void Growing_folds_stay_within_the_size_limits_and_reads_stay_right()
    {
        var folder = new MergeFolder(MergeOperators.Append(""));
        var table = new KvTable(folder: folder);
        var key = "k"u8.ToArray();
        var expected = new StringBuilder();
        for (ulong seq = 1; seq <= 1500; seq++)
        {
            var operand = new string((char)('a' + (int)(seq % 26)), 100);
            expected.Append(operand);
            table.Put(RowEntry.MergeOperand(key, Encoding.UTF8.GetBytes(operand), seq));
            table.FoldBytes.Should().BeLessThanOrEqualTo(table.EstimatedSize + KvTable.FoldBudgetFloor);
        }

        table.TryGetFolded(key, ulong.MaxValue, out var row, out _).Should().BeTrue();
        row.Value.Length.Should().BeLessThanOrEqualTo(KvTable.MaxFoldLength);
        Read(table, folder, key, ulong.MaxValue, now: 0).Should().Be(expected.ToString());
    }

    [Fact]
    public void A_version_below_a_newer_one_turns_folds_off_and_reads_stay_right()
    {
        var folder = new MergeFolder(MergeOperators.Append(","));
        var table = new KvTable(folder: folder);
        var key = "k"u8.ToArray();
        table.Put(RowEntry.MergeOperand(key, "a"u8.ToArray(), 1));
        table.Put(RowEntry.MergeOperand(key, "c"u8.ToArray(), 3));
        table.Put(RowEntry.MergeOperand(key, "d"u8.ToArray(), 4));
        Read(table, folder, key, ulong.MaxValue, now: 0).Should().Be("a,c,d");

        table.Put(RowEntry.MergeOperand(key, "b"u8.ToArray(), 2));
        table.FoldsOff.Should().BeTrue();
        Read(table, folder, key, ulong.MaxValue, now: 0).Should().Be("a,b,c,d");
        Read(table, folder, key, 3, now: 0).Should().Be("a,b,c");
    }

    [Fact]
    public void An_operator_that_fails_leaves_the_operand_unfolded()
    {
        var folder = new MergeFolder(new FailsOn("x"));
        var table = new KvTable(folder: folder);
        var key = "k"u8.ToArray();
        table.Put(RowEntry.MergeOperand(key, "a"u8.ToArray(), 1));
        table.Put(RowEntry.MergeOperand(key, "x"u8.ToArray(), 2));
        table.Put(RowEntry.MergeOperand(key, "b"u8.ToArray(), 3));

        table.TryGetFolded(key, 2, out var row, out var step).Should().BeTrue();
        Encoding.UTF8.GetString(row.Value.Span).Should().Be("x");
        step.LowSeq.Should().Be(2);
        var read = () => Read(table, folder, key, ulong.MaxValue, now: 0);
        read.Should().Throw<SlateDbException>().Which.Kind.Should().Be(SlateDbErrorKind.Invalid);
    }

    [Fact]
    public void Rows_as_stored_and_iterated_are_the_operands_as_written()
    {
        var table = new KvTable(folder: new MergeFolder(MergeOperators.Int64Add));
        var key = "n"u8.ToArray();
        for (ulong seq = 1; seq <= 10; seq++)
        {
            table.Put(RowEntry.MergeOperand(key, L((long)seq), seq, createTs: (long)seq), out var stored);
            stored.Kind.Should().Be(RowKind.Merge);
            BinaryPrimitives.ReadInt64LittleEndian(stored.Value.Span).Should().Be((long)seq);
        }

        var rows = new List<RowEntry>();
        var iterator = table.Iterate();
        while (iterator.TryNext(out var row))
        {
            rows.Add(row);
        }

        rows.Select(r => (r.Kind, r.Seq, BinaryPrimitives.ReadInt64LittleEndian(r.Value.Span)))
            .Should().Equal(Enumerable.Range(1, 10).Reverse().Select(i => (RowKind.Merge, (ulong)i, (long)i)));
        table.EstimatedSize.Should().Be(10 * KvTable.EstimateSize(RowEntry.MergeOperand(key, L(0), 1, createTs: 1)), "folds do not count towards the size that freezes a table");
    }

    private static void CheckEverySequence(KvTable table, MergeFolder folder, ulong lastSeq, bool markResolved)
    {
        foreach (var name in s_keys)
        {
            var key = Encoding.UTF8.GetBytes(name);
            var all = AllVersions(table, key);
            for (var maxSeq = lastSeq; maxSeq >= 1; maxSeq--)
            {
                foreach (var now in s_times)
                {
                    var expected = folder.ResolveRead(all.Where(r => r.Seq <= maxSeq).ToList(), now);
                    var actual = ReadRow(table, folder, key, maxSeq, now, markResolved && now == s_times[0]);
                    Describe(actual).Should().Be(Describe(expected), $"key {name} at seq {maxSeq}, time {now}");
                }
            }
        }
    }

    /// <summary>What the engine's merge read does over this one table.</summary>
    private static RowEntry? ReadRow(KvTable table, MergeFolder folder, byte[] key, ulong maxSeq, long now, bool markResolved = false)
    {
        var versions = new List<RowEntry>();
        var cap = maxSeq;
        FoldStep first = default;
        while (table.TryGetFolded(key, cap, out var row, out var step))
        {
            if (versions.Count == 0)
            {
                first = step;
            }

            versions.Add(row);
            if (row.Kind != RowKind.Merge || step.LowSeq == 0)
            {
                break;
            }

            cap = step.LowSeq - 1;
            if (step.ReachesBottom)
            {
                table.TryGetFolded(key, cap, out _, out _).Should().BeFalse("a fold that reaches the bottom has nothing of its key below it");
                break;
            }
        }

        var result = folder.ResolveRead(versions, now);
        if (markResolved && versions.Count == 1 && first.MarkChunk is not null && result is { } found && found.Value.Span.SequenceEqual(versions[0].Value.Span))
        {
            KvTable.MarkResolved(first);
        }

        return result;
    }

    private static string? Read(KvTable table, MergeFolder folder, byte[] key, ulong maxSeq, long now) =>
        ReadRow(table, folder, key, maxSeq, now) is { } row ? Encoding.UTF8.GetString(row.Value.Span) : null;

    private static List<RowEntry> AllVersions(KvTable table, byte[] key)
    {
        var rows = new List<RowEntry>();
        var iterator = table.Range(KeyBound.Included(key), KeyBound.Included(key), IterationOrder.Ascending);
        while (iterator.TryNext(out var row))
        {
            rows.Add(row);
        }

        return rows;
    }

    private static string Describe(RowEntry? row) => row is { } r
        ? $"{r.Kind} seq {r.Seq} create {r.CreateTs} expire {r.ExpireTs} value {Convert.ToHexString(r.Value.Span)}"
        : "none";

    private static IMergeOperator Operator(string name) => name switch
    {
        "append" => MergeOperators.Append(","),
        "add" => MergeOperators.Int64Add,
        _ => MergeOperators.Max,
    };

    private static byte[] Operand(string operatorName, ulong seq) => operatorName switch
    {
        "add" => L((long)seq),
        "max" => Encoding.UTF8.GetBytes($"{(seq * 7919) % 1000:D4}"),
        _ => Encoding.UTF8.GetBytes(seq.ToString(System.Globalization.CultureInfo.InvariantCulture)),
    };

    private static byte[] L(long value)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, value);
        return bytes;
    }

    private sealed class FailsOn(string bad) : IMergeOperator
    {
        public byte[] Merge(ReadOnlySpan<byte> key, bool hasExisting, ReadOnlySpan<byte> existing, ReadOnlySpan<byte> operand) =>
            Encoding.UTF8.GetString(operand) == bad
                ? throw new InvalidOperationException("bad operand")
                : MergeOperators.Append(",").Merge(key, hasExisting, existing, operand);
    }
}
