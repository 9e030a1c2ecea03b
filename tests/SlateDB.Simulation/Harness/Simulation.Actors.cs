using System.Globalization;

namespace SlateDB.Simulation.Harness;

/// <summary>The writers, readers and flushes of a simulation, and the final check.</summary>
internal sealed partial class Simulation
{
    private string Key() => "k" + _random.Next(_settings.Keys).ToString("D3", CultureInfo.InvariantCulture);

    private string Value(long id) => $"v{id}-{new string('x', _random.Next(_random.Next(8) == 0 ? 600 : 60))}";

    /// <summary>A merge operand: appended to the key's value by the writers' merge operator.</summary>
    private string Operand(long id) => $"m{id}-{new string('y', _random.Next(12))}";

    /// <summary>A put, delete or batch on a writer; durable ones wait for the WAL and count as acknowledged.</summary>
    private void Write(WriterProcess writer, bool durable)
    {
        var db = writer.Db!;
        var kind = _random.Next(10);
        var id = _model.Writes + 1;
        var merges = _settings.Merges;
        List<ModelChange> changes;
        ValueTask<WriteHandle> call;
        try
        {
            if (merges && kind == 5)
            {
                changes = [new(Key(), Operand(id), Merge: true)];
                call = db.MergeAsync(changes[0].Key, changes[0].Value!, writeOptions: NotDurable);
            }
            else if (kind < 6)
            {
                changes = [new(Key(), Value(id))];
                call = db.PutAsync(changes[0].Key, changes[0].Value!, writeOptions: NotDurable);
            }
            else if (kind < 8)
            {
                changes = [new(Key(), null)];
                call = db.DeleteAsync(changes[0].Key, NotDurable);
            }
            else
            {
                var batch = new WriteBatch();
                changes = [];
                for (var i = 1 + _random.Next(5); i > 0; i--)
                {
                    var key = Key();
                    var suffix = "-" + i.ToString(CultureInfo.InvariantCulture);
                    ModelChange change = _random.Next(4) == 0 ? new(key, null)
                        : merges && _random.Next(4) == 0 ? new(key, Operand(id) + suffix, Merge: true)
                        : new(key, Value(id) + suffix);
                    changes.RemoveAll(c => c.Key == key);
                    changes.Add(change);
                }

                foreach (var change in changes)
                {
                    _ = change.Merge ? batch.Merge(change.Key, change.Value!) : change.Value is null ? batch.Delete(change.Key) : batch.Put(change.Key, change.Value);
                }

                call = db.WriteAsync(batch, NotDurable);
            }
        }
        catch (SlateDbException e) when (e.Kind == SlateDbErrorKind.Closed)
        {
            Trace($"step {_step}: write on {writer} refused: {Describe(e)}");
            return;
        }

        if (!call.IsCompleted)
        {
            // Writes apply under the write lock before the call returns (no backpressure at these sizes); a write
            // that had to wait would make its place in the history unknown to the model.
            Violation($"a non-durable write on {writer} did not complete at once");
            return;
        }

        if (!call.IsCompletedSuccessfully)
        {
            var error = call.AsTask().Exception!.InnerException!;
            Trace($"step {_step}: write on {writer} refused: {Describe(error)}");
            if (!Expected(error))
            {
                Violation($"write on {writer} failed: {error}");
            }

            return;
        }

        var handle = call.Result;
        var write = _model.Issue(writer.Id, changes, inHistory: !writer.Zombie);
        _stats.Operations++;
        writer.Unacknowledged.Add(write);
        Trace($"step {_step}: {writer} {(writer.Zombie ? "(zombie) " : string.Empty)}issues {write} seq {handle.Sequence}");
        if (durable)
        {
            Track(writer, handle.AwaitDurableAsync(), $"durable wait for #{write.Id} on {writer}", t =>
            {
                if (t.IsCompletedSuccessfully)
                {
                    Acknowledge([.. writer.Unacknowledged.Where(w => w.Id <= write.Id)], $"durable wait on {writer}");
                }
                else
                {
                    CheckFailure(t, $"durable wait for #{write.Id} on {writer}");
                }
            });
        }
    }

    /// <summary>The engine said these writes are durable: each must be (and stay) in the history.</summary>
    private void Acknowledge(IReadOnlyList<ModelWrite> writes, string how)
    {
        foreach (var write in writes)
        {
            write.Acknowledged = true;
            _stats.Acknowledged++;
            foreach (var process in _processes.OfType<WriterProcess>())
            {
                process.Unacknowledged.Remove(write);
            }

            if (!write.InHistory)
            {
                Violation($"{how} acknowledged {write}, which a newer writer's recovery does not hold (a fenced writer's write, or a write the recovery lost)");
            }
        }
    }

