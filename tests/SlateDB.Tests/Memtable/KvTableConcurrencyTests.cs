using SlateDB.Format;
using SlateDB.Memtable;

namespace SlateDB.Tests.Memtable;

/// <summary>One writer inserting while readers iterate and look up, lock-free.</summary>
public sealed class KvTableConcurrencyTests
{
    private const int Entries = 200_000;

    [Fact]
    public void Readers_see_ordered_fully_formed_rows_and_everything_inserted_before_they_started()
    {
        const int seed = 424242;
        var random = new Random(seed);
        var keyPool = Enumerable.Range(0, 60_000).Select(_ =>
        {
            var key = new byte[random.Next(1, 24)];
            random.NextBytes(key);
            key[0] = (byte)(key[0] & 0x0F); // share leading bytes so comparisons go past the link hints
            return key;
        }).ToArray();

        // Seq s (1-based) is row s-1; each value encodes its seq so a reader can tell a torn row. Some rows are
        // later put again with the same key and seq (a replacement), carrying the value of the alternate row.
        var rows = new RowEntry[Entries];
        var replacements = new RowEntry[Entries];
        for (var i = 0; i < Entries; i++)
        {
            var seq = (ulong)i + 1;
            var key = keyPool[random.Next(keyPool.Length)];
            rows[i] = i % 13 == 0
                ? RowEntry.Delete(key, seq, createTs: i)
                : RowEntry.Put(key, BitConverter.GetBytes(seq * 31), seq, createTs: i);
            replacements[i] = RowEntry.MergeOperand(key, BitConverter.GetBytes(seq * 37), seq, createTs: i);
        }

        var table = new KvTable((ulong)seed);
        var published = 0;
        var writerDone = false;
        var failures = new List<string>();
        var passesDuringWrites = new int[2];

        void Fail(string message)
        {
            lock (failures)
            {
                failures.Add($"seed {seed}: {message}");
            }

            Volatile.Write(ref writerDone, true);
        }

        void Reader(int id)
        {
            var readerRandom = new Random(seed + id);
            var order = id == 0 ? IterationOrder.Ascending : IterationOrder.Descending;
            var seen = new bool[Entries + 1];
            do
            {
                var before = Volatile.Read(ref published);
                Array.Clear(seen);
                var iterator = table.Range(KeyBound.Unbounded, KeyBound.Unbounded, order);
                RowEntry? previous = null;
                while (iterator.TryNext(out var row))
                {
                    if (!IsWellFormed(rows, replacements, row))
                    {
                        Fail($"reader {id} saw a malformed row at seq {row.Seq}");
                        return;
                    }

                    if (previous is { } p && !InOrder(p, row, order))
                    {
                        Fail($"reader {id} saw seq {p.Seq} before seq {row.Seq} ({order})");
                        return;
                    }

                    seen[row.Seq] = true;
                    previous = row;
                }

                for (var seq = 1; seq <= before; seq++)
                {
                    if (!seen[seq])
                    {
                        Fail($"reader {id} missed seq {seq} inserted before its pass ({before} published)");
                        return;
                    }
                }

                for (var probe = 0; probe < 2000 && before > 0; probe++)
                {
                    var index = readerRandom.Next(before);
                    if (!table.TryGet(rows[index].Key.Span, rows[index].Seq, out var found) || found.Seq != rows[index].Seq
                        || !IsWellFormed(rows, replacements, found))
                    {
                        Fail($"reader {id} TryGet missed seq {rows[index].Seq}");
                        return;
                    }
                }

                if (before < Entries)
                {
                    passesDuringWrites[id]++;
                }
            }
            while (!Volatile.Read(ref writerDone));
        }

        var readers = Enumerable.Range(0, 2).Select(id => new Thread(() => Reader(id))).ToArray();
        foreach (var thread in readers)
        {
            thread.Start();
        }

        for (var i = 0; i < Entries && !Volatile.Read(ref writerDone); i++)
        {
            table.Put(rows[i]);
            Volatile.Write(ref published, i + 1);
            if (i % 7 == 0 && i >= 1000)
            {
                table.Put(replacements[i - 1000]);
            }
        }

        Volatile.Write(ref writerDone, true);
        foreach (var thread in readers)
        {
            thread.Join();
        }

        failures.Should().BeEmpty();
        passesDuringWrites.Should().OnlyContain(p => p > 0, $"seed {seed}: each reader overlapped the writer");
        table.EntryCount.Should().Be(Entries);
        table.LastSeq.Should().Be(Entries);
        table.LastTick.Should().Be(Entries - 1);
    }

    // The row holds exactly the original or the replacement of its seq (the table keeps copies): never a mix of both, never garbage.
    private static bool IsWellFormed(RowEntry[] rows, RowEntry[] replacements, RowEntry row)
    {
        if (row.Seq == 0 || row.Seq > (ulong)rows.Length)
        {
            return false;
        }

        return KvTableTestData.SameRowContent(row, rows[row.Seq - 1]) || KvTableTestData.SameRowContent(row, replacements[row.Seq - 1]);
    }

    private static bool InOrder(RowEntry previous, RowEntry current, IterationOrder order)
    {
        var c = previous.Key.Span.SequenceCompareTo(current.Key.Span);
        if (c == 0)
        {
            return previous.Seq > current.Seq; // newest first in both directions
        }

        return order == IterationOrder.Ascending ? c < 0 : c > 0;
    }
}
