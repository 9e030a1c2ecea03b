using FluentAssertions;
using SlateDB.Format;
using SlateDB.Memtable;
using Xunit;

namespace SlateDB.Tests.Memtable;

/// <summary>
/// The memtable's point-read index (a table with a key filter has one): gets answered from it agree with the skip list
/// whatever the order of seqs, the snapshot or the index's fill, and a concurrent reader always sees what its snapshot
/// covers.
/// </summary>
public sealed class KvTableIndexTests
{
    [Fact]
    public void Versions_put_out_of_seq_order_read_exactly_as_without_the_index()
    {
        var random = new Random(21);
        var keys = Enumerable.Range(0, 3_000).Select(i => Key(random, 1 + random.Next(24))).ToArray();
        // Every seq once, in shuffled order, so a key's newer version is sometimes put before an older one.
        var seqs = Enumerable.Range(1, 30_000).Select(s => (ulong)s).OrderBy(_ => random.Next()).ToArray();
        var indexed = new KvTable(2, keyFilterBytes: 256 * 1024);
        var plain = new KvTable(2);
        foreach (var seq in seqs)
        {
            var key = keys[random.Next(keys.Length)];
            var row = random.Next(6) == 0 ? RowEntry.Delete(key, seq) : RowEntry.Put(key, BitConverter.GetBytes(seq), seq);
            indexed.Put(row);
            plain.Put(row);
        }

        indexed.KeyIndexBytes.Should().Be(KvTable.IndexSlotsFor(256 * 1024) * sizeof(int));
        var checkedHits = 0;
        foreach (var key in keys)
        {
            foreach (var maxSeq in new[] { ulong.MaxValue, 30_000UL, (ulong)random.Next(1, 30_000), (ulong)random.Next(1, 3_000), 0UL })
            {
                var hit = plain.TryGet(key, maxSeq, out var expected);
                indexed.TryGet(key, maxSeq, out var actual).Should().Be(hit);
                indexed.TryGetFolded(key, maxSeq, out var folded, out _).Should().Be(hit);
                if (hit)
                {
                    checkedHits++;
                    actual.Seq.Should().Be(expected.Seq, "the newest version at or below the snapshot");
                    actual.Kind.Should().Be(expected.Kind);
                    actual.Value.ToArray().Should().Equal(expected.Value.ToArray());
                    folded.Seq.Should().Be(expected.Seq);
                }
            }
        }

        checkedHits.Should().BeGreaterThan(keys.Length * 3);
    }

    [Fact]
    public void Keys_written_after_the_index_filled_up_are_found_through_the_skip_list()
    {
        // The smallest filter gives 2,048 slots, filled to 1,536 keys: the other keys are never indexed.
        var table = new KvTable(3, keyFilterBytes: MemtableKeyFilter.MinBytes);
        KvTable.IndexSlotsFor(MemtableKeyFilter.MinBytes).Should().Be(2_048);
        ulong seq = 0;
        for (var round = 0; round < 3; round++)
        {
            for (var i = 0; i < 10_000; i++)
            {
                table.Put(RowEntry.Put(BitConverter.GetBytes(i), BitConverter.GetBytes(round), ++seq));
            }
        }

        for (var i = 0; i < 10_000; i++)
        {
            table.TryGet(BitConverter.GetBytes(i), ulong.MaxValue, out var newest).Should().BeTrue();
            BitConverter.ToInt32(newest.Value.Span).Should().Be(2, $"key {i}'s newest version");
            table.TryGet(BitConverter.GetBytes(i), 10_000UL + (ulong)i + 1, out var second).Should().BeTrue();
            BitConverter.ToInt32(second.Value.Span).Should().Be(1, $"key {i} as of the second round");
        }

        table.TryGet(BitConverter.GetBytes(10_000), ulong.MaxValue, out _).Should().BeFalse();
    }

