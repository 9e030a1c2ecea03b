using SlateDB.Compaction;
using SlateDB.Format;
using SlateDB.Manifest;
using static SlateDB.Tests.Compaction.CompactionTestKit;

namespace SlateDB.Tests.Compaction;

/// <summary>
/// The executor's in-place decisions for keys with one version (live values, plain tombstones) agree with the full
/// retention rules, and the reads in flight are shared out among the inputs.
/// </summary>
public sealed class CompactionExecutorHotPathTests
{
    [Theory]
    [InlineData(false, 1L)]
    [InlineData(true, 1L)]
    [InlineData(false, 500L)]
    [InlineData(true, 500L)]
    public async Task Single_and_multi_version_keys_of_every_kind_match_the_retention_rules(bool dropTombstones, long retentionMinSeq)
    {
        var random = new Random(17);
        var kit = new CompactionTestKit();
        var retention = new RetentionPolicy((ulong)retentionMinSeq, CompactionClockTick: 1000, dropTombstones);
        var groups = new List<List<RowEntry>>();
        ulong seq = 1;
        for (var g = 0; g < 3; g++)
        {
            var keys = Enumerable.Range(0, 400).Select(_ => random.Next(600)).Distinct().Order().ToList();
            var rows = new List<RowEntry>();
            foreach (var k in keys)
            {
                var key = B(Key(k));
                long? expire = random.Next(4) switch { 0 => 999, 1 => 2000, _ => null };
                rows.Add(random.Next(5) switch
                {
                    0 => RowEntry.Delete(key, seq, createTs: 1, expireTs: random.Next(2) == 0 ? 900 : null),
                    1 => RowEntry.MergeOperand(key, B("m" + seq), seq, createTs: 1, expireTs: expire),
                    _ => RowEntry.Put(key, B("v" + seq), seq, createTs: 1, expireTs: expire),
                });
                seq++;
            }

            groups.Add(rows);
        }

        var l0 = new List<SsTableView>();
        foreach (var group in groups)
        {
            l0.Insert(0, await kit.SstAsync(group));
        }

        var output = await kit.Executor().ExecuteAsync(Job(l0, [], 0, retention), CancellationToken.None);

        // The model: every key's versions, newest first, through the retention rules.
        var expected = new List<RowEntry>();
        foreach (var versions in groups.SelectMany(group => group).GroupBy(row => S(row.Key)).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            RetentionFilter.Apply(versions.OrderByDescending(row => row.Seq).ToList(), retention, expected);
        }

        var actual = await kit.ReadAsync(output.Run);
        actual.Select(Describe).Should().Equal(expected.Select(Describe));
        output.RowsWritten.Should().Be(expected.Count);
    }

    [Theory]
    [InlineData(4, 1, 4)]
    [InlineData(4, 2, 4)]
    [InlineData(4, 3, 2)]
    [InlineData(4, 8, 1)]
    [InlineData(4, 40, 1)]
    [InlineData(1, 2, 1)]
    [InlineData(0, 0, 1)]
    public void Reads_in_flight_are_shared_out_among_the_inputs(int maxFetchTasks, int sources, int expected) =>
        CompactionExecutor.FetchTasksPerSource(maxFetchTasks, sources).Should().Be(expected);

    private static string Describe(RowEntry row) => $"{S(row.Key)}@{row.Seq}:{row.Kind}:{S(row.Value)}:{row.CreateTs}:{row.ExpireTs}";
}
