using System.Globalization;
using SlateDB.Simulation.Harness;

namespace SlateDB.Simulation.Workloads;

/// <summary>
/// Bank transfers under transactions (<see cref="BankLedger"/> holds the keys and the ledger check). A turn starts one
/// to three concurrent transfers, each a <see cref="DbTransaction"/> at <see cref="IsolationLevel.Snapshot"/> or
/// <see cref="IsolationLevel.SerializableSnapshot"/> that reads both balances (sometimes scans the whole bank first),
/// writes both and a transfer record, commits, and on a conflict runs again (up to three attempts); some wait for
/// durability. Or it audits: a snapshot scan, a plain scan, or point reads of every account in a read-only
/// transaction. Invariants: every read at one sequence balances (no partial transfer, no lost update, the total
/// unchanged); a conflicted or failed commit is never visible; after every writer's recovery and at the end the
/// ledger balances, every acknowledged (durable) transfer is present, a transfer a recovery held stays, one it
/// dropped never comes back, each writer's surviving transfers are a prefix of its commits (by sequence), and
/// nothing a fenced writer committed is visible.
/// </summary>
internal sealed class BankWorkload : ISimulationWorkload
{
    private const int MaxAttempts = 3;
    private const long MaxAmount = 10;
    private static readonly WriteOptions NotDurable = new() { AwaitDurable = false };

    private readonly Lock _gate = new();
    private readonly Dictionary<string, Transfer> _committed = new(StringComparer.Ordinal);
    private readonly HashSet<string> _aborted = new(StringComparer.Ordinal);
    private readonly List<TransferPlan> _waiting = [];
    private long _nextTransfer;

    public string Name => "bank";

    public string KeyPrefix => BankLedger.Prefix;

    /// <summary>Transfers committed (attempts that committed).</summary>
    public long Committed { get { lock (_gate) { return _committed.Count; } } }

    /// <summary>Commit attempts that conflicted or failed (nothing applied).</summary>
    public long Aborted { get { lock (_gate) { return _aborted.Count; } } }

    public void Act(WorkloadTurn turn)
    {
        // Transfers that have read and written wait for a later turn to commit, so transactions overlap and conflict
        // in an order the seed picks; the commit runs on the harness thread, inside the release.
        if (_waiting.Count > 0 && turn.Random.Next(3) > 0)
        {
            for (var n = 1 + turn.Random.Next(_waiting.Count); n > 0; n--)
            {
                var plan = _waiting[turn.Random.Next(_waiting.Count)];
                _waiting.Remove(plan);
                turn.Trace($"let transfer #{plan.Id} commit");
                plan.Gate.TrySetResult();
            }
        }

        var kind = turn.Random.Next(10);
        if (kind < 7)
        {
            for (var n = 1 + turn.Random.Next(3); n > 0; n--)
            {
                var from = turn.Random.Next(BankLedger.Accounts);
                var plan = new TransferPlan(
                    ++_nextTransfer,
                    from,
                    (from + 1 + turn.Random.Next(BankLedger.Accounts - 1)) % BankLedger.Accounts,
                    turn.Random.Next(2) == 0 ? IsolationLevel.Snapshot : IsolationLevel.SerializableSnapshot,
                    turn.Random.Next(1000),
                    Durable: turn.Random.Next(3) == 0,
                    ScanFirst: turn.Random.Next(4) == 0);
                if (turn.Random.Next(3) > 0)
                {
                    _waiting.Add(plan);
                }
                else
                {
                    plan.Gate.SetResult();
                }

                turn.Track(TransferAsync(turn, plan), $"bank transfer #{plan.Id} {plan.From}->{plan.To} {plan.Level}{(plan.Durable ? " durable" : string.Empty)} on writer-{turn.Writer}");
            }

            return;
        }

        switch (kind)
        {
            case 7:
                turn.Track(SnapshotAuditAsync(turn.Db), $"bank snapshot audit on writer-{turn.Writer}");
                break;
            case 8:
                turn.Track(ScanAuditAsync(turn.Db), $"bank scan audit on writer-{turn.Writer}");
                break;
            default:
                turn.Track(PointReadAuditAsync(turn.Db), $"bank point-read audit on writer-{turn.Writer}");
                break;
        }
    }

    public string? CheckRead(IReadOnlyDictionary<string, string> rows) => Check(rows, everyCommitKnown: true);

