using System.Security.Cryptography;
using System.Text;
using SlateDB.Compaction;
using SlateDB.GarbageCollection;
using SlateDB.Simulation.Workloads;

namespace SlateDB.Simulation.Harness;

/// <summary>
/// One seeded simulation run. Every decision (which actor acts, keys, values, when to crash or fence, how far to move
/// virtual time) comes from one <see cref="Random"/> seeded by the seed; every store request's fate comes from the
/// seed and the request's identity (<see cref="FaultPlan"/>). The harness runs on a thread of its own, acts only when
/// the engine has settled (<see cref="Quiescence"/>), and moves virtual time one timer at a time, so the engine's
/// background loops (WAL flusher, memtable flusher, manifest poller, compactors, collectors) interleave in an order
/// the seed fixes.
/// </summary>
internal sealed partial class Simulation
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly WriteOptions NotDurable = new() { AwaitDurable = false };

    /// <summary>The writers' merge operator (the model appends the same way; see <see cref="ModelChange"/>).</summary>
    private static readonly IMergeOperator MergeOperator = MergeOperators.Append(ModelChange.MergeSeparator);

    private readonly int _seed;
    private readonly SimulationSettings _settings;
    private readonly Random _random;
    private readonly VirtualClock _clock = new(Start);
    private readonly SimulatedObjectStore _bucket;
    private readonly Model _model = new();
    private readonly List<string> _trace = [];
    private readonly List<(Task Task, string Name, SimProcess Owner, Action<Task> OnDone)> _pending = [];
    private readonly List<SimProcess> _processes = [];
    private readonly SimulationStats _stats = new();
    private readonly SlateDbOptions _options;
    private readonly bool _standaloneCompactorAllowed;
    private readonly List<string> _violations = [];
    private readonly List<ISimulationWorkload> _workloads;
    private WriterProcess? _leader;
    private bool _everLed;
    private readonly List<WriterProcess> _openings = [];
    private int _nextProcessId;
    private int _step;

    private Simulation(int seed, SimulationSettings settings)
    {
        _seed = seed;
        _settings = settings;
        _random = new Random(seed);
        _workloads = [.. settings.Workloads.Select(create => create())];
        _bucket = new SimulatedObjectStore(_clock, FaultPlan.FromSeed(seed));
        (_options, _standaloneCompactorAllowed) = DrawOptions();
        Trace($"seed {seed}: plan {_bucket.Plan}; options flush {_options.FlushInterval?.TotalMilliseconds} ms, l0 {_options.L0SstSizeBytes} B, "
            + $"poll {_options.ManifestPollInterval.TotalMilliseconds} ms, embedded compactor {_options.CompactorOptions is not null}, embedded gc {_options.GarbageCollectorOptions is not null}");
    }

    /// <summary>Runs one seed to the end on a thread of its own and returns what happened.</summary>
    public static Task<SimulationResult> RunAsync(int seed, SimulationSettings? settings = null)
    {
        var done = new TaskCompletionSource<SimulationResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            Quiescence.MeasureBaseline();
            var simulation = new Simulation(seed, settings ?? SimulationSettings.Default);
            try
            {
                done.SetResult(simulation.RunCore());
            }
            catch (Exception e)
            {
                done.SetResult(simulation.Result($"the harness failed: {e}"));
            }
        }, 16 * 1024 * 1024) { IsBackground = true, Name = $"simulation seed {seed}" };
        thread.Start();
        return done.Task;
    }

    /// <summary>The one command that replays a seed, with its trace printed.</summary>
    public static string ReplayCommand(int seed) =>
        $"SLATEDB_SIM_SEED={seed} dotnet test tests/SlateDB.Simulation -c Release --filter \"FullyQualifiedName~SimulationReplay\" --logger \"console;verbosity=detailed\"";

    private SimulationResult RunCore()
    {
        try
        {
            StartWriter();
            for (_step = 0; _step < _settings.Steps && _violations.Count == 0; _step++)
            {
                Settle();
                ActOnce();
            }

            if (_violations.Count == 0)
            {
                FinalCheck();
            }
        }
        catch (TimeoutException e)
        {
            _violations.Add(e.Message);
        }

        return Result(_violations.Count == 0 ? null : string.Join(Environment.NewLine, _violations));
    }

    private SimulationResult Result(string? failure)
    {
        var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join("\n", _trace))));
        _stats.Requests = _bucket.Requests;
        _stats.Faults = _bucket.Refused503 + _bucket.Throttled429 + _bucket.LostResponses;
        _stats.LostResponses = _bucket.LostResponses;
        _stats.InFlightLanded = _bucket.CrashedInFlightLanded;
        _stats.InFlightDropped = _bucket.CrashedInFlightDropped;
        _stats.Writes = _model.Writes;
        _stats.VirtualTime = _clock.UtcNow - Start;
        foreach (var workload in _workloads)
        {
            workload.AddTo(_stats);
        }

        return new SimulationResult(_seed, failure, hash, [.. _trace], _stats, BucketHash());
    }

    /// <summary>
    /// A hash of what the run left in the bucket: every object's path and bytes, in path order (the WAL, manifests,
    /// SSTs and compactor state the engine wrote, byte for byte). Read on the harness thread once every process is dead.
    /// </summary>
    private string BucketHash()
    {
        try
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var objects = ListLanded().GetAwaiter().GetResult();
            foreach (var (path, data) in objects)
            {
                hash.AppendData(Encoding.UTF8.GetBytes(path + "\n"));
                hash.AppendData(data.Span);
            }

            return Convert.ToHexString(hash.GetHashAndReset());
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return "unreadable: " + e.GetType().Name;
        }
    }

    private async Task<List<(string Path, ReadOnlyMemory<byte> Data)>> ListLanded()
    {
        var paths = new List<string>();
        await foreach (var meta in _bucket.Landed.ListAsync(string.Empty, CancellationToken.None).ConfigureAwait(false))
        {
            paths.Add(meta.Path);
        }

        paths.Sort(StringComparer.Ordinal);
        var objects = new List<(string, ReadOnlyMemory<byte>)>();
        foreach (var path in paths)
        {
            if (await _bucket.Landed.GetAsync(path, CancellationToken.None).ConfigureAwait(false) is { } content)
            {
                objects.Add((path, content.Data));
            }
        }

        return objects;
    }

    // ---- the step loop -------------------------------------------------------------------------------------------

    /// <summary>Lets the engine finish what it can at this instant, then handles every completed operation in issue order.</summary>
    private void Settle()
    {
        while (true)
        {
            Quiescence.WaitForIdle(_settings.SettleTimeout);
            foreach (var e in _bucket.TakeEvents())
            {
                Trace("  store " + e);
            }

            // A crashed process's operations never finish: forget them.
            _pending.RemoveAll(p => p.Owner.Dead && !p.Task.IsCompleted);
            var done = _pending.Where(p => p.Task.IsCompleted).ToList();
            if (done.Count == 0)
            {
                return;
            }

            _pending.RemoveAll(p => p.Task.IsCompleted);
            foreach (var (task, name, _, onDone) in done)
            {
                Trace($"  done {name}: {Outcome(task)}");
                onDone(task);
            }
        }
    }

    private void ActOnce()
    {
        var leader = _leader is { Ready: true, Dead: false } l ? l : null;
        if (_openings.Count == 0 && (_leader is null || _leader.Dead || !_leader.Ready || LeaderUnusable()))
        {
            if (_leader is { Dead: false } old)
            {
                Trace($"step {_step}: {old} is {old.Db?.Status.State}; it is abandoned");
                old.Crash();
            }

            _leader = null;
            StartWriter();
            return;
        }

        var roll = _random.Next(1000);
        var zombie = _processes.OfType<WriterProcess>().FirstOrDefault(w => w.Zombie && !w.Dead && w.Db is not null);
        if (roll < 380 || (leader is null && roll < 850 && (zombie is null || roll < 820)))
        {
            Tick();
        }
        else if (roll < 560)
        {
            Write(leader!, durable: false);
        }
        else if (roll < 640)
        {
            Write(leader!, durable: true);
        }
        else if (roll < 670)
        {
            Flush(leader!, _random.Next(4) == 0 ? FlushType.MemTable : FlushType.Wal);
        }
        else if (roll < 760)
        {
            Read(leader!);
        }
        else if (roll < 800)
        {
            Scan(leader!);
        }
        else if (roll < 820)
        {
            SnapshotReads(leader!);
        }
        else if (roll < 850)
        {
            if (zombie is not null)
            {
                Write(zombie, durable: _random.Next(2) == 0);
            }
            else
            {
                Tick();
            }
        }
        else if (roll < 862)
        {
            CrashOne(leader);
        }
        else if (roll < 872 && _openings.Count < 2)
        {
            Trace($"step {_step}: fencer opens a new writer beside {(object?)leader ?? "no leader"} ({_openings.Count} already opening)");
            StartWriter();
        }
        else if (roll < 880 && _openings.Count == 0 && leader is not null)
        {
            CleanRestart(leader);
        }
        else if (roll is >= 880 and < 890 && _everLed)
        {
            ToggleCompactor();
        }
        else if (roll is >= 890 and < 900 && _everLed)
        {
            ToggleCollector();
        }
        else if (roll is >= 900 and < 960 && leader is not null && _workloads.Count > 0)
        {
            WorkloadTurn(leader, _workloads[_workloads.Count == 1 ? 0 : _random.Next(_workloads.Count)]);
        }
        else
        {
            Tick();
        }
    }

    /// <summary>Gives a workload a turn on the leader; its tasks' outcomes are traced, its violations reported.</summary>
    private void WorkloadTurn(WriterProcess leader, ISimulationWorkload workload)
    {
        var turn = new WorkloadTurn(
            leader.Db!,
            leader.Id,
            () => leader.Zombie,
            _random,
            text => Trace($"step {_step}: {workload.Name}: {text}"),
            (task, name) => Track(leader, task, name, t =>
            {
                if (t.IsCompletedSuccessfully)
                {
                    Trace($"    {task.Result}");
                }
                else if (t.Exception?.InnerException is WorkloadViolationException v)
                {
                    Violation($"{workload.Name}: {name}: {v.Message}");
                }
                else
                {
                    CheckFailure(t, name);
                }
            }));
        workload.Act(turn);
    }

    /// <summary>The rows the harness's model covers: every key no workload owns.</summary>
    private Dictionary<string, string> ModelRows(IReadOnlyDictionary<string, string> rows) =>
        rows.Where(r => !_workloads.Any(w => r.Key.StartsWith(w.KeyPrefix, StringComparison.Ordinal))).ToDictionary(StringComparer.Ordinal);

    private static Dictionary<string, string> WorkloadRows(ISimulationWorkload workload, IReadOnlyDictionary<string, string> rows) =>
        rows.Where(r => r.Key.StartsWith(workload.KeyPrefix, StringComparison.Ordinal)).ToDictionary(StringComparer.Ordinal);

    /// <summary>Checks the workloads' rows a scan of the leader or a zombie saw at one sequence.</summary>
    private void CheckWorkloadReads(IReadOnlyDictionary<string, string> rows, string what)
    {
        foreach (var workload in _workloads)
        {
            if (workload.CheckRead(WorkloadRows(workload, rows)) is { } why)
            {
                Violation($"{workload.Name}: {what}: {why}");
            }
        }
    }

    private bool LeaderUnusable() =>
        _leader is { Ready: true, Db: { } db } && db.Status.State != DbOpenState.Open;

    /// <summary>Moves virtual time to the next timer (no further than a random horizon) and fires it.</summary>
    private void Tick()
    {
        var horizon = _clock.UtcNow + TimeSpan.FromMilliseconds(1 + _random.Next(3000));
        var fired = _clock.FireOne(horizon);
        Trace($"step {_step}: tick to {(_clock.UtcNow - Start).TotalMilliseconds:0.###} ms ({(fired ? "timer fired" : "idle")})");
    }

    private void Track(SimProcess owner, Task task, string name, Action<Task> onDone)
    {
        Trace($"step {_step}: start {name}");
        _pending.Add((task, name, owner, onDone));
    }

    private void Trace(string line) => _trace.Add(line);

    private void Violation(string what)
    {
        Trace("VIOLATION " + what);
        _violations.Add($"step {_step}, virtual time {(_clock.UtcNow - Start).TotalMilliseconds:0.###} ms: {what}");
    }

    private static string Outcome(Task task) => task.Status switch
    {
        TaskStatus.RanToCompletion => "ok",
        TaskStatus.Canceled => "cancelled",
        _ => "failed: " + Describe(task.Exception!.InnerException!),
    };

    private static string Describe(Exception e) => e is SlateDbException s
        ? $"{s.Kind}/{s.CloseReason}: {FirstLine(s.Message)}"
        : $"{e.GetType().Name}: {FirstLine(e.Message)}";

    private static string FirstLine(string text) => text.Split('\n')[0];

    /// <summary>Failures the simulated faults can legitimately cause; anything else (Data, Internal, Invalid) is a bug.</summary>
    private static bool Expected(Exception e) => e switch
    {
        SlateDbException { Kind: SlateDbErrorKind.Unavailable or SlateDbErrorKind.Closed } => true,
        OperationCanceledException or ObjectDisposedException => true,
        HttpRequestException => true,
        AggregateException a => a.InnerExceptions.All(Expected),
        _ => false,
    };

    private void CheckFailure(Task task, string what)
    {
        if (task.Exception?.InnerException is { } e && !Expected(e))
        {
            Violation($"{what} failed with an error simulated faults cannot explain: {e}");
        }
    }

    // ---- processes -----------------------------------------------------------------------------------------------

    private T NewProcess<T>(Func<int, T> create)
        where T : SimProcess
    {
        var process = create(++_nextProcessId);
        _processes.Add(process);
        return process;
    }

    private WriterProcess StartWriter()
    {
        var writer = NewProcess(id => new WriterProcess(id, _clock, _bucket));
        _openings.Add(writer);
        _stats.Opens++;
        var builder = SlateDb.Builder("db", writer.Store).WithOptions(_options).WithTimeProvider(writer.Time).WithSeed(FaultPlan.Mix(_seed, writer.Id));
        if (_settings.Merges)
        {
            builder.WithMergeOperator(MergeOperator);
        }

        var open = builder.OpenAsync();
        Track(writer, open, $"open {writer}", task =>
        {
            if (writer.Dead)
            {
                return;
            }

            if (!task.IsCompletedSuccessfully)
            {
                CheckFailure(task, $"open of {writer}");
                writer.Crash();
                _openings.Remove(writer);
                return;
            }

            writer.Db = open.Result;
            writer.Epoch = writer.Db.Status.WriterEpoch;
            Trace($"  {writer} opened with writer epoch {writer.Epoch}");
            if (_processes.OfType<WriterProcess>().FirstOrDefault(w => w != writer && w.Db is not null && w.Epoch == writer.Epoch) is { } twin)
            {
                Violation($"{writer} and {twin} both opened with writer epoch {writer.Epoch}: an epoch claim was lost");
            }

            if (_processes.OfType<WriterProcess>().FirstOrDefault(w => w != writer && w.Db is not null && w.Epoch > writer.Epoch) is { } newer)
            {
                // A writer that opened concurrently (and may have crashed since) claimed a newer epoch: this one is
                // fenced from birth, whatever it recovered.
                writer.Zombie = true;
                _openings.Remove(writer);
                Trace($"  {writer} is fenced from birth by {newer} (epoch {newer.Epoch})");
                return;
            }

            foreach (var other in _processes.OfType<WriterProcess>().Where(w => w != writer && !w.Dead && !w.Zombie && w.Db is not null))
            {
                other.Zombie = true;
                other.Ready = false;
                Trace($"  {other} is fenced by {writer} (a zombie from now on)");
            }

            var scan = ScanAllAsync(writer.Db);
            Track(writer, scan, $"recovery scan of {writer}", _ =>
            {
                if (writer.Dead)
                {
                    return;
                }

                if (!scan.IsCompletedSuccessfully)
                {
                    CheckFailure(scan, $"recovery scan of {writer}");
                    writer.Crash();
                    _openings.Remove(writer);
                    return;
                }

                if (writer.Zombie)
                {
                    _openings.Remove(writer); // a newer writer opened while this one scanned
                    return;
                }

                if (_model.Recover(ModelRows(scan.Result)) is { } why)
                {
                    Violation($"recovery by {writer}: {why}");
                }

                foreach (var workload in _workloads)
                {
                    if (workload.CheckRecovery(WorkloadRows(workload, scan.Result), writer.Id) is { } broken)
                    {
                        Violation($"{workload.Name}: recovery by {writer}: {broken}");
                    }
                }

                foreach (var lost in _processes.OfType<WriterProcess>().SelectMany(w => w.Unacknowledged).Where(w => !w.InHistory).ToList())
                {
                    Trace($"  not recovered (never acknowledged): {lost}");
                }

                writer.Ready = true;
                _everLed = true;
                _leader = writer;
                _openings.Remove(writer);
                Trace($"  {writer} is the leader with {scan.Result.Count} keys");
            });
        });
        return writer;
    }

    private void CrashOne(WriterProcess? leader)
    {
        var live = _processes.Where(p => !p.Dead).ToList();
        if (live.Count == 0)
        {
            return;
        }

        var victim = leader is not null && _random.Next(3) > 0 ? leader : live[_random.Next(live.Count)];
        Trace($"step {_step}: crash {victim}");
        _stats.Crashes++;
        victim.Crash();
        if (victim is WriterProcess opener)
        {
            _openings.Remove(opener);
        }
    }

    private void CleanRestart(WriterProcess leader)
    {
        Trace($"step {_step}: clean restart of {leader}");
        var writes = leader.Unacknowledged.ToList();
        var close = leader.Db!.CloseAsync().AsTask();
        leader.Ready = false;
        Track(leader, close, $"close {leader}", task =>
        {
            if (task.IsCompletedSuccessfully)
            {
                Acknowledge(writes, $"close of {leader}");
            }
            else
            {
                CheckFailure(task, $"close of {leader}");
            }

            leader.Crash(); // closed: nothing of it runs any more
        });
    }

    private void ToggleCompactor()
    {
        if (!_standaloneCompactorAllowed)
        {
            return;
        }

        if (_processes.OfType<CompactorProcess>().FirstOrDefault(c => !c.Dead) is { } running)
        {
            if (_random.Next(2) == 0 || running.Compactor is null)
            {
                Trace($"step {_step}: crash {running}");
                running.Crash();
            }
            else
            {
                Trace($"step {_step}: stop {running}");
                Track(running, running.Compactor.StopAsync(), $"stop {running}", t =>
                {
                    CheckFailure(t, $"stop of {running}");
                    running.Crash();
                });
            }

            return;
        }

        var compactor = NewProcess(id => new CompactorProcess(id, _clock, _bucket));
        var builder = Compactor.Builder("db", compactor.Store);
        if (_settings.Merges)
        {
            builder.WithMergeOperator(MergeOperator);
        }

        var start = builder
            .WithTimeProvider(compactor.Time)
            .WithSeed(FaultPlan.Mix(_seed, 1000 + compactor.Id))
            .WithOptions(CompactorSettings())
            .StartAsync();
        Track(compactor, start, $"start {compactor}", t =>
        {
            if (t.IsCompletedSuccessfully)
            {
                compactor.Compactor = start.Result;
            }
            else
            {
                CheckFailure(t, $"start of {compactor}");
                compactor.Crash();
            }
        });
    }

    private void ToggleCollector()
    {
        if (_processes.OfType<CollectorProcess>().FirstOrDefault(c => !c.Dead) is { } running)
        {
            Trace($"step {_step}: crash {running}");
            running.Crash();
            return;
        }

        var collector = NewProcess(id => new CollectorProcess(id, _clock, _bucket));
        var start = GarbageCollector.StartAsync("db", collector.Store, CollectorSettings(), collector.Time);
        Track(collector, start, $"start {collector}", t =>
        {
            if (t.IsCompletedSuccessfully)
            {
                collector.Collector = start.Result;
            }
            else
            {
                CheckFailure(t, $"start of {collector}");
                collector.Crash();
            }
        });
    }
}