    private void Flush(WriterProcess writer, FlushType type)
    {
        var writes = writer.Unacknowledged.ToList();
        Track(writer, writer.Db!.FlushAsync(new FlushOptions { FlushType = type }).AsTask(), $"flush {type} on {writer}", t =>
        {
            if (t.IsCompletedSuccessfully)
            {
                Acknowledge(writes, $"flush {type} on {writer}");
            }
            else
            {
                CheckFailure(t, $"flush {type} on {writer}");
            }
        });
    }

    /// <summary>A point read on the leader must see exactly the model at its issue (every write issued before it).</summary>
    private void Read(WriterProcess writer)
    {
        var key = Key();
        var expected = _model.State.GetValueOrDefault(key);
        var durability = _random.Next(5) == 0 ? DurabilityLevel.Remote : DurabilityLevel.Memory;
        if (durability == DurabilityLevel.Remote)
        {
            // A read of durable data only sees a prefix of the history; checked at recovery instead.
            return;
        }

        var read = writer.Db!.GetAsync(key).AsTask();
        _stats.Operations++;
        Track(writer, read, $"get {key} on {writer}", t =>
        {
            if (!t.IsCompletedSuccessfully)
            {
                CheckFailure(t, $"get {key} on {writer}");
            }
            else if (read.Result != expected && !writer.Zombie)
            {
                Violation($"get {key} on {writer} returned {read.Result ?? "<absent>"}, the model holds {expected ?? "<absent>"}");
            }
        });
    }

    private void Scan(WriterProcess writer)
    {
        var expected = _model.Snapshot();
        var scan = ScanAllAsync(writer.Db!);
        _stats.Operations++;
        Track(writer, scan, $"scan on {writer}", t =>
        {
            if (!t.IsCompletedSuccessfully)
            {
                CheckFailure(t, $"scan on {writer}");
            }
            else if (!writer.Zombie && Model.FirstDifference(expected, ModelRows(scan.Result)) is { } difference)
            {
                Violation($"scan on {writer} differs from the model at its sequence: {difference}");
            }
            else
            {
                CheckWorkloadReads(scan.Result, $"scan on {writer}");
            }
        });
    }

    /// <summary>A snapshot taken now must read the model as of now, whatever is written after it.</summary>
    private void SnapshotReads(WriterProcess writer)
    {
        var expected = _model.Snapshot();
        DbSnapshot snapshot;
        try
        {
            snapshot = writer.Db!.Snapshot();
        }
        catch (SlateDbException e) when (e.Kind == SlateDbErrorKind.Closed)
        {
            return;
        }

        Write(writer, durable: false);
        var key = Key();
        async Task<(string?, Dictionary<string, string>)> ReadAsync()
        {
            await using (snapshot.ConfigureAwait(false))
            {
                var one = await snapshot.GetAsync(key).ConfigureAwait(false);
                var all = new Dictionary<string, string>(StringComparer.Ordinal);
                await foreach (var row in snapshot.ScanAsync(KeyRange.All).ConfigureAwait(false))
                {
                    all[row.GetKeyString()] = row.GetValueString();
                }

                return (one, all);
            }
        }

        var reads = ReadAsync();
        _stats.Operations++;
        Track(writer, reads, $"snapshot reads on {writer}", t =>
        {
            if (!t.IsCompletedSuccessfully)
            {
                CheckFailure(t, $"snapshot reads on {writer}");
                return;
            }

            var (one, all) = reads.Result;
            CheckWorkloadReads(all, $"snapshot scan on {writer}");
            all = ModelRows(all);
            if (writer.Zombie)
            {
                return;
            }

            if (one != expected.GetValueOrDefault(key))
            {
                Violation($"snapshot get {key} on {writer} returned {one ?? "<absent>"}, the model at the snapshot holds {expected.GetValueOrDefault(key) ?? "<absent>"}");
            }
            else if (Model.FirstDifference(expected, all) is { } difference)
            {
                Violation($"snapshot scan on {writer} differs from the model at the snapshot: {difference}");
            }
        });
    }

