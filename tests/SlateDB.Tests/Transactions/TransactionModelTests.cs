using FluentAssertions;
using Xunit.Abstractions;
using static SlateDB.Tests.Read.ReadTestKit;
using static SlateDB.Tests.Transactions.TransactionTestKit;

namespace SlateDB.Tests.Transactions;

/// <summary>
/// Seeded model tests: transactions of both levels and plain writes, overlapping, with random reads, scans, puts,
/// deletes, commits, rollbacks and memtable flushes, checked against <see cref="TransactionModel"/>.
/// </summary>
public sealed class TransactionModelTests(ITestOutputHelper output)
{
    private const int KeyCount = 12;

    private static string Key(int i) => $"k{i:D2}";

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Interleaved_transactions_match_the_serial_model_and_conflict_exactly_when_the_rules_say(int seed)
    {
        var random = new Random(seed);
        await using var db = await OpenAsync(seed: seed);
        var model = new TransactionModel();
        var open = new List<OpenTxn>();
        int commits = 0, conflicts = 0, rollbacks = 0, plain = 0, serializableConflicts = 0;
        for (var step = 0; step < 4_000; step++)
        {
            var roll = random.Next(100);
            if (open.Count == 0 || (roll < 10 && open.Count < 5))
            {
                var level = random.Next(2) == 0 ? IsolationLevel.Snapshot : IsolationLevel.SerializableSnapshot;
                var txn = await db.BeginTransactionAsync(level);
                open.Add(new OpenTxn($"t{step}", txn, []));
                continue;
            }

            if (roll < 18)
            {
                // A plain write: a one-operation committed transaction.
                var key = Key(random.Next(KeyCount));
                var value = random.Next(4) == 0 ? null : $"p{step}";
                var handle = value is null ? await db.DeleteAsync(key) : await db.PutAsync(key, value);
                model.Add(new CommittedTxn($"plain{step}", IsolationLevel.Snapshot, handle.Sequence - 1, handle.Sequence, [new ModelStep.Write(key, value)]));
                plain++;
                continue;
            }

            if (roll < 20)
            {
                await FlushMemtableAsync(db);
                continue;
            }

            var current = open[random.Next(open.Count)];
            var t = current.Txn;
            var action = random.Next(100);
            if (action < 30)
            {
                var key = Key(random.Next(KeyCount));
                current.Steps.Add(new ModelStep.Read(key, await t.GetAsync(key)));
            }
            else if (action < 42)
            {
                var low = random.Next(KeyCount + 1);
                var high = low + random.Next(KeyCount + 1 - low) + 1;
                var (lowKey, highKey) = (Key(low), Key(high));
                var seen = await ScanTextAsync(t.ScanAsync(KeyRange.Between(B(lowKey), B(highKey))));
                current.Steps.Add(new ModelStep.Scan(lowKey, highKey, seen));
            }
            else if (action < 70)
            {
                var key = Key(random.Next(KeyCount));
                var value = $"{current.Name}-{step}";
                await t.PutAsync(key, value);
                current.Steps.Add(new ModelStep.Write(key, value));
            }
            else if (action < 80)
            {
                var key = Key(random.Next(KeyCount));
                await t.DeleteAsync(key);
                current.Steps.Add(new ModelStep.Write(key, null));
            }
            else if (action < 95)
            {
                open.Remove(current);
                var mustConflict = model.MustConflict(t.IsolationLevel, t.ReadSequence, current.Steps);
                try
                {
                    var handle = await t.CommitAsync();
                    mustConflict.Should().BeFalse($"{current.Name} committed although a later commit touched what it wrote or read");
                    var wrote = current.Steps.Any(s => s is ModelStep.Write);
                    model.Add(new CommittedTxn(current.Name, t.IsolationLevel, t.ReadSequence, wrote ? handle.Sequence : null, current.Steps));
                    commits++;
                }
                catch (SlateDbException e) when (e.Kind == SlateDbErrorKind.Transaction)
                {
                    mustConflict.Should().BeTrue($"{current.Name} conflicted without a reason: {e.Message}");
                    conflicts++;
                    if (t.IsolationLevel == IsolationLevel.SerializableSnapshot)
                    {
                        serializableConflicts++;
                    }
                }
            }
            else
            {
                open.Remove(current);
                t.Rollback();
                rollbacks++;
            }
        }

        foreach (var left in open)
        {
            await left.Txn.DisposeAsync();
        }

        output.WriteLine($"seed {seed}: {commits} commits, {conflicts} conflicts ({serializableConflicts} serializable), {rollbacks} rollbacks, {plain} plain writes");
        model.Verify();
        var final = model.StateAt(long.MaxValue).Select(p => (p.Key, p.Value)).ToList();
        (await ScanTextAsync(db.ScanAsync(KeyRange.All))).Should().Equal(final, "the database holds exactly the committed writes");
        commits.Should().BeGreaterThan(100);
        conflicts.Should().BeGreaterThan(20);
        db.OpenTransactionCount.Should().Be(0);
        db.TrackedTransactionKeys.Should().Be(0, "nothing is tracked once every transaction ended");
    }