    /// <summary>
    /// The ledger, and that no failed commit is visible; with <paramref name="everyCommitKnown"/> (on the harness
    /// thread, where every commit that happened is registered) also that every record present was committed.
    /// </summary>
    private string? Check(IReadOnlyDictionary<string, string> rows, bool everyCommitKnown)
    {
        if (BankLedger.Check(rows) is { } why)
        {
            return why;
        }

        lock (_gate)
        {
            foreach (var key in rows.Keys.Where(BankLedger.IsRecord))
            {
                if (_aborted.Contains(key))
                {
                    return $"transfer {key} is visible though its commit failed";
                }

                if (everyCommitKnown && !_committed.ContainsKey(key))
                {
                    return $"transfer {key} is visible though no commit made it";
                }
            }
        }

        return null;
    }

    public string? CheckRecovery(IReadOnlyDictionary<string, string> rows, int writer)
    {
        if (CheckRead(rows) is { } why)
        {
            return "recovery: " + why;
        }

        lock (_gate)
        {
            foreach (var transfer in _committed.Values.Where(t => t.Process != writer))
            {
                var present = rows.ContainsKey(transfer.Record);
                if (present && transfer.Fenced)
                {
                    return $"{transfer}, committed by a fenced writer, is visible";
                }

                if (present && transfer.Lost)
                {
                    return $"{transfer} came back after an earlier recovery had dropped it";
                }

                if (!present && transfer.Acknowledged)
                {
                    return $"{transfer} was acknowledged durable and is lost";
                }

                if (!present && transfer.Held)
                {
                    return $"{transfer} was held by an earlier recovery and is lost";
                }

                transfer.Held = present;
                transfer.Lost = !present;
            }

            foreach (var process in _committed.Values.Where(t => t.Process != writer && !t.Fenced).GroupBy(t => t.Process))
            {
                var ordered = process.OrderBy(t => t.Sequence).ToList();
                var firstLost = ordered.FindIndex(t => t.Lost);
                if (firstLost >= 0 && ordered.Skip(firstLost).FirstOrDefault(t => t.Held) is { } later)
                {
                    return $"writer-{process.Key}'s surviving transfers are no prefix of its commits: {ordered[firstLost]} is lost, the later {later} survived";
                }
            }
        }

        return null;
    }

    public async Task<string?> CheckAsync(SlateDb recovered)
    {
        // Point reads of every account in a read-only transaction, and a scan of the records at the same snapshot.
        await using var txn = await recovered.BeginTransactionAsync(IsolationLevel.SerializableSnapshot).ConfigureAwait(false);
        var rows = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < BankLedger.Accounts; i++)
        {
            if (await txn.GetAsync(BankLedger.Account(i)).ConfigureAwait(false) is { } value)
            {
                rows[BankLedger.Account(i)] = value;
            }
        }

        await foreach (var row in txn.ScanPrefixAsync("bank/t/").ConfigureAwait(false))
        {
            rows[row.GetKeyString()] = row.GetValueString();
        }

