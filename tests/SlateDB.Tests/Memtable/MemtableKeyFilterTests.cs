using FluentAssertions;
using SlateDB.Format;
using SlateDB.Memtable;
using Xunit;

namespace SlateDB.Tests.Memtable;

/// <summary>The memtable's whole-key filter: no false negatives, a bounded false-positive rate, and reads that agree with a table without it.</summary>
public sealed class MemtableKeyFilterTests
{
    [Fact]
    public void Every_added_key_is_reported_and_most_others_are_ruled_out()
    {
        var random = new Random(5);
        var (filter, added) = Filled(random, 540_000);

        foreach (var hex in added)
        {
            filter.MightContain(MemtableKeyFilter.Hash(Convert.FromHexString(hex))).Should().BeTrue();
        }

        FalsePositiveRate(filter, random, added).Should().BeLessThan(0.002, "about 31 bits per key");
    }

    [Fact]
    public void A_crowded_filter_still_rules_out_most_absent_keys()
    {
        // Rows of ~30 estimated bytes: a 64 MiB memtable holds over two million keys, about 8 bits each.
        var random = new Random(6);
        var (filter, added) = Filled(random, 2_200_000);

        FalsePositiveRate(filter, random, added).Should().BeLessThan(0.10);
    }

    [Fact]
    public void Sizes_follow_the_memtable_size_within_bounds()
    {
        MemtableKeyFilter.BytesFor(64L << 20).Should().Be(2 << 20);
        MemtableKeyFilter.BytesFor(1024).Should().Be(MemtableKeyFilter.MinBytes);
        MemtableKeyFilter.BytesFor(1L << 30).Should().Be(MemtableKeyFilter.MaxBytes);
        new MemtableKeyFilter(100).SizeBytes.Should().Be(64, "one block at least");
    }

    [Fact]
    public void A_table_with_the_filter_reads_exactly_like_one_without()
    {
        var random = new Random(9);
        const int filterBytes = 64 * 1024; // about 25 bits per key here: most absent keys are ruled out, not waved through
        var filtered = new KvTable(1, keyFilterBytes: filterBytes);
        var plain = new KvTable(1);
        filtered.KeyFilterBytes.Should().Be(0, "the filter is made at the first put");
        var keys = new List<byte[]>();
        for (ulong seq = 1; seq <= 20_000; seq++)
        {
            var key = random.Next(4) == 0 && keys.Count > 0 ? keys[random.Next(keys.Count)] : Key(random, random.Next(0, 40));
            keys.Add(key);
            var row = random.Next(5) == 0 ? RowEntry.Delete(key, seq) : RowEntry.Put(key, BitConverter.GetBytes(seq), seq);
            filtered.Put(row);
            plain.Put(row);
        }

        filtered.KeyFilterBytes.Should().Be(filterBytes);
        for (var probe = 0; probe < 20_000; probe++)
        {
            var key = probe % 2 == 0 ? keys[random.Next(keys.Count)] : Key(random, random.Next(0, 40));
            var maxSeq = (ulong)random.Next(0, 21_000);
            var hitPlain = plain.TryGet(key, maxSeq, out var rowPlain);
            filtered.TryGet(key, maxSeq, out var rowFiltered).Should().Be(hitPlain);
            filtered.TryGetFolded(key, maxSeq, out var folded, out _).Should().Be(hitPlain);
            if (hitPlain)
            {
                rowFiltered.Seq.Should().Be(rowPlain.Seq);
                rowFiltered.Kind.Should().Be(rowPlain.Kind);
                rowFiltered.Value.ToArray().Should().Equal(rowPlain.Value.ToArray());
                folded.Seq.Should().Be(rowPlain.Seq);
            }
        }
    }

    [Fact]
    public async Task A_reader_always_finds_a_key_whose_put_has_returned()
    {
        // The writer keeps putting until the reader has checked enough published keys (or a cap is reached), so a
        // reader that a loaded machine starts late still checks; the filter is made by the first put, mid-race.
        const long maxKeys = 2_000_000;
        const int wantedChecks = 2_000;
        var table = new KvTable(3, keyFilterBytes: MemtableKeyFilter.MaxBytes); // large enough not to saturate
        var published = -1L;
        var checks = 0;
        var done = 0;
        var reader = Task.Run(() =>
        {
            while (Volatile.Read(ref done) == 0)
            {
                var last = Volatile.Read(ref published);
                if (last >= 0)
                {
                    table.TryGet(BitConverter.GetBytes(last), ulong.MaxValue, out _).Should().BeTrue($"key {last} was put before it was published");
                    Interlocked.Increment(ref checks);
                }
            }
        });

        long written = 0;
        for (; written < maxKeys && (Volatile.Read(ref checks) < wantedChecks || written < 50_000); written++)
        {
            table.Put(RowEntry.Put(BitConverter.GetBytes(written), new byte[] { 1 }, (ulong)written + 1));
            Volatile.Write(ref published, written);
        }

        Volatile.Write(ref done, 1);
        await reader;
        Volatile.Read(ref checks).Should().BeGreaterThanOrEqualTo(wantedChecks, $"the reader ran while {written:N0} keys were put");
    }

    /// <summary>A filter sized for a default 64 MiB memtable holding <paramref name="keys"/> random 16-byte keys, and those keys (hex).</summary>
    private static (MemtableKeyFilter Filter, HashSet<string> Added) Filled(Random random, int keys)
    {
        var filter = new MemtableKeyFilter(MemtableKeyFilter.BytesFor(64L << 20));
        var added = new HashSet<string>();
        for (var i = 0; i < keys; i++)
        {
            var key = Key(random);
            added.Add(Convert.ToHexString(key));
            filter.Add(MemtableKeyFilter.Hash(key));
        }

        return (filter, added);
    }

    private static byte[] Key(Random random, int length = 16)
    {
        var key = new byte[length];
        random.NextBytes(key);
        return key;
    }

    private static double FalsePositiveRate(MemtableKeyFilter filter, Random random, HashSet<string> added)
    {
        int probes = 0, positives = 0;
        while (probes < 200_000)
        {
            var key = Key(random);
            if (added.Contains(Convert.ToHexString(key)))
            {
                continue;
            }

            probes++;
            positives += filter.MightContain(MemtableKeyFilter.Hash(key)) ? 1 : 0;
        }

        return (double)positives / probes;
    }
}