    [Fact]
    public void The_table_says_whether_its_index_holds_every_key_how_many_puts_repeated_a_key_and_whether_it_holds_merges()
    {
        var table = new KvTable(6, keyFilterBytes: MemtableKeyFilter.MinBytes);
        table.IndexHoldsEveryKey.Should().BeFalse("the index is made at the first put");
        ulong seq = 0;
        for (var i = 0; i < 1_000; i++)
        {
            table.Put(RowEntry.Put(BitConverter.GetBytes(i), new byte[] { 1 }, ++seq));
        }

        for (var i = 0; i < 300; i++)
        {
            table.Put(RowEntry.Delete(BitConverter.GetBytes(i * 3), ++seq));
        }

        table.Put(RowEntry.Put(BitConverter.GetBytes(299 * 3), new byte[] { 2 }, seq)); // Replaces the last delete (same key, same seq): no new version.
        table.IndexHoldsEveryKey.Should().BeTrue();
        table.RepeatedKeys.Should().Be(300);
        table.HasMerges.Should().BeFalse();

        table.Put(RowEntry.MergeOperand(BitConverter.GetBytes(7), new byte[] { 3 }, ++seq));
        table.HasMerges.Should().BeTrue();
        table.RepeatedKeys.Should().Be(301);

        // 1,536 keys fill the smallest index: the next new key is left out.
        for (var i = 1_000; i < 1_536; i++)
        {
            table.Put(RowEntry.Put(BitConverter.GetBytes(i), new byte[] { 1 }, ++seq));
        }

        table.IndexHoldsEveryKey.Should().BeTrue();
        table.Put(RowEntry.Put(BitConverter.GetBytes(1_536), new byte[] { 1 }, ++seq));
        table.IndexHoldsEveryKey.Should().BeFalse();
        new KvTable(7).IndexHoldsEveryKey.Should().BeFalse("a table without a key filter has no index");
    }

    [Fact]
    public void A_table_without_a_key_filter_has_no_index()
    {
        var table = new KvTable(4);
        table.Put(RowEntry.Put(new byte[] { 1 }, new byte[] { 2 }, 1));
        table.KeyIndexBytes.Should().Be(0);
        KvTable.IndexSlotsFor(0).Should().Be(0);
        table.TryGet(new byte[] { 1 }, ulong.MaxValue, out var row).Should().BeTrue();
        row.Value.ToArray().Should().Equal(2);
    }

    [Fact]
    public async Task A_reader_gets_the_newest_version_its_snapshot_covers_while_the_writer_adds_newer_ones()
    {
        // Seq s writes key s % Keys with value s; the writer publishes s after the put returns. A reader that reads the
        // published seq p and gets a key as of p must see exactly the newest version at or below p: the index holds newer
        // versions the reader must pass over (to the skip list) and versions it must find.
        const int keys = 64;
        const long maxSeq = 3_000_000;
        const int wantedChecks = 20_000;
        var table = new KvTable(5, keyFilterBytes: MemtableKeyFilter.MaxBytes);
        long published = 0;
        var checks = 0;
        var done = 0;
        var started = 0;
        // A thread of its own, which the writer waits for: on a busy pool the reader might not run before the writer ends.
        var reader = Task.Factory.StartNew(() =>
        {
            var random = new Random(7);
            Volatile.Write(ref started, 1);
            while (Volatile.Read(ref done) == 0)
            {
                var p = Volatile.Read(ref published);
                if (p < keys)
                {
                    continue;
                }

                var key = random.Next(keys);
                var expected = p - (((p % keys) - key + keys) % keys);
                table.TryGet(BitConverter.GetBytes(key), (ulong)p, out var row).Should().BeTrue();
                row.Seq.Should().Be((ulong)expected, $"key {key} as of seq {p}");
                BitConverter.ToInt64(row.Value.Span).Should().Be(expected);
                Interlocked.Increment(ref checks);
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        SpinWait.SpinUntil(() => Volatile.Read(ref started) == 1, TimeSpan.FromSeconds(30)).Should().BeTrue("the reader thread starts");

        long seq = 1;
        for (; seq <= maxSeq && (Volatile.Read(ref checks) < wantedChecks || seq < 100_000); seq++)
        {
            table.Put(RowEntry.Put(BitConverter.GetBytes((int)(seq % keys)), BitConverter.GetBytes(seq), (ulong)seq));
            Volatile.Write(ref published, seq);
        }

        Volatile.Write(ref done, 1);
        await reader;
        Volatile.Read(ref checks).Should().BeGreaterThanOrEqualTo(wantedChecks, $"the reader ran while {seq:N0} versions were put");
    }

    private static byte[] Key(Random random, int length)
    {
        var key = new byte[length];
        random.NextBytes(key);
        return key;
    }
}