    private static async Task<Dictionary<string, string>> ScanAllAsync(SlateDb db)
    {
        var rows = new Dictionary<string, string>(StringComparer.Ordinal);
        await foreach (var row in db.ScanAsync(KeyRange.All).ConfigureAwait(false))
        {
            rows[row.GetKeyString()] = row.GetValueString();
        }

        return rows;
    }

    /// <summary>
    /// The end: faults stop, every process crashes (or the leader closes cleanly first), a new writer opens and its
    /// recovery must hold every acknowledged write; then every workload checks its own invariant.
    /// </summary>
    private void FinalCheck()
    {
        Trace("final: faults off");
        _bucket.Plan = FaultPlan.None(_seed);
        if (_leader is { Ready: true, Dead: false } leader && _random.Next(2) == 0)
        {
            CleanRestart(leader);
            RunUntil(() => leader.Dead, "the leader's clean close");
        }

        foreach (var process in _processes.Where(p => !p.Dead))
        {
            Trace($"final: crash {process}");
            process.Crash();
        }

        _openings.Clear();
        _leader = null;
        var final = StartWriter();
        RunUntil(() => final.Ready || final.Dead || final.Zombie || _violations.Count > 0, "the final writer's recovery");
        if (_violations.Count > 0)
        {
            return;
        }

        if (final.Zombie)
        {
            Violation($"the final writer, opened alone, claimed writer epoch {final.Epoch}, below an earlier writer's: the epoch went backwards");
            return;
        }

        if (!final.Ready)
        {
            Violation($"with faults off, the final writer could not open and recover: see the trace");
            return;
        }

        foreach (var workload in _workloads)
        {
            var check = workload.CheckAsync(final.Db!);
            Track(final, check, $"{workload.Name} check", t =>
            {
                if (!t.IsCompletedSuccessfully)
                {
                    Violation($"{workload.Name} check failed: {t.Exception}");
                }
                else if (check.Result is { } why)
                {
                    Violation($"{workload.Name}: {why}");
                }
            });
        }

        RunUntil(() => _pending.Count == 0 || _violations.Count > 0, "the final checks");
        final.Crash();
    }

    /// <summary>Fires timers (settling after each) until <paramref name="done"/>, within 10 virtual minutes.</summary>
    private void RunUntil(Func<bool> done, string what)
    {
        var deadline = _clock.UtcNow + TimeSpan.FromMinutes(10);
        Settle();
        while (!done())
        {
            if (_clock.UtcNow >= deadline)
            {
                Violation($"{what} did not finish within 10 virtual minutes with faults off (pending: {string.Join(", ", _pending.Select(p => p.Name))})");
                return;
            }

            _clock.FireOne(deadline);
            Settle();
        }
    }

    // ---- settings drawn from the seed ------------------------------------------------------------------------------

    private (SlateDbOptions Options, bool StandaloneCompactor) DrawOptions()
    {
        var embeddedCompactor = _random.Next(3) == 0;
        var embeddedCollector = _random.Next(3) == 0;
        var options = new SlateDbOptions
        {
            FlushInterval = TimeSpan.FromMilliseconds(new[] { 7, 23, 50, 100 }[_random.Next(4)]),
            L0SstSizeBytes = new[] { 1024, 4096, 16384 }[_random.Next(3)],
            L0MaxSsts = embeddedCompactor ? 8 : 64,
            L0MaxSstsPerKey = embeddedCompactor ? 8 : 64,
            MinFilterKeys = 4,
            ManifestPollInterval = TimeSpan.FromMilliseconds(300 + _random.Next(2000)),
            CompactorOptions = embeddedCompactor ? CompactorSettings() : null,
            GarbageCollectorOptions = embeddedCollector ? CollectorSettings() : null,
        };
        return (options, !embeddedCompactor);
    }

    private CompactorOptions CompactorSettings() => new()
    {
        PollInterval = TimeSpan.FromMilliseconds(200 + _random.Next(1000)),
        MaxSstSize = 8 * 1024,
    };

    private GarbageCollectorOptions CollectorSettings()
    {
        GarbageCollectorDirectoryOptions Directory() => new()
        {
            Interval = TimeSpan.FromMilliseconds(500 + _random.Next(3000)),
            MinAge = TimeSpan.FromMilliseconds(_random.Next(5000)),
        };

        return new GarbageCollectorOptions
        {
            ManifestOptions = Directory(),
            WalOptions = Directory(),
            CompactedOptions = Directory(),
            CompactionsOptions = Directory(),
        };
    }
}