    [Fact]
    public async Task Concurrent_clients_commit_a_serializable_history()
    {
        const int seed = 77;
        await using var db = await OpenAsync(seed: seed);
        var model = new TransactionModel();
        var conflicts = 0;
        var workers = Enumerable.Range(0, 4).Select(worker => Task.Run(async () =>
        {
            var random = new Random(seed * 31 + worker);
            for (var n = 0; n < 300; n++)
            {
                if (random.Next(10) == 0)
                {
                    var key = Key(random.Next(KeyCount));
                    var value = $"w{worker}-{n}";
                    var written = await db.PutAsync(key, value);
                    model.Add(new CommittedTxn($"plain{worker}-{n}", IsolationLevel.Snapshot, written.Sequence - 1, written.Sequence, [new ModelStep.Write(key, value)]));
                    continue;
                }

                var level = random.Next(3) == 0 ? IsolationLevel.Snapshot : IsolationLevel.SerializableSnapshot;
                await using var txn = await db.BeginTransactionAsync(level);
                var steps = new List<ModelStep>();
                for (var op = random.Next(1, 6); op > 0; op--)
                {
                    var key = Key(random.Next(KeyCount));
                    switch (random.Next(4))
                    {
                        case 0:
                            steps.Add(new ModelStep.Read(key, await txn.GetAsync(key)));
                            break;
                        case 1:
                            var high = Key(Math.Min(KeyCount, int.Parse(key[1..]) + random.Next(1, 4)));
                            steps.Add(new ModelStep.Scan(key, high, await ScanTextAsync(txn.ScanAsync(KeyRange.Between(B(key), B(high))))));
                            break;
                        case 2:
                            await txn.DeleteAsync(key);
                            steps.Add(new ModelStep.Write(key, null));
                            break;
                        default:
                            var value = $"w{worker}-{n}-{op}";
                            await txn.PutAsync(key, value);
                            steps.Add(new ModelStep.Write(key, value));
                            break;
                    }

                    await Task.Yield();
                }

                try
                {
                    var handle = await txn.CommitAsync();
                    model.Add(new CommittedTxn($"t{worker}-{n}", level, txn.ReadSequence, steps.Any(s => s is ModelStep.Write) ? handle.Sequence : null, steps));
                }
                catch (SlateDbException e) when (e.Kind == SlateDbErrorKind.Transaction)
                {
                    Interlocked.Increment(ref conflicts);
                }
            }
        })).ToArray();
        await Task.WhenAll(workers);

        output.WriteLine($"{model.Committed.Count} commits, {conflicts} conflicts");
        model.Verify();
        var final = model.StateAt(long.MaxValue).Select(p => (p.Key, p.Value)).ToList();
        (await ScanTextAsync(db.ScanAsync(KeyRange.All))).Should().Equal(final);
        db.TrackedTransactionKeys.Should().Be(0);
    }

    private sealed record OpenTxn(string Name, DbTransaction Txn, List<ModelStep> Steps);
}