        return CheckRead(rows) is { } why ? "final point reads: " + why : null;
    }

    /// <summary>Adds this run's counts to the seed's figures.</summary>
    public void AddTo(SimulationStats stats)
    {
        stats.Transfers += Committed;
        stats.TransferAborts += Aborted;
    }

    private async Task<string> TransferAsync(WorkloadTurn turn, TransferPlan plan)
    {
        var db = turn.Db;
        var outcomes = new List<string>();
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var record = BankLedger.Record(plan.Id, attempt);
            var txn = await db.BeginTransactionAsync(plan.Level).ConfigureAwait(false);
            await using (txn.ConfigureAwait(false))
            {
                if (plan.ScanFirst)
                {
                    var seen = await ScanAsync(txn.ScanPrefixAsync(BankLedger.Prefix)).ConfigureAwait(false);
                    if (Check(seen, everyCommitKnown: false) is { } why)
                    {
                        throw new WorkloadViolationException($"a transaction's scan at read sequence {txn.ReadSequence}: {why}");
                    }
                }

                var from = BankLedger.Balance(await txn.GetAsync(BankLedger.Account(plan.From)).ConfigureAwait(false));
                var to = BankLedger.Balance(await txn.GetAsync(BankLedger.Account(plan.To)).ConfigureAwait(false));
                if (from == 0)
                {
                    outcomes.Add("nothing to move");
                    return string.Join("; ", outcomes);
                }

                var amount = 1 + (plan.Choice % Math.Min(from, MaxAmount));
                await txn.PutAsync(BankLedger.Account(plan.From), (from - amount).ToString(CultureInfo.InvariantCulture)).ConfigureAwait(false);
                await txn.PutAsync(BankLedger.Account(plan.To), (to + amount).ToString(CultureInfo.InvariantCulture)).ConfigureAwait(false);
                await txn.PutAsync(record, BankLedger.RecordValue(plan.From, plan.To, amount)).ConfigureAwait(false);
                WriteHandle handle;
                await plan.Gate.Task.ConfigureAwait(false);
                try
                {
                    handle = await txn.CommitAsync(NotDurable).ConfigureAwait(false);
                }
                catch (SlateDbException e)
                {
                    lock (_gate)
                    {
                        _aborted.Add(record);
                    }

                    if (e.Kind != SlateDbErrorKind.Transaction)
                    {
                        throw;
                    }

                    outcomes.Add($"attempt {attempt} conflicted");
                    continue;
                }

                var transfer = new Transfer(record, turn.Writer, handle.Sequence, turn.Fenced(), amount);
                lock (_gate)
                {
                    _committed.Add(record, transfer);
                }

                outcomes.Add($"{record} moved {amount} ({from}->{from - amount}, {to}->{to + amount}) at seq {handle.Sequence}{(transfer.Fenced ? " on a fenced writer" : string.Empty)}");
                if (plan.Durable)
                {
                    await handle.AwaitDurableAsync().ConfigureAwait(false);
                    lock (_gate)
                    {
                        foreach (var earlier in _committed.Values.Where(t => t.Process == turn.Writer && t.Sequence <= handle.Sequence))
                        {
                            earlier.Acknowledged = true;
                            if (earlier.Fenced || earlier.Lost)
                            {
                                throw new WorkloadViolationException($"a durable wait acknowledged {earlier}, which {(earlier.Fenced ? "a fenced writer committed" : "a newer writer's recovery does not hold")}");
                            }
                        }
                    }

                    outcomes.Add("durable");
                }

                return string.Join("; ", outcomes);
            }
        }

        outcomes.Add("gave up");
        return string.Join("; ", outcomes);
    }

    private async Task<string> SnapshotAuditAsync(SlateDb db)
    {
        var snapshot = db.Snapshot();
        await using (snapshot.ConfigureAwait(false))
        {
            return Audit(await ScanAsync(snapshot.ScanAsync(KeyRange.Prefix("bank/"u8.ToArray()))).ConfigureAwait(false), "snapshot scan");
        }
    }

    private async Task<string> ScanAuditAsync(SlateDb db) =>
        Audit(await ScanAsync(db.ScanPrefixAsync(BankLedger.Prefix)).ConfigureAwait(false), "scan");

    private async Task<string> PointReadAuditAsync(SlateDb db)
    {
        var txn = await db.BeginTransactionAsync(IsolationLevel.Snapshot).ConfigureAwait(false);
        await using (txn.ConfigureAwait(false))
        {
            var rows = await ScanAsync(txn.ScanPrefixAsync("bank/t/")).ConfigureAwait(false);
            for (var i = 0; i < BankLedger.Accounts; i++)
            {
                if (await txn.GetAsync(BankLedger.Account(i)).ConfigureAwait(false) is { } value)
                {
                    rows[BankLedger.Account(i)] = value;
                }
            }

            return Audit(rows, $"point reads at read sequence {txn.ReadSequence}");
        }
    }

    private string Audit(IReadOnlyDictionary<string, string> rows, string what) =>
        Check(rows, everyCommitKnown: false) is { } why
            ? throw new WorkloadViolationException($"{what}: {why}")
            : $"{what} balances ({rows.Count(r => BankLedger.IsRecord(r.Key))} transfers)";

    private static async Task<Dictionary<string, string>> ScanAsync(IAsyncEnumerable<KeyValue> rows)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        await foreach (var row in rows.ConfigureAwait(false))
        {
            result[row.GetKeyString()] = row.GetValueString();
        }

        return result;
    }

    private sealed record TransferPlan(long Id, int From, int To, IsolationLevel Level, int Choice, bool Durable, bool ScanFirst)
    {
        /// <summary>Opened by the turn that lets the transfer commit (its continuation runs inline, on the harness thread).</summary>
        public TaskCompletionSource Gate { get; } = new();
    }

    private sealed class Transfer(string record, int process, long sequence, bool fenced, long amount)
    {
        public string Record { get; } = record;

        public int Process { get; } = process;

        public long Sequence { get; } = sequence;

        /// <summary>Committed after a newer writer opened: must never be visible to that writer or later ones.</summary>
        public bool Fenced { get; } = fenced;

        public bool Acknowledged { get; set; }

        /// <summary>A recovery held it: it must stay.</summary>
        public bool Held { get; set; }

        /// <summary>A recovery did not hold it: it must never come back.</summary>
        public bool Lost { get; set; }

        public override string ToString() => $"transfer {Record} of {amount} by writer-{Process} at seq {Sequence}";
    }
}

/// <summary>A workload's invariant broke inside its own asynchronous work; the harness reports it as a violation.</summary>
internal sealed class WorkloadViolationException(string message) : Exception(message);
